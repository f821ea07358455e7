//! The one place the input rules live. The server enforces them on every write; the browser runs
//! the same functions only to tell the user early.

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
/// Argon2 happily hashes megabytes; a bound keeps a login form from becoming a CPU sink.
pub const PASSWORD_MAX: usize = 1024;
pub const ROOM_NAME_MAX: usize = 64;
pub const MESSAGE_MAX: usize = 2000;
/// A room's topic: one line under its name.
pub const TOPIC_MAX: usize = 200;

pub const NONCE_MAX: usize = 64;

/// Each variant's text is what the user reads, so it says what to do, not what went wrong inside.
/// The numbers in it come from the constants above.
/// Serialisable because a refused form carries its error back in the address: only these texts can
/// travel that way, never free text.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum InvalidInput {
    #[error("Username must be {min}–{max} characters: letters, digits, _ or -", min = USERNAME_MIN, max = USERNAME_MAX)]
    Username,
    #[error("Password must be at least {PASSWORD_MIN} characters", PASSWORD_MIN = PASSWORD_MIN)]
    PasswordTooShort,
    #[error("Password must be at most {PASSWORD_MAX} characters", PASSWORD_MAX = PASSWORD_MAX)]
    PasswordTooLong,
    #[error("Passwords do not match")]
    PasswordMismatch,
    #[error("Room names are 1–{max} characters: letters, digits, _ or -", max = ROOM_NAME_MAX)]
    RoomName,
    #[error("Messages are 1–{max} characters", max = MESSAGE_MAX)]
    MessageLength,
    /// The character found, named by its code point (U+XXXX) so the user can tell what was
    /// refused. (Not a named field: the browser would decode it with a visitor of its own.)
    #[error(
        "Messages cannot contain control characters or text-direction overrides (U+{code:04X} found)",
        code = u32::from(*.0)
    )]
    MessageCharacter(char),
    #[error("A message id (nonce) is 1–{max} visible ASCII characters", max = NONCE_MAX)]
    Nonce,
    /// See [`super::reactions::emoji`].
    #[error("A reaction is one emoji")]
    Reaction,
    // A topic is set by a plain form the server renders: the browser never meets these, and
    // leaving them out of its build keeps their texts out of the bundle.
    #[cfg(feature = "ssr")]
    #[error("A topic is at most {max} characters", max = TOPIC_MAX)]
    TopicLength,
    #[error(
        "A topic is one line, without control characters or text-direction overrides (U+{code:04X} found)",
        code = u32::from(*.0)
    )]
    #[cfg(feature = "ssr")]
    TopicCharacter(char),
    // Invite links are made by a plain form too.
    #[cfg(feature = "ssr")]
    #[error("An invite link lasts at most {max} days", max = super::invites::EXPIRY_HOURS_MOST / 24)]
    InviteExpiry,
    #[cfg(feature = "ssr")]
    #[error("An invite link can be used at most {max} times", max = super::invites::USES_MOST)]
    InviteUses,
    #[cfg(feature = "ssr")]
    #[error("A mute lasts from 1 minute to {max} days", max = super::moderation::MUTE_MINUTES_MOST / (24 * 60))]
    MuteLength,
    #[cfg(feature = "ssr")]
    #[error("Choose whether your messages stay or go")]
    MessagesChoice,
}

/// The sign-up form's hint under the username box.
pub fn username_hint() -> String {
    format!("{USERNAME_MIN}–{USERNAME_MAX} letters, digits, _ or -")
}

/// The sign-up form's hint under the password box.
pub fn password_hint() -> String {
    format!("At least {PASSWORD_MIN} characters")
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_name(s: &str, min: usize, max: usize) -> bool {
    // All allowed characters are ASCII, so byte length equals character count once checked.
    s.chars().all(is_name_char) && (min..=max).contains(&s.len())
}

pub fn username(name: &str) -> Result<&str, InvalidInput> {
    let name = name.trim();
    if is_name(name, USERNAME_MIN, USERNAME_MAX) {
        Ok(name)
    } else {
        Err(InvalidInput::Username)
    }
}

/// The key under which a username is unique: "Alice" and "alice" are the same person.
pub fn username_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

pub fn password(password: &str) -> Result<&str, InvalidInput> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN {
        Err(InvalidInput::PasswordTooShort)
    } else if chars > PASSWORD_MAX {
        Err(InvalidInput::PasswordTooLong)
    } else {
        Ok(password)
    }
}

pub fn new_password<'a>(password_: &'a str, confirm: &str) -> Result<&'a str, InvalidInput> {
    let password_ = password(password_)?;
    if password_ != confirm {
        return Err(InvalidInput::PasswordMismatch);
    }
    Ok(password_)
}

pub fn room_name(name: &str) -> Result<&str, InvalidInput> {
    let name = name.trim();
    if is_name(name, 1, ROOM_NAME_MAX) {
        Ok(name)
    } else {
        Err(InvalidInput::RoomName)
    }
}

/// Characters no message may hold: control characters other than newline and tab (C0, DEL and
/// C1: a NUL, a terminal escape), and the bidirectional overrides and isolates, which make text
/// read otherwise than it is stored ("abc\u{202E}gnp.exe" shows as "abcexe.png").
pub fn is_refused_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Returns the body as it will be stored: trimmed, so that "  hi  " and "hi" are the same message.
/// A line break typed as CR LF (pasted from elsewhere) counts as the newline it is.
pub fn message_body(body: &str) -> Result<&str, InvalidInput> {
    let body = body.trim();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        let line_break = c == '\r' && chars.peek() == Some(&'\n');
        if is_refused_char(c) && !line_break {
            return Err(InvalidInput::MessageCharacter(c));
        }
    }
    let chars = body.chars().count();
    if (1..=MESSAGE_MAX).contains(&chars) {
        Ok(body)
    } else {
        Err(InvalidInput::MessageLength)
    }
}

/// A room's topic as it will be stored: trimmed, one line, at most TOPIC_MAX characters; empty
/// clears it.
#[cfg(feature = "ssr")]
pub fn topic(text: &str) -> Result<&str, InvalidInput> {
    let text = text.trim();
    if let Some(c) = text.chars().find(|&c| c.is_control() || is_refused_char(c)) {
        return Err(InvalidInput::TopicCharacter(c));
    }
    if text.chars().count() > TOPIC_MAX {
        return Err(InvalidInput::TopicLength);
    }
    Ok(text)
}

/// An invite link's lifetime in hours (0: it never expires) and how many people may use it (0:
/// any number), as they will be stored.
#[cfg(feature = "ssr")]
pub fn invite_limits(expires_hours: u32, max_uses: u32) -> Result<(Option<u32>, Option<u32>), InvalidInput> {
    use super::invites::{EXPIRY_HOURS_MOST, USES_MOST};
    if expires_hours > EXPIRY_HOURS_MOST {
        return Err(InvalidInput::InviteExpiry);
    }
    if max_uses > USES_MOST {
        return Err(InvalidInput::InviteUses);
    }
    Ok(((expires_hours > 0).then_some(expires_hours), (max_uses > 0).then_some(max_uses)))
}

/// How long a mute lasts, in minutes.
#[cfg(feature = "ssr")]
pub fn mute_minutes(minutes: u32) -> Result<u32, InvalidInput> {
    match (1..=super::moderation::MUTE_MINUTES_MOST).contains(&minutes) {
        true => Ok(minutes),
        false => Err(InvalidInput::MuteLength),
    }
}

/// The client's id for a message: short, printable, so it can be stored and echoed as is.
pub fn nonce(nonce: &str) -> Result<&str, InvalidInput> {
    if (1..=NONCE_MAX).contains(&nonce.len()) && nonce.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(nonce)
    } else {
        Err(InvalidInput::Nonce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_rules() {
        assert_eq!(username("alice"), Ok("alice"));
        assert_eq!(username("  a_b-9  "), Ok("a_b-9"));
        assert_eq!(username("ab"), Err(InvalidInput::Username));
        assert_eq!(username(&"a".repeat(32)).map(str::len), Ok(32));
        assert_eq!(username(&"a".repeat(33)), Err(InvalidInput::Username));
        assert_eq!(username("al ice"), Err(InvalidInput::Username));
        assert_eq!(username("<script>"), Err(InvalidInput::Username));
        assert_eq!(username("ålice"), Err(InvalidInput::Username));
        assert_eq!(username_key(" Alice "), "alice");
    }

    #[test]
    fn passwords_follow_the_rules() {
        assert_eq!(password("1234567"), Err(InvalidInput::PasswordTooShort));
        assert_eq!(password("12345678"), Ok("12345678"));
        // Length counts characters, not bytes.
        assert_eq!(password("ééééééé"), Err(InvalidInput::PasswordTooShort));
        assert_eq!(password(&"x".repeat(1025)), Err(InvalidInput::PasswordTooLong));
        assert_eq!(new_password("correct horse", "correct horse"), Ok("correct horse"));
        assert_eq!(new_password("correct horse", "correct hose"), Err(InvalidInput::PasswordMismatch));
        assert_eq!(InvalidInput::PasswordMismatch.to_string(), "Passwords do not match");
        assert_eq!(InvalidInput::PasswordTooShort.to_string(), "Password must be at least 8 characters");
        assert_eq!(
            InvalidInput::Username.to_string(),
            "Username must be 3–32 characters: letters, digits, _ or -"
        );
    }

    #[test]
    fn room_names_follow_the_rules() {
        assert_eq!(room_name("general"), Ok("general"));
        assert_eq!(room_name("a"), Ok("a"));
        assert_eq!(room_name(""), Err(InvalidInput::RoomName));
        assert_eq!(room_name("   "), Err(InvalidInput::RoomName));
        assert_eq!(room_name("two words"), Err(InvalidInput::RoomName));
        assert_eq!(room_name("../etc"), Err(InvalidInput::RoomName));
        assert_eq!(room_name(&"r".repeat(64)).map(str::len), Ok(64));
        assert_eq!(room_name(&"r".repeat(65)), Err(InvalidInput::RoomName));
    }

    #[test]
    fn message_bodies_are_trimmed_and_bounded() {
        assert_eq!(message_body("  hello \n"), Ok("hello"));
        assert_eq!(message_body(" \n\t "), Err(InvalidInput::MessageLength));
        assert_eq!(message_body(&"x".repeat(2000)).map(str::len), Ok(2000));
        assert_eq!(message_body(&"x".repeat(2001)), Err(InvalidInput::MessageLength));
        // 2000 multi-byte characters are still 2000 characters.
        assert!(message_body(&"é".repeat(2000)).is_ok());
        assert_eq!(message_body("<b>hi</b>"), Ok("<b>hi</b>"));
    }

    #[test]
    fn message_bodies_refuse_control_characters_and_direction_overrides() {
        let refused = |found: char| Err(InvalidInput::MessageCharacter(found));
        assert_eq!(message_body("a\u{0}b"), refused('\u{0}'));
        assert_eq!(message_body("bell\u{7}"), refused('\u{7}'));
        assert_eq!(message_body("esc\u{1b}[2J"), refused('\u{1b}'));
        assert_eq!(message_body("c1\u{85}inside"), refused('\u{85}'));
        assert_eq!(message_body("abc\u{202E}gnp.exe"), refused('\u{202E}'));
        assert_eq!(message_body("x\u{2067}y"), refused('\u{2067}'));
        assert_eq!(
            InvalidInput::MessageCharacter('\u{202E}').to_string(),
            "Messages cannot contain control characters or text-direction overrides (U+202E found)"
        );
        // Lines, tabs, emoji joined with zero-width joiners and right-to-left scripts are text.
        assert_eq!(message_body("one\ntwo\tthree"), Ok("one\ntwo\tthree"));
        assert_eq!(message_body("windows\r\nline"), Ok("windows\r\nline"));
        assert!(message_body("👩\u{200D}💻 שלום مرحبا").is_ok());
    }

    #[test]
    fn nonces_are_short_and_printable() {
        assert_eq!(nonce("5f0c1e"), Ok("5f0c1e"));
        assert_eq!(nonce(""), Err(InvalidInput::Nonce));
        assert_eq!(nonce("a b"), Err(InvalidInput::Nonce));
        assert_eq!(nonce(&"n".repeat(65)), Err(InvalidInput::Nonce));
    }
}
