//! Addresses the app builds in both places.

/// Where to go after logging in. Only a path on this site is accepted, so a crafted link cannot
/// send a freshly logged-in user to another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines from addresses ("/\t/evil" becomes "//evil"), and a
        // header cannot hold them anyway: only plain visible ASCII is accepted.
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            path.to_owned()
        }
        _ => "/rooms".to_owned(),
    }
}

/// The page that asks before logging out (where the original app's log-out address leads).
pub const LOG_OUT: &str = "/logout";

pub fn room(name: &str) -> String {
    format!("/rooms/{}", encode_component(name))
}

/// A message's permanent address: its room's history around it.
pub fn message(room: &str, id: i64) -> String {
    format!("{}/messages/{id}", self::room(room))
}

/// Page `page` (counted from 0) of the room list filtered by `filter`; the address counts from 1.
pub fn rooms_page(filter: &str, page: u64) -> String {
    let mut address = format!("/rooms?page={}", page + 1);
    if !filter.trim().is_empty() {
        address.push_str("&q=");
        address.push_str(&encode_component(filter.trim()));
    }
    address
}

/// The room list, saying a room went away for the user (`/rooms?gone=left&room=…`).
pub fn room_gone(room: &str, why: super::protocol::Gone) -> String {
    format!("/rooms?gone={}&room={}", why.as_str(), encode_component(room))
}

/// The room list's "Open room" form, filled in with `name` (and "Private room" ticked).
pub fn open_room_form(name: &str, private: bool) -> String {
    let ticked = if private { "&private=true" } else { "" };
    format!("/rooms?name={}{ticked}", encode_component(name))
}

/// An invite link's address (its code is letters and digits: nothing to encode).
pub fn invite(code: &str) -> String {
    format!("/invite/{}", encode_component(code))
}

/// The room list, saying why an invite link let nobody in (`error`: one of our own errors as
/// JSON, as a refused form carries it).
pub fn invite_refused(error_json: &str) -> String {
    format!("/rooms?invite_refused={}", encode_component(error_json))
}

/// The account's settings page.
pub const SETTINGS: &str = "/settings";

/// The settings page, saying `what` was changed (`/settings?changed=password`).
pub fn settings_done(what: &str) -> String {
    format!("{SETTINGS}?changed={what}")
}

/// The settings page when its "Delete account" form was refused: the refusal shows there.
pub const SETTINGS_DELETING: &str = "/settings?form=delete";

/// Where someone whose account was just deleted lands: the home page, saying so.
pub const ACCOUNT_DELETED: &str = "/?account=deleted";

pub fn login_then(next: &str) -> String {
    format!("/login?next={}", encode_component(next))
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/rooms/general")), "/rooms/general");
        assert_eq!(safe_next(Some("https://evil.example")), "/rooms");
        assert_eq!(safe_next(Some("//evil.example")), "/rooms");
        assert_eq!(safe_next(Some("/\\evil.example")), "/rooms");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/rooms");
        assert_eq!(safe_next(Some("/rooms\nSet-Cookie: x")), "/rooms");
        assert_eq!(safe_next(None), "/rooms");
    }

    #[test]
    fn next_survives_a_round_trip_through_the_query() {
        assert_eq!(login_then("/rooms/a-b_c"), "/login?next=%2Frooms%2Fa-b_c");
    }
}
