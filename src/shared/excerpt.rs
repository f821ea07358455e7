//! The start of a message's text, where a message is named rather than shown: a reply's quote of
//! its original, an entry of the pinned list.

/// How much of a message an excerpt keeps.
pub const EXCERPT_CHARS: usize = 100;

/// `body` on one line (runs of spaces and line breaks as one space), cut after
/// [`EXCERPT_CHARS`] characters with "…".
pub fn excerpt(body: &str) -> String {
    let mut out = String::new();
    for (at, word) in body.split_whitespace().enumerate() {
        if at > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() > EXCERPT_CHARS {
            break;
        }
    }
    match out.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => {
            out.truncate(cut);
            out.truncate(out.trim_end().len());
            out.push('…');
            out
        }
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_one_line_cut_after_its_length() {
        assert_eq!(excerpt("hello\n\n  world"), "hello world");
        let long = "é".repeat(EXCERPT_CHARS + 5);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(&"a".repeat(EXCERPT_CHARS)), "a".repeat(EXCERPT_CHARS), "exactly full: whole");
        assert_eq!(excerpt(""), "");
    }
}
