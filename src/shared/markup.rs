//! The formatting people type in messages (a small Markdown): the text is parsed into a tree of
//! blocks and inlines, and the tree is what the page shows. Nothing in the tree is markup: text
//! stays text wherever it is rendered, and the only addresses it holds are `http(s)` ones.
//!
//! Stored messages keep the text as typed; parsing happens when a message is shown, on the server
//! for rendered history and in the browser for live messages, with this one parser, so both look
//! the same.

/// How deep quotes may nest (`> > >`); deeper markers are shown as typed.
const QUOTE_DEPTH: u8 = 3;
/// How deep emphasis, strike and links may nest inside each other; deeper ones are shown as typed.
const INLINE_DEPTH: u8 = 6;
/// A code block's language is a short word (it becomes a class name); anything else is dropped.
const LANGUAGE_MAX: usize = 32;

/// A paragraph-level piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Lines of text; the line breaks inside are kept.
    Paragraph(Vec<Inline>),
    /// A fenced code block, shown as typed in a monospaced font.
    Code {
        language: Option<String>,
        text: String,
    },
    Quote(Vec<Block>),
    /// `start` is the first number of a numbered list, `None` for bullets.
    List {
        start: Option<u32>,
        items: Vec<Vec<Inline>>,
    },
}

/// A piece of text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Strike(Vec<Inline>),
    /// `url` always starts with `http://` or `https://`.
    Link {
        url: String,
        label: Vec<Inline>,
    },
}

/// Parses a message's text.
pub fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').map(|line| line.strip_suffix('\r').unwrap_or(line)).collect();
    blocks(&lines, 0)
}

/// The text a reader sees, without the formatting (for notifications and previews).
pub fn plain_text(text: &str) -> String {
    fn inlines(out: &mut String, list: &[Inline]) {
        for inline in list {
            match inline {
                Inline::Text(text) | Inline::Code(text) => out.push_str(text),
                Inline::Strong(inner) | Inline::Emphasis(inner) | Inline::Strike(inner) => {
                    inlines(out, inner)
                }
                Inline::Link { label, .. } => inlines(out, label),
            }
        }
    }
    fn blocks(out: &mut String, list: &[Block]) {
        for block in list {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            match block {
                Block::Paragraph(inner) => inlines(out, inner),
                Block::Code { text, .. } => out.push_str(text),
                Block::Quote(inner) => blocks(out, inner),
                Block::List { items, .. } => {
                    for (at, item) in items.iter().enumerate() {
                        if at > 0 {
                            out.push('\n');
                        }
                        inlines(out, item);
                    }
                }
            }
        }
    }
    let mut out = String::new();
    blocks(&mut out, &parse(text));
    out
}

fn blocks(lines: &[&str], depth: u8) -> Vec<Block> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        if line.trim().is_empty() {
            at += 1;
        } else if let Some(info) = fence(line) {
            let language = language(info);
            let body = &lines[at + 1..];
            let end = body.iter().position(|line| fence(line).is_some_and(|info| info.trim().is_empty()));
            let code = &body[..end.unwrap_or(body.len())];
            out.push(Block::Code { language, text: code.join("\n") });
            // An unclosed fence runs to the end of the message.
            at += 1 + code.len() + usize::from(end.is_some());
        } else if depth < QUOTE_DEPTH && quoted(line).is_some() {
            let inner: Vec<&str> = lines[at..].iter().copied().map_while(quoted).collect();
            at += inner.len();
            out.push(Block::Quote(blocks(&inner, depth + 1)));
        } else if let Some((kind, start, _)) = list_item(line) {
            let mut items = Vec::new();
            while let Some((same, _, item)) = lines.get(at).and_then(|line| list_item(line)) {
                if same != kind {
                    break;
                }
                items.push(inlines(item, 0, true));
                at += 1;
            }
            out.push(Block::List { start, items });
        } else {
            let first = at;
            at += 1;
            while lines.get(at).is_some_and(|line| !line.trim().is_empty() && !starts_block(line, depth)) {
                at += 1;
            }
            out.push(Block::Paragraph(inlines(&lines[first..at].join("\n"), 0, true)));
        }
    }
    out
}

fn starts_block(line: &str, depth: u8) -> bool {
    fence(line).is_some() || (depth < QUOTE_DEPTH && quoted(line).is_some()) || list_item(line).is_some()
}

/// The info string after an opening ```.
fn fence(line: &str) -> Option<&str> {
    line.trim_start().strip_prefix("```")
}

fn language(info: &str) -> Option<String> {
    let word = info.split_whitespace().next()?;
    let fits = word.len() <= LANGUAGE_MAX
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'#' | b'.' | b'-'));
    fits.then(|| word.to_owned())
}

fn quoted(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('>')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Bullet,
    Numbered,
}

/// `- item`, `* item`, `+ item`, `1. item` or `1) item`: the kind, the number and the item's text.
fn list_item(line: &str) -> Option<(ListKind, Option<u32>, &str)> {
    let line = line.trim_start();
    for bullet in ["- ", "* ", "+ "] {
        if let Some(item) = line.strip_prefix(bullet) {
            return Some((ListKind::Bullet, None, item));
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &line[digits..];
    let item = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") "))?;
    // Nine digits at most, as in CommonMark: "2024. was a year" with more is a sentence.
    let number = (1..=9).contains(&digits).then(|| line[..digits].parse().ok()).flatten()?;
    Some((ListKind::Numbered, Some(number), item))
}

/// Inline delimiters that wrap text: `**`, `*`, `~~`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrap {
    Strong,
    Emphasis,
    Strike,
}

impl Wrap {
    const ALL: [Wrap; 3] = [Wrap::Strong, Wrap::Emphasis, Wrap::Strike];

    fn marker(self) -> &'static str {
        match self {
            Wrap::Strong => "**",
            Wrap::Emphasis => "*",
            Wrap::Strike => "~~",
        }
    }

    fn node(self, inner: Vec<Inline>) -> Inline {
        match self {
            Wrap::Strong => Inline::Strong(inner),
            Wrap::Emphasis => Inline::Emphasis(inner),
            Wrap::Strike => Inline::Strike(inner),
        }
    }
}

/// Where a search for a closing delimiter already failed in this text: a later opener of the same
/// kind would fail too, so it is not searched for again. This keeps hostile inputs (a thousand
/// unmatched `*`) linear instead of quadratic.
#[derive(Default)]
struct Unclosed {
    wraps: [Option<usize>; 3],
    link: Option<usize>,
    /// By the length of the backtick run (runs longer than this are never code).
    code: [Option<usize>; CODE_RUN_MAX],
}

const CODE_RUN_MAX: usize = 8;

impl Unclosed {
    fn known(slot: Option<usize>, at: usize) -> bool {
        slot.is_some_and(|failed| at >= failed)
    }
}

fn inlines(text: &str, depth: u8, links: bool) -> Vec<Inline> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut unclosed = Unclosed::default();
    let mut at = 0;
    let push = |out: &mut Vec<Inline>, plain: &mut String, node: Inline| {
        if !plain.is_empty() {
            out.push(Inline::Text(std::mem::take(plain)));
        }
        out.push(node);
    };
    while at < bytes.len() {
        let rest = &text[at..];
        match bytes[at] {
            b'\\' if bytes.get(at + 1).is_some_and(u8::is_ascii_punctuation) => {
                plain.push(char::from(bytes[at + 1]));
                at += 2;
                continue;
            }
            b'`' => {
                let run = rest.bytes().take_while(|&b| b == b'`').count();
                if run <= CODE_RUN_MAX && !Unclosed::known(unclosed.code[run - 1], at) {
                    match closing_backticks(&text[at + run..], run) {
                        Some(len) => {
                            let code = &text[at + run..at + run + len];
                            let code = match code.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                                Some(inner) if !inner.trim().is_empty() => inner,
                                _ => code,
                            };
                            push(&mut out, &mut plain, Inline::Code(code.to_owned()));
                            at += run + len + run;
                            continue;
                        }
                        None => unclosed.code[run - 1] = Some(at),
                    }
                }
                plain.push_str(&rest[..run]);
                at += run;
                continue;
            }
            b'*' | b'~' if depth < INLINE_DEPTH => {
                if let Some((wrap, inner, len)) = wrapped(text, at, &mut unclosed) {
                    let node = wrap.node(inlines(inner, depth + 1, links));
                    push(&mut out, &mut plain, node);
                    at += len;
                    continue;
                }
            }
            b'[' if links && depth < INLINE_DEPTH && !Unclosed::known(unclosed.link, at) => {
                match labelled_link(rest) {
                    Some((label, url, len)) => {
                        let node =
                            Inline::Link { url: url.to_owned(), label: inlines(label, depth + 1, false) };
                        push(&mut out, &mut plain, node);
                        at += len;
                        continue;
                    }
                    None if !rest.as_bytes().windows(2).any(|pair| pair == b"](") => unclosed.link = Some(at),
                    None => {}
                }
            }
            b'h' | b'H' if links && !text[..at].ends_with(|c: char| c.is_ascii_alphanumeric()) => {
                if let Some(len) = bare_url(rest) {
                    let url = &rest[..len];
                    push(
                        &mut out,
                        &mut plain,
                        Inline::Link { url: url.to_owned(), label: vec![Inline::Text(url.to_owned())] },
                    );
                    at += len;
                    continue;
                }
            }
            _ => {}
        }
        // Plain text up to the next byte that may start something.
        let first = rest.chars().next().map_or(1, char::len_utf8);
        let len =
            rest[first..].find(['\\', '`', '*', '~', '[', 'h', 'H']).map_or(rest.len(), |next| next + first);
        plain.push_str(&rest[..len]);
        at += len;
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

/// The length of the code up to a closing run of exactly `run` backticks.
fn closing_backticks(text: &str, run: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(found) = text[at..].find('`') {
        let start = at + found;
        let len = bytes[start..].iter().take_while(|&&b| b == b'`').count();
        if len == run {
            return Some(start);
        }
        at = start + len;
    }
    None
}

/// `**strong**`, `*emphasis*` or `~~strike~~` starting at `at`: the kind, the text inside and the
/// length including both markers. The text inside neither starts nor ends with a space, so
/// `2 * 3 * 4` stays arithmetic.
fn wrapped<'a>(text: &'a str, at: usize, unclosed: &mut Unclosed) -> Option<(Wrap, &'a str, usize)> {
    let rest = &text[at..];
    let wrap = Wrap::ALL.into_iter().find(|wrap| rest.starts_with(wrap.marker()))?;
    let slot = &mut unclosed.wraps[wrap as usize];
    if Unclosed::known(*slot, at) {
        return None;
    }
    let marker = wrap.marker();
    let inner_start = at + marker.len();
    if text[inner_start..].starts_with(char::is_whitespace) || text[inner_start..].is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut at_close = inner_start;
    while at_close < text.len() {
        match bytes[at_close] {
            b'\\' => at_close += 2,
            // Code spans inside are skipped: a marker in code closes nothing.
            b'`' => {
                let run = bytes[at_close..].iter().take_while(|&&b| b == b'`').count();
                at_close += run + closing_backticks(&text[at_close + run..], run).map_or(0, |len| len + run);
            }
            b if b == marker.as_bytes()[0] => {
                let run = bytes[at_close..].iter().take_while(|&&x| x == b).count();
                // The last markers of a run close (`***both***` is emphasis around strong); a
                // lone `*` beside another is part of a `**`, not a closer for emphasis.
                let closer = match wrap {
                    Wrap::Emphasis if run % 2 == 0 => None,
                    _ if run < marker.len() => None,
                    _ => Some(at_close + run - marker.len()),
                };
                if let Some(closer) = closer {
                    let inner = &text[inner_start..closer];
                    if !inner.is_empty() && !text[..at_close].ends_with(char::is_whitespace) {
                        return Some((wrap, inner, closer + marker.len() - at));
                    }
                }
                at_close += run;
            }
            _ => at_close += 1,
        }
    }
    *slot = Some(at);
    None
}

/// `[label](http://…)`: the label, the address and the length. Any other address leaves the
/// brackets as text.
fn labelled_link(text: &str) -> Option<(&str, &str, usize)> {
    let close = text.find(']')?;
    let label = &text[1..close];
    if label.is_empty() || label.contains('[') {
        return None;
    }
    let after = text[close + 1..].strip_prefix('(')?;
    // One level of parentheses inside the address (Wikipedia's `…_(language)`).
    let mut open = 0usize;
    let end = after.find(|c: char| {
        match c {
            '(' => open += 1,
            ')' if open == 0 => return true,
            ')' => open -= 1,
            _ => {}
        }
        c.is_whitespace() || c.is_control()
    })?;
    if !after[end..].starts_with(')') {
        return None;
    }
    let url = &after[..end];
    is_web_address(url).then_some((label, url, close + 1 + 1 + end + 1))
}

/// A bare `http(s)://…` address at the start of `text`: its length, without the punctuation that
/// ends a sentence around it.
fn bare_url(text: &str) -> Option<usize> {
    web_scheme(text)?;
    let mut len = text
        .find(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(text.len());
    // Counted once: trimming one `)` at a time must not recount the whole address.
    let (opening, mut closing) = (count(&text[..len], b'('), count(&text[..len], b')'));
    loop {
        let last = text[..len].chars().last()?;
        let unbalanced = last == ')' && opening < closing;
        if matches!(last, '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '~') || unbalanced {
            closing -= usize::from(last == ')');
            len -= last.len_utf8();
        } else {
            break;
        }
    }
    is_web_address(&text[..len]).then_some(len)
}

/// The length of `http://` or `https://` (any case) at the start of `text`.
fn web_scheme(text: &str) -> Option<usize> {
    let starts = |scheme: &[u8]| {
        text.as_bytes().get(..scheme.len()).is_some_and(|start| start.eq_ignore_ascii_case(scheme))
    };
    [&b"http://"[..], b"https://"].into_iter().find(|scheme| starts(scheme)).map(<[u8]>::len)
}

fn count(text: &str, byte: u8) -> usize {
    text.bytes().filter(|&b| b == byte).count()
}

/// An `http(s)` address with a host: the only kind a message may link to.
fn is_web_address(url: &str) -> bool {
    let Some(scheme) = web_scheme(url) else { return false };
    // A host: letters or digits (any script), or an IPv6 address.
    url[scheme..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '[' || !c.is_ascii())
        && !url.contains(|c: char| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    fn para(inlines: Vec<Inline>) -> Vec<Block> {
        vec![Block::Paragraph(inlines)]
    }

    fn link(url: &str, label: &str) -> Inline {
        Inline::Link { url: url.to_owned(), label: vec![text(label)] }
    }

    /// Every address anywhere in the tree.
    fn urls(blocks: &[Block]) -> Vec<String> {
        fn walk(out: &mut Vec<String>, list: &[Inline]) {
            for inline in list {
                match inline {
                    Inline::Link { url, label } => {
                        out.push(url.clone());
                        walk(out, label);
                    }
                    Inline::Strong(inner) | Inline::Emphasis(inner) | Inline::Strike(inner) => {
                        walk(out, inner)
                    }
                    Inline::Text(_) | Inline::Code(_) => {}
                }
            }
        }
        let mut out = Vec::new();
        for block in blocks {
            match block {
                Block::Paragraph(inner) => walk(&mut out, inner),
                Block::Quote(inner) => out.extend(urls(inner)),
                Block::List { items, .. } => items.iter().for_each(|item| walk(&mut out, item)),
                Block::Code { .. } => {}
            }
        }
        out
    }

    #[test]
    fn plain_text_is_one_paragraph_with_its_line_breaks() {
        assert_eq!(parse("hello\nworld"), para(vec![text("hello\nworld")]));
        assert_eq!(parse("a\n\nb").len(), 2);
        assert_eq!(parse("2 * 3 * 4 = 24"), para(vec![text("2 * 3 * 4 = 24")]));
    }

    #[test]
    fn bold_italic_strike_and_code_nest() {
        assert_eq!(
            parse("**bold *and italic* ~~gone~~** `x*y*`"),
            para(vec![
                Inline::Strong(vec![
                    text("bold "),
                    Inline::Emphasis(vec![text("and italic")]),
                    text(" "),
                    Inline::Strike(vec![text("gone")]),
                ]),
                text(" "),
                Inline::Code("x*y*".into()),
            ])
        );
        assert_eq!(
            parse("*a **b** c*"),
            para(vec![Inline::Emphasis(vec![text("a "), Inline::Strong(vec![text("b")]), text(" c")])])
        );
        assert_eq!(parse(r"\*not italic\*"), para(vec![text("*not italic*")]));
        assert_eq!(parse("``a ` b``"), para(vec![Inline::Code("a ` b".into())]));
    }

    #[test]
    fn fenced_code_keeps_its_text_and_a_safe_language() {
        assert_eq!(
            parse("look:\n```rust\nfn main() { **x** }\n\n<b>\n```\nafter"),
            vec![
                Block::Paragraph(vec![text("look:")]),
                Block::Code { language: Some("rust".into()), text: "fn main() { **x** }\n\n<b>".into() },
                Block::Paragraph(vec![text("after")]),
            ]
        );
        assert_eq!(
            parse("```\" onclick=\"x\ncode"),
            vec![Block::Code { language: None, text: "code".into() }]
        );
    }

    #[test]
    fn quotes_and_lists() {
        assert_eq!(
            parse("> quoted **text**\n>more\nreply"),
            vec![
                Block::Quote(vec![Block::Paragraph(vec![
                    text("quoted "),
                    Inline::Strong(vec![text("text")]),
                    text("\nmore")
                ])]),
                Block::Paragraph(vec![text("reply")]),
            ]
        );
        assert_eq!(
            parse("- one\n* two\n3. three\n4) four"),
            vec![
                Block::List { start: None, items: vec![vec![text("one")], vec![text("two")]] },
                Block::List { start: Some(3), items: vec![vec![text("three")], vec![text("four")]] },
            ]
        );
        assert_eq!(parse("2024. was a year").len(), 1);
    }

    #[test]
    fn links_are_web_addresses_only() {
        assert_eq!(
            parse("[docs](https://example.com/a_(b))"),
            para(vec![link("https://example.com/a_(b)", "docs")])
        );
        assert_eq!(
            parse("see https://example.com/x?y=1, then (http://e.org/p)."),
            para(vec![
                text("see "),
                link("https://example.com/x?y=1", "https://example.com/x?y=1"),
                text(", then ("),
                link("http://e.org/p", "http://e.org/p"),
                text(")."),
            ])
        );
        for hostile in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox(1))",
            "[x](//evil.example)",
            "[x](https:evil)",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "[x](java\nscript:alert(1))",
        ] {
            let parsed = parse(hostile);
            assert!(urls(&parsed).is_empty(), "{hostile:?} became a link: {parsed:?}");
            assert_eq!(
                plain_text(hostile).replace('\n', ""),
                hostile.replace('\n', ""),
                "{hostile:?} lost text"
            );
        }
        // An address ends where an attribute would begin.
        assert_eq!(
            urls(&parse("[x](https://ok.example\" onmouseover=\"alert(1))")),
            vec!["https://ok.example"]
        );
        // A label cannot hold another link.
        assert_eq!(urls(&parse("[https://a.example](https://b.example)")), vec!["https://b.example"]);
    }

    #[test]
    fn html_is_text() {
        for hostile in
            ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:x\">y</a>"]
        {
            assert_eq!(parse(hostile), para(vec![text(hostile)]));
        }
    }

    #[test]
    fn unmatched_and_deep_markup_keeps_every_character() {
        for hostile in [
            "*".repeat(2000),
            "**a".repeat(600),
            "*a ".repeat(600),
            "~~".repeat(1000),
            "[".repeat(2000),
            "[a](".repeat(400),
            "`".repeat(2000),
            "` a".repeat(600),
            ">".repeat(2000),
            "> ".repeat(1000),
            "\\".repeat(2000),
            "http://".repeat(280),
            format!("{}a{}", "*".repeat(1000), "*".repeat(1000)),
            format!("{}a{}", "[".repeat(1000), "](".repeat(50)),
            "- ".repeat(1000),
            "```\n".repeat(500),
        ] {
            let parsed = parse(&hostile);
            let shown: String = plain_text(&hostile).chars().filter(|c| !c.is_whitespace()).collect();
            let typed: String = hostile
                .chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '~' | '>' | '`' | '\\' | '-'))
                .collect();
            // Markers may be consumed as formatting; the text around them never is.
            let shown_text: String =
                shown.chars().filter(|c| !matches!(c, '*' | '~' | '>' | '`' | '\\' | '-')).collect();
            assert_eq!(shown_text, typed, "{:?}…", &hostile[..20]);
            assert!(!parsed.is_empty());
        }
    }

    #[test]
    fn plain_text_drops_the_formatting() {
        assert_eq!(plain_text("**hi** [there](https://x.example)\n> `q`"), "hi there\nq");
    }
}
