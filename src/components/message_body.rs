use leptos::prelude::*;

use crate::shared::markup::{self, Block, Inline};

/// What a link in a message may do to the page that opened it, and what it vouches for: nothing.
const LINK_REL: &str = "noopener noreferrer nofollow ugc";

/// A message's text, formatted ([`markup`]). Every piece of it becomes a text node or one of a
/// few fixed elements, so nothing a user typed is ever markup, on the server or in the browser.
#[component]
pub fn MessageBody(#[prop(into)] text: String) -> impl IntoView {
    let blocks = markup::parse(&text);
    view! { <div class="body">{blocks.into_iter().map(block).collect_view()}</div> }
}

fn block(node: Block) -> AnyView {
    match node {
        Block::Paragraph(line) => view! { <p>{inlines(line)}</p> }.into_any(),
        Block::Code { language, text } => {
            let class = language.map(|language| format!("language-{language}"));
            view! { <pre><code class=class>{text}</code></pre> }.into_any()
        }
        Block::Quote(inner) => {
            view! { <blockquote>{inner.into_iter().map(block).collect_view()}</blockquote> }.into_any()
        }
        Block::List { start: None, items } => view! { <ul>{list_items(items)}</ul> }.into_any(),
        Block::List { start: Some(start), items } => {
            view! { <ol start=start>{list_items(items)}</ol> }.into_any()
        }
    }
}

fn list_items(items: Vec<Vec<Inline>>) -> impl IntoView {
    items.into_iter().map(|item| view! { <li>{inlines(item)}</li> }).collect_view()
}

fn inlines(list: Vec<Inline>) -> impl IntoView {
    list.into_iter().map(inline).collect_view()
}

fn inline(node: Inline) -> AnyView {
    match node {
        Inline::Text(text) => text.into_any(),
        Inline::Code(code) => view! { <code>{code}</code> }.into_any(),
        Inline::Strong(inner) => view! { <strong>{inlines(inner)}</strong> }.into_any(),
        Inline::Emphasis(inner) => view! { <em>{inlines(inner)}</em> }.into_any(),
        Inline::Strike(inner) => view! { <del>{inlines(inner)}</del> }.into_any(),
        Inline::Link { url, label } => {
            view! { <a href=url rel=LINK_REL target="_blank">{inlines(label)}</a> }.into_any()
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
        owner.with(|| view! { <MessageBody text=text.to_owned()/> }.to_html()).replace("<!>", "")
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
