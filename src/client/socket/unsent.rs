//! Messages typed on a page that went before they could be sent (offline, say, and then off to
//! another room) wait in the tab's session storage for its next socket. Only a socket of the
//! same user takes them: nothing one person typed is ever posted as another.

use serde::{Deserialize, Serialize};

use super::wants::Unacked;

const KEY: &str = "mini-discord:unsent";

#[derive(Serialize, Deserialize)]
struct Unsent {
    user: String,
    /// (nonce, the `send` frame as JSON), in the order they were typed.
    frames: Vec<Unacked>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Called as the page goes, with what it could not send. Added to what already waits for the
/// same user (by nonce, once each); what waits for another is replaced.
pub fn keep(user: &str, frames: Vec<Unacked>) {
    let Some(storage) = storage() else { return };
    if frames.is_empty() || user.is_empty() {
        return;
    }
    let mut waiting = take(user);
    for frame in frames {
        if !waiting.iter().any(|(nonce, _)| *nonce == frame.0) {
            waiting.push(frame);
        }
    }
    if let Ok(json) = serde_json::to_string(&Unsent { user: user.to_owned(), frames: waiting }) {
        let _ = storage.set_item(KEY, &json);
    }
}

/// What waits for `user`, removed from storage; what waits for anyone else is dropped.
pub fn take(user: &str) -> Vec<Unacked> {
    let Some(storage) = storage() else { return Vec::new() };
    let stored = storage.get_item(KEY).ok().flatten();
    let _ = storage.remove_item(KEY);
    stored
        .and_then(|json| serde_json::from_str::<Unsent>(&json).ok())
        .filter(|unsent| unsent.user == user)
        .map(|unsent| unsent.frames)
        .unwrap_or_default()
}
