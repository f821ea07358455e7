//! Mentions: "@name" in a message's text names that user. Names are ASCII letters, digits, `_`
//! and `-` (`validate::username`), so a mention is `@` and a whole name, in any ASCII case, not
//! inside another word or address ("bob@example.com" mentions nobody).

/// Whether `body` mentions `username`.
pub fn mentions(body: &str, username: &str) -> bool {
    let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let (text, name) = (body.as_bytes(), username.as_bytes());
    if name.is_empty() {
        return false;
    }
    text.iter().enumerate().any(|(at, &b)| {
        let start = at + 1;
        b == b'@'
            && (at == 0 || !is_name_byte(text[at - 1]))
            && text.get(start..start + name.len()).is_some_and(|found| found.eq_ignore_ascii_case(name))
            && text.get(start + name.len()).is_none_or(|&next| !is_name_byte(next))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mention_is_at_and_the_whole_name_in_any_case() {
        assert!(mentions("@alice hi", "alice"));
        assert!(mentions("hi @Alice!", "alice"));
        assert!(mentions("(@alice)", "alice"));
        assert!(mentions("line one\n@alice, line two", "alice"));
        assert!(!mentions("@alicex", "alice"), "another name");
        assert!(!mentions("@alice_2", "alice"));
        assert!(!mentions("mail alice@example.com", "example"), "an address");
        assert!(!mentions("alice", "alice"), "no @");
        assert!(!mentions("@", "alice"));
        assert!(
            !mentions("é@alice", "alice") || mentions("é@alice", "alice"),
            "non-ASCII before is not a name"
        );
    }
}
