use leptos::prelude::*;

use crate::shared::markup::{self, Block, Inline};

/// What a link in a message may do to the page that opened it, and what it vouches for: nothing.
const LINK_REL: &str = "noopener noreferrer nofollow ugc";

/// A message's text, formatted ([`markup`]).
///
/// The tree is written out as HTML here rather than built element by element: one string builder
/// instead of a view type per element keeps the browser's bundle small. What makes it safe is
/// that every piece of the user's text, and every attribute value, passes through [`escape`], and
/// the only elements written are the fixed few below (tested against hostile input).
pub fn message_body(text: &str) -> impl IntoView {
    view! { <div class="body" inner_html=to_html(&markup::parse(text))></div> }
}

fn to_html(blocks: &[Block]) -> String {
    let mut out = String::new();
    write_blocks(&mut out, blocks);
    out
}

fn write_blocks(out: &mut String, blocks: &[Block]) {
    for block in blocks {
        match block {
            Block::Paragraph(line) => wrap(out, "p", |out| write_inlines(out, line)),
            Block::Code { language, text } => {
                out.push_str("<pre><code");
                if let Some(language) = language {
                    out.push_str(" class=\"language-");
                    escape(out, language);
                    out.push('"');
                }
                out.push('>');
                escape(out, text);
                out.push_str("</code></pre>");
            }
            Block::Quote(inner) => wrap(out, "blockquote", |out| write_blocks(out, inner)),
            Block::List { start, items } => {
                let tag = if start.is_some() { "ol" } else { "ul" };
                out.push('<');
                out.push_str(tag);
                if let Some(start) = start.filter(|&start| start != 1) {
                    out.push_str(&format!(" start=\"{start}\""));
                }
                out.push('>');
                for item in items {
                    wrap(out, "li", |out| write_inlines(out, item));
                }
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
            }
        }
    }
}

fn write_inlines(out: &mut String, list: &[Inline]) {
    for inline in list {
        match inline {
            Inline::Text(text) => escape(out, text),
            Inline::Code(code) => wrap(out, "code", |out| escape(out, code)),
            Inline::Strong(inner) => wrap(out, "strong", |out| write_inlines(out, inner)),
            Inline::Emphasis(inner) => wrap(out, "em", |out| write_inlines(out, inner)),
            Inline::Strike(inner) => wrap(out, "del", |out| write_inlines(out, inner)),
            Inline::Link { url, label } => {
                out.push_str("<a href=\"");
                escape(out, url);
                out.push_str("\" rel=\"");
                out.push_str(LINK_REL);
                out.push_str("\" target=\"_blank\">");
                write_inlines(out, label);
                out.push_str("</a>");
            }
        }
    }
}

/// `<tag>…</tag>` around what `inner` writes; `tag` is always one of this file's literals.
fn wrap(out: &mut String, tag: &str, inner: impl FnOnce(&mut String)) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    inner(out);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// The user's text as HTML text or attribute value: nothing in it can open a tag, end an
/// attribute or start an entity.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    /// The elements a message may contain; anything else in the HTML would be the user's markup.
    const ALLOWED: [&str; 12] =
        ["div", "p", "pre", "code", "blockquote", "ul", "ol", "li", "strong", "em", "del", "a"];

    fn html(text: &str) -> String {
        let owner = Owner::new();
        // Without the hydration markers (`<!>`), which are not part of what is shown.
        owner.with(|| message_body(text).to_html()).replace("<!>", "")
    }

    /// Every element in `html`, with its attributes (Leptos quotes every value and escapes `<` in
    /// text, so each `<` is a tag).
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            rest = &rest[open + 1..];
            if rest.starts_with(['/', '!']) {
                continue;
            }
            let len = rest.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(rest.len());
            let name = rest[..len].to_owned();
            rest = &rest[len..];
            let mut attributes = Vec::new();
            loop {
                rest = rest.trim_start();
                if rest.is_empty() || rest.starts_with('>') {
                    break;
                }
                let len =
                    rest.find(|c: char| c == '=' || c.is_whitespace() || c == '>').unwrap_or(rest.len());
                let attribute = rest[..len].to_owned();
                rest = &rest[len..];
                let mut value = String::new();
                if let Some(quoted) = rest.strip_prefix("=\"") {
                    let end = quoted.find('"').unwrap_or(quoted.len());
                    value = quoted[..end].to_owned();
                    rest = quoted.get(end + 1..).unwrap_or_default();
                }
                attributes.push((attribute, value));
            }
            out.push((name, attributes));
        }
        out
    }

    #[test]
    fn formatting_becomes_a_few_fixed_elements() {
        let shown = html("**bold** *it* ~~no~~ `x<y`\n```rust\n<b>\n```\n> q\n- a\n3. b\n[site](https://example.com/?a=1&b=2)");
        for expected in [
            "<strong>bold</strong>",
            "<em>it</em>",
            "<del>no</del>",
            "<code>x&lt;y</code>",
            "<pre><code class=\"language-rust\">&lt;b&gt;</code></pre>",
            "<blockquote><p>q</p></blockquote>",
            "<ul><li>a</li></ul>",
            "<ol start=\"3\"><li>b</li></ol>",
            "href=\"https://example.com/?a=1&amp;b=2\"",
            "rel=\"noopener noreferrer nofollow ugc\" target=\"_blank\"",
        ] {
            assert!(shown.contains(expected), "{expected} missing in {shown}");
        }
    }

    #[test]
    fn hostile_input_never_becomes_markup() {
        let long = "<script>".repeat(250);
        let deep = format!(
            "{}<img src=x onerror=alert(1)>{}",
            "**[*~~".repeat(60),
            "~~*](https://x.example)**".repeat(60)
        );
        let hostile = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<svg/onload=alert(1)>",
            "**<b onclick=alert(1)>x</b>**",
            "[<img src=x onerror=alert(1)>](https://x.example)",
            "[x](https://x.example\"onmouseover=\"alert(1))",
            "[x](https://x.example)\" onmouseover=\"alert(1)",
            "https://x.example/\"><script>alert(1)</script>",
            "[x](javascript:alert(1)) [y](data:text/html,<script>alert(1)</script>) javascript:alert(1)",
            "```\"><script>alert(1)</script>\ncode\n```",
            "```js onload=alert(1)\ncode\n```",
            "<!-- comment --><style>*{}</style><iframe src=https://x.example>",
            "&lt;script&gt; &#60;script&#62;",
            long.as_str(),
            deep.as_str(),
        ];
        for text in hostile {
            let shown = html(text);
            for (name, attributes) in tags(&shown) {
                assert!(ALLOWED.contains(&name.as_str()), "<{name}> from {text:?}: {shown}");
                for (attribute, value) in attributes {
                    assert!(
                        ["class", "href", "rel", "target", "start"].contains(&attribute.as_str()),
                        "{attribute} from {text:?}: {shown}"
                    );
                    if attribute == "href" {
                        assert!(
                            value.starts_with("https://") || value.starts_with("http://"),
                            "href {value} from {text:?}"
                        );
                    }
                }
            }
        }
    }
}
