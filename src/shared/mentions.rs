//! Mentions: "@name" in a message's text names that user. Names are ASCII letters, digits, `_`
//! and `-` (`validate::username`), so a mention is `@` and a whole name, in any ASCII case, not
//! inside another word or address ("bob@example.com" mentions nobody). The server resolves the
//! names to accounts when a message is sent or edited (`MessageView::mentions`); this file only
//! reads text.

use super::validate::{USERNAME_MAX, USERNAME_MIN};

/// One message names at most this many people; further "@names" stay text.
pub const MENTIONS_MAX: usize = 20;

/// How many people "@" offers at once in the message box.
pub const SUGGESTIONS_MAX: u64 = 8;

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Where each "@name" of `body` is, as (byte offset of the name, its length): an "@" at the
/// start of a word and the name characters after it, however many.
fn spans(body: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let text = body.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || loop {
        let sign = at + text.get(at..)?.iter().position(|&b| b == b'@')?;
        let start = sign + 1;
        let len = text[start..].iter().take_while(|&&b| is_name_byte(b)).count();
        at = start + len;
        if sign == 0 || !is_name_byte(text[sign - 1]) {
            return Some((start, len));
        }
    })
}

/// The names `body` mentions, each once (ignoring case), in the order written, at most
/// [`MENTIONS_MAX`].
pub fn names(body: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    // Name bytes are ASCII: the slices are on character boundaries.
    let valid = spans(body).filter(|(_, len)| (USERNAME_MIN..=USERNAME_MAX).contains(len));
    for name in valid.map(|(start, len)| &body[start..start + len]) {
        if !found.iter().any(|known| known.eq_ignore_ascii_case(name)) {
            found.push(name);
            if found.len() == MENTIONS_MAX {
                break;
            }
        }
    }
    found
}

/// `body` with each mention named as `now_named` says: the name a person has now, for a name
/// as written (`None` leaves it as it is). In one pass, so that names which moved between people
/// (bob renamed robert, then alice renamed bob) each end where they belong.
pub fn renamed<'a>(body: &str, now_named: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut copied = 0;
    for (start, len) in spans(body) {
        if let Some(now) = now_named(&body[start..start + len]) {
            out.push_str(&body[copied..start]);
            out.push_str(now);
            copied = start + len;
        }
    }
    out.push_str(&body[copied..]);
    out
}

/// The mention being typed just before `cursor` (a byte offset into `text`): the byte offset of
/// its "@" and the part of the name typed so far (possibly nothing). `None` when the cursor is
/// not right after "@" and name characters, at the start of a word.
pub fn typing_at(text: &str, cursor: usize) -> Option<(usize, &str)> {
    let before = text.get(..cursor)?.as_bytes();
    let len = before.iter().rev().take_while(|&&b| is_name_byte(b)).count();
    let sign = before.len().checked_sub(len + 1)?;
    let word_start = sign == 0 || !is_name_byte(before[sign - 1]);
    (before[sign] == b'@' && word_start && len <= USERNAME_MAX).then(|| (sign, &text[sign + 1..cursor]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mention_is_at_and_a_whole_name() {
        assert_eq!(names("@alice hi"), ["alice"]);
        assert_eq!(names("hi @Alice! and (@bob), @alice again"), ["Alice", "bob"]);
        assert_eq!(names("line one\n@carol, line two"), ["carol"]);
        assert_eq!(names("@alice_2 @ali-ce"), ["alice_2", "ali-ce"]);
        assert!(names("mail alice@example.com").is_empty(), "an address");
        assert!(names("alice, @, @@, @ab").is_empty(), "no @, nothing after it, too short");
        assert!(names(&format!("@{}", "a".repeat(USERNAME_MAX + 1))).is_empty(), "too long");
        assert_eq!(names("é@alice @bob"), ["alice", "bob"], "non-ASCII before is not a name");
    }

    #[test]
    fn a_message_names_a_bounded_number_of_people() {
        let body: String = (0..MENTIONS_MAX + 5).map(|n| format!("@user{n:03} ")).collect();
        assert_eq!(names(&body).len(), MENTIONS_MAX);
    }

    #[test]
    fn a_renamed_person_is_named_as_they_are_now() {
        let bob_is_robert = |name: &str| name.eq_ignore_ascii_case("bob").then_some("robert");
        assert_eq!(
            renamed("hi @Bob and @bob, not bob or @bobby", bob_is_robert),
            "hi @robert and @robert, not bob or @bobby"
        );
        assert_eq!(renamed("é @bob é", bob_is_robert), "é @robert é");
        assert_eq!(renamed("x@bob", bob_is_robert), "x@bob", "inside a word");
        // Bob became robert, then alice took the name bob.
        let moved = |name: &str| match name {
            "alice" => Some("bob"),
            "bob" => Some("robert"),
            _ => None,
        };
        assert_eq!(renamed("@alice @bob", moved), "@bob @robert");
    }

    #[test]
    fn the_mention_being_typed_is_found_before_the_cursor() {
        assert_eq!(typing_at("@", 1), Some((0, "")));
        assert_eq!(typing_at("hi @bo", 6), Some((3, "bo")));
        assert_eq!(typing_at("hi @bo there", 6), Some((3, "bo")), "the cursor in the middle of the text");
        assert_eq!(typing_at("é @bo", 6), Some((3, "bo")), "offsets in bytes");
        assert_eq!(typing_at("hi @bo there", 12), None, "a word later");
        assert_eq!(typing_at("mail bob@ex", 11), None, "inside an address");
        assert_eq!(typing_at("hi bob", 6), None);
        assert_eq!(typing_at("", 0), None);
        assert_eq!(typing_at("@bo", 9), None, "a cursor past the end");
    }
}
