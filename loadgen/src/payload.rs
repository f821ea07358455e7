//! What a generated message carries: who sent it, its sequence number and when (microseconds
//! since the run started, on the generator's clock), padded to a fixed size.

use std::sync::LazyLock;

use crate::wire::{protocol::ServerFrame, views::MessageView};

/// What the app's message frame adds around a body, as the server encodes it, with room and user
/// names of the generator's lengths and an id and time of a running server's: the reference's
/// frames are padded by this much, so both deliver frames of one size.
pub static APP_FRAME_OVERHEAD: LazyLock<usize> = LazyLock::new(|| app_frame("").len());

fn app_frame(body: &str) -> String {
    let message = MessageView {
        id: 1_000_000,
        room: "app-room-0".into(),
        author: "app123".into(),
        body: body.into(),
        sent_at_ms: 1_700_000_000_000,
        ..MessageView::default()
    };
    ServerFrame::Message { message }.to_json()
}

pub fn encode(sender: usize, seq: u64, sent_us: u64, size: usize) -> String {
    let mut body = format!("lg:{sender}:{seq}:{sent_us}:");
    while body.len() < size {
        body.push('x');
    }
    body
}

/// (sender, seq, sent_us) from a body made by [`encode`], found anywhere in `text`.
pub fn decode(text: &str) -> Option<(usize, u64, u64)> {
    let start = text.find("lg:")?;
    let mut parts = text[start + 3..].splitn(4, ':');
    let sender = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    let sent = parts.next()?.parse().ok()?;
    Some((sender, seq, sent))
}

/// The id of the stored message an app frame carries (`None` for the reference's frames): the
/// generator checks each client receives its room's messages in id order.
pub fn message_id(text: &str) -> Option<i64> {
    let start = text.find(r#""message":{"id":"#)? + r#""message":{"id":"#.len();
    let digits = text[start..].split(|c: char| !c.is_ascii_digit()).next()?;
    digits.parse().ok()
}

/// The id an app's `ack` frame gives the sender's message (`None` for any other frame).
pub fn ack_id(text: &str) -> Option<i64> {
    let rest = text.strip_prefix(r#"{"type":"ack""#)?;
    let start = rest.find(r#""id":"#)? + r#""id":"#.len();
    rest[start..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Whether an app frame is a `changed` frame: a message's new state, not a delivery.
pub fn is_change(text: &str) -> bool {
    text.starts_with(r#"{"type":"changed""#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_inside_a_frame() {
        let body = encode(3, 42, 123_456, 64);
        assert_eq!(body.len(), 64);
        let frame = format!(r#"{{"type":"message","message":{{"body":"{body}"}}}}"#);
        assert_eq!(decode(&frame), Some((3, 42, 123_456)));
        assert_eq!(message_id(&frame), None);
        let app = app_frame(&body);
        assert_eq!(decode(&app), Some((3, 42, 123_456)));
        assert_eq!(message_id(&app), Some(1_000_000));
        assert_eq!(app.len(), body.len() + *APP_FRAME_OVERHEAD);
    }

    #[test]
    fn acks_and_changes_are_told_from_deliveries() {
        let ack = ServerFrame::Ack { nonce: "lg-1-2".into(), id: 77 }.to_json();
        assert_eq!(ack_id(&ack), Some(77));
        assert_eq!(ack_id(&app_frame("x")), None);
        let changed = ServerFrame::Changed { message: MessageView::default() }.to_json();
        assert!(is_change(&changed) && !is_change(&ack) && !is_change(&app_frame("x")));
    }
}
