//! The WebSocket wire format, defined once for both ends. Frames are JSON objects tagged by
//! `type`; docs/protocol.md describes them for people.

use serde::{Deserialize, Serialize};

#[cfg(test)]
use super::views::{Reaction, ReplyQuote};
use super::{
    tag_first::tag_first_enum,
    views::{MessageView, NotifyLevel, ReadState},
};

/// Close code: the connection fell behind (or flooded) and should reconnect and catch up.
pub const CLOSE_TOO_SLOW: u16 = 4000;
/// Close code: the session behind the socket ended; reconnecting cannot succeed.
pub const CLOSE_SIGNED_OUT: u16 = 4001;
/// Close code: the account already has as many sockets open as it may (other tabs, devices);
/// reconnecting succeeds once one of them closes.
pub const CLOSE_TOO_MANY_SOCKETS: u16 = 4002;

/// Why a room went away for someone (`room_gone`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gone {
    /// An administrator deleted it, for everyone.
    Deleted,
    /// The user left it.
    Left,
    /// Its owner or a moderator removed the user.
    Removed,
    /// Its owner or a moderator banned the user: they cannot come back until unbanned.
    Banned,
}

impl Gone {
    /// As the room list's address carries it (`/rooms?gone=…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Gone::Deleted => "deleted",
            Gone::Left => "left",
            Gone::Removed => "removed",
            Gone::Banned => "banned",
        }
    }
}

/// What a browser tab sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Start receiving a room's messages and presence, and count as online in it. With `after`,
    /// the server first replays the room's messages newer than that id (what this tab missed);
    /// with `changes`, the final state of its older messages changed since that change id.
    Join {
        room: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        changes: Option<i64>,
    },
    /// Stop receiving a room; the user leaves its online list once no other tab holds it.
    Leave {
        room: String,
    },
    /// Post a message. `nonce` is chosen by the client and echoed in the `ack` or `error`. With
    /// `reply_to`, it answers that message of the room (and shows a quote of it).
    Send {
        room: String,
        nonce: String,
        body: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<i64>,
    },
    /// The user is typing in a room. Browsers repeat it every few seconds while typing; the
    /// server passes on at most one every two seconds per connection.
    Typing {
        room: String,
    },
    /// Receive live online counts for every room (the room list page).
    WatchRooms,
    UnwatchRooms,
    /// Receive these rooms' messages without joining them (no presence, no replay): what a room
    /// list needs to keep its unread counts live. One frame for all of a user's rooms, so a
    /// reconnect costs one frame however many rooms they have.
    Follow {
        rooms: Vec<String>,
    },
    Unfollow {
        rooms: Vec<String>,
    },
    /// The user has read a joined room up to message `id`: moves their read marker forward.
    Read {
        room: String,
        id: i64,
    },
    /// Replace the text of one's own message `id`; everyone in the room gets it as `changed`.
    Edit {
        room: String,
        id: i64,
        body: String,
    },
    /// Delete message `id` (one's own; a moderator's, any): it becomes "Message deleted".
    Delete {
        room: String,
        id: i64,
    },
    /// Add one's reaction `emoji` (one emoji) to message `id`; everyone gets it as `changed`.
    React {
        room: String,
        id: i64,
        emoji: String,
    },
    /// Take back one's reaction `emoji` to message `id`.
    Unreact {
        room: String,
        id: i64,
        emoji: String,
    },
    /// Pin message `id` to its room; everyone gets it as `changed`.
    Pin {
        room: String,
        id: i64,
    },
    Unpin {
        room: String,
        id: i64,
    },
    /// What the user is told about a joined room from now on, on every device: `notify` 0 every
    /// message, 1 mentions only, 2 nothing. Every connection of the user gets the room's `read`.
    Notify {
        room: String,
        notify: NotifyLevel,
    },
    /// Who "@`prefix`" may mention in a joined room: answered with `mention_suggestions`.
    SuggestMentions {
        room: String,
        prefix: String,
    },
}

tag_first_enum! {
    /// What the server sends. Decoded tag first (see [`super::tag_first`]): the browser's bundle
    /// is smaller for it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ServerFrame {
        /// First frame on every connection: the socket is open and authenticated as `username`.
        "ready" => Ready { username: String },
        /// A stored message, in id order within its room.
        "message" => Message { message: MessageView },
        /// A stored message changed (edited, deleted, reacted to): its new state, which replaces any state of
        /// it with a lower `version`.
        "changed" => Changed { message: MessageView },
        /// The message the sender posted with `nonce` was stored as `id`.
        "ack" => Ack { nonce: String, id: i64 },
        /// Everyone online in a room now (one entry per user, however many tabs), sent to a tab when
        /// it joins; `arrived` and `departed` keep it current.
        "presence" => Presence { room: String, users: Vec<String> },
        /// Someone came online in a room (their first tab there).
        "arrived" => Arrived { room: String, user: String },
        /// Someone went offline in a room (their last tab there closed or left).
        "departed" => Departed { room: String, user: String },
        /// Someone is typing in a room: show it for a few seconds, or until their message arrives.
        "typing" => Typing { room: String, user: String },
        /// A room's online count changed (sent to room-list watchers).
        "room_activity" => RoomActivity { room: String, online: u32 },
        /// The tab missed more of the room than a replay carries: it should reload the room.
        "resync" => Resync { room: String },
        /// Several instances: this tab may have missed messages since `after` (the shared bus was
        /// down). Sent just before the socket closes with 4000: the tab rejoins its rooms from there,
        /// and asks for changes after `changes` at most.
        "rewind" => Rewind {
            after: i64,
            #[serde(default)]
            changes: i64,
        },
        /// The user's read marker in a room moved, or its notification level changed (on this
        /// device or another): sent to each of the user's connections.
        "read" => Read { room: String, read: ReadState },
        /// The people of a room whose names start with the `prefix` asked for (ignoring case),
        /// alphabetical, at most eight: the answer to `suggest_mentions`.
        "mention_suggestions" => MentionSuggestions { room: String, names: Vec<String> },
        /// An administrator removed a message from the history (the admin screen).
        "message_deleted" => MessageDeleted { room: String, id: i64 },
        /// A room is gone for this user: deleted by an administrator, left (in another tab), or
        /// they were removed from it. Its pages go back to the room list, which drops it; for
        /// `left` and `removed` the socket then closes with 4000, and the tab reconnects to its
        /// other rooms.
        "room_gone" => RoomGone { room: String, why: Gone },
        /// The session behind this socket ended (log-out elsewhere, account disabled); the socket
        /// closes after this frame.
        "signed_out" => SignedOut { reason: String },
        /// A frame was refused; the connection stays open. `nonce` names the refused `send`.
        "error" => Error {
            message: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            nonce: Option<String>,
        },
    }
}

impl ServerFrame {
    pub fn to_json(&self) -> String {
        // Serialising these plain enums cannot fail: no maps with non-string keys, no floats.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> MessageView {
        MessageView {
            id: 7,
            room: "general".into(),
            author: "alice".into(),
            body: "hi \"there\"".into(),
            sent_at_ms: 1,
            ..MessageView::default()
        }
    }

    /// One of every client frame. The match below has no wildcard: a new frame type does not
    /// compile until it is added here too (and so round-tripped and documented).
    fn every_client_frame() -> Vec<ClientFrame> {
        let frames = vec![
            ClientFrame::Join { room: "general".into(), after: Some(3), changes: Some(2) },
            ClientFrame::Join { room: "general".into(), after: None, changes: None },
            ClientFrame::Leave { room: "general".into() },
            ClientFrame::Send {
                room: "general".into(),
                nonce: "n1".into(),
                body: "hi".into(),
                reply_to: None,
            },
            ClientFrame::Send {
                room: "general".into(),
                nonce: "n2".into(),
                body: "re".into(),
                reply_to: Some(7),
            },
            ClientFrame::Typing { room: "general".into() },
            ClientFrame::WatchRooms,
            ClientFrame::UnwatchRooms,
            ClientFrame::Follow { rooms: vec!["a".into(), "b".into()] },
            ClientFrame::Unfollow { rooms: vec!["a".into()] },
            ClientFrame::Read { room: "general".into(), id: 9 },
            ClientFrame::Edit { room: "general".into(), id: 9, body: "fixed".into() },
            ClientFrame::Delete { room: "general".into(), id: 9 },
            ClientFrame::React { room: "general".into(), id: 9, emoji: "👍".into() },
            ClientFrame::Unreact { room: "general".into(), id: 9, emoji: "👍".into() },
            ClientFrame::Pin { room: "general".into(), id: 9 },
            ClientFrame::Unpin { room: "general".into(), id: 9 },
            ClientFrame::SuggestMentions { room: "general".into(), prefix: "bo".into() },
            ClientFrame::Notify { room: "general".into(), notify: NotifyLevel::Mentions },
        ];
        for frame in &frames {
            match frame {
                ClientFrame::Join { .. }
                | ClientFrame::Leave { .. }
                | ClientFrame::Send { .. }
                | ClientFrame::Typing { .. }
                | ClientFrame::WatchRooms
                | ClientFrame::UnwatchRooms
                | ClientFrame::Follow { .. }
                | ClientFrame::Unfollow { .. }
                | ClientFrame::Read { .. }
                | ClientFrame::Edit { .. }
                | ClientFrame::Delete { .. }
                | ClientFrame::React { .. }
                | ClientFrame::Unreact { .. }
                | ClientFrame::Pin { .. }
                | ClientFrame::Unpin { .. }
                | ClientFrame::SuggestMentions { .. }
                | ClientFrame::Notify { .. } => {}
            }
        }
        frames
    }

    /// One of every server frame; as above, the match keeps the list complete.
    fn every_server_frame() -> Vec<ServerFrame> {
        let read = ReadState { last_read: 3, unread: 2, newest: 5, mentions: 1, ..ReadState::default() };
        let frames = vec![
            ServerFrame::Ready { username: "alice".into() },
            ServerFrame::Message { message: message() },
            ServerFrame::Message {
                message: MessageView {
                    reply: Some(ReplyQuote {
                        id: 3,
                        author: "bob".into(),
                        excerpt: "the start".into(),
                        deleted: false,
                        version: 4,
                    }),
                    ..message()
                },
            },
            ServerFrame::Changed {
                message: MessageView {
                    version: 12,
                    edited: true,
                    deleted: true,
                    pinned: true,
                    reactions: vec![Reaction { emoji: "👍".into(), users: vec!["bob".into()] }],
                    mentions: vec!["carol".into()],
                    ..message()
                },
            },
            ServerFrame::Ack { nonce: "n1".into(), id: 7 },
            ServerFrame::Presence { room: "general".into(), users: vec!["alice".into(), "bob".into()] },
            ServerFrame::Arrived { room: "general".into(), user: "bob".into() },
            ServerFrame::Departed { room: "general".into(), user: "bob".into() },
            ServerFrame::Typing { room: "general".into(), user: "bob".into() },
            ServerFrame::RoomActivity { room: "general".into(), online: 2 },
            ServerFrame::Resync { room: "general".into() },
            ServerFrame::Rewind { after: 41, changes: 7 },
            ServerFrame::Read { room: "general".into(), read },
            ServerFrame::MessageDeleted { room: "general".into(), id: 7 },
            ServerFrame::RoomGone { room: "general".into(), why: Gone::Deleted },
            ServerFrame::RoomGone { room: "general".into(), why: Gone::Removed },
            ServerFrame::RoomGone { room: "general".into(), why: Gone::Banned },
            ServerFrame::MentionSuggestions { room: "general".into(), names: vec!["bob".into()] },
            ServerFrame::SignedOut { reason: "You logged out".into() },
            ServerFrame::Error { message: "nope".into(), nonce: Some("n1".into()) },
            ServerFrame::Error { message: "nope".into(), nonce: None },
        ];
        for frame in &frames {
            match frame {
                ServerFrame::Ready { .. }
                | ServerFrame::Message { .. }
                | ServerFrame::Changed { .. }
                | ServerFrame::Ack { .. }
                | ServerFrame::Presence { .. }
                | ServerFrame::Arrived { .. }
                | ServerFrame::Departed { .. }
                | ServerFrame::Typing { .. }
                | ServerFrame::RoomActivity { .. }
                | ServerFrame::Resync { .. }
                | ServerFrame::Rewind { .. }
                | ServerFrame::Read { .. }
                | ServerFrame::MessageDeleted { .. }
                | ServerFrame::RoomGone { .. }
                | ServerFrame::MentionSuggestions { .. }
                | ServerFrame::SignedOut { .. }
                | ServerFrame::Error { .. } => {}
            }
        }
        frames
    }

    /// The `type` a frame travels under.
    fn tag(json: &str) -> String {
        let value: serde_json::Value = serde_json::from_str(json).expect("a frame is JSON");
        value["type"].as_str().expect("a frame has a type").to_owned()
    }

    #[test]
    fn every_frame_round_trips_and_is_documented() {
        let documented = include_str!("../../docs/protocol.md");
        for frame in every_client_frame() {
            let json = serde_json::to_string(&frame).expect("encodes");
            assert_eq!(serde_json::from_str::<ClientFrame>(&json).ok(), Some(frame), "{json}");
            assert!(
                documented.contains(&format!("`{}`", tag(&json))),
                "docs/protocol.md lacks `{}`",
                tag(&json)
            );
        }
        for frame in every_server_frame() {
            let json = frame.to_json();
            assert_eq!(serde_json::from_str::<ServerFrame>(&json).ok(), Some(frame), "{json}");
            assert!(
                documented.contains(&format!("`{}`", tag(&json))),
                "docs/protocol.md lacks `{}`",
                tag(&json)
            );
        }
    }

    #[test]
    fn frames_use_the_documented_json_shape() {
        let frame: ClientFrame =
            serde_json::from_str(r#"{"type":"send","room":"general","nonce":"n1","body":"hi"}"#)
                .expect("a documented frame parses");
        assert_eq!(
            frame,
            ClientFrame::Send {
                room: "general".into(),
                nonce: "n1".into(),
                body: "hi".into(),
                reply_to: None
            }
        );
        // A message never changed travels as it always did: the message path carries no more.
        let plain = ServerFrame::Message {
            message: MessageView {
                id: 1,
                room: "r".into(),
                author: "a".into(),
                body: "b".into(),
                sent_at_ms: 2,
                ..MessageView::default()
            },
        };
        assert_eq!(
            plain.to_json(),
            r#"{"type":"message","message":{"id":1,"room":"r","author":"a","body":"b","sent_at_ms":2}}"#
        );
        let err = ServerFrame::Error { message: "nope".into(), nonce: None };
        assert_eq!(err.to_json(), r#"{"type":"error","message":"nope"}"#);
        assert_eq!(
            serde_json::from_str::<ClientFrame>(r#"{"type":"watch_rooms"}"#).ok(),
            Some(ClientFrame::WatchRooms)
        );
    }

    #[test]
    fn unknown_frames_are_rejected() {
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"drop_tables"}"#).is_err());
        assert!(serde_json::from_str::<ServerFrame>(r#"{"type":"drop_tables"}"#).is_err());
    }

    #[test]
    fn server_frames_decode_tag_first_and_skip_what_they_do_not_know() {
        let frame = serde_json::from_str::<ServerFrame>(r#"{"type":"ack","nonce":"n1","later":[1],"id":7}"#);
        assert_eq!(
            frame.ok(),
            Some(ServerFrame::Ack { nonce: "n1".into(), id: 7 }),
            "an added field is ignored"
        );
        let late_tag = serde_json::from_str::<ServerFrame>(r#"{"nonce":"n1","id":7,"type":"ack"}"#);
        assert!(late_tag.is_err(), "the tag must come first");
        let missing = serde_json::from_str::<ServerFrame>(r#"{"type":"ack","nonce":"n1"}"#);
        assert!(missing.is_err(), "a field it needs is missing");
        let defaulted = serde_json::from_str::<ServerFrame>(r#"{"type":"rewind","after":3}"#);
        assert_eq!(defaulted.ok(), Some(ServerFrame::Rewind { after: 3, changes: 0 }));
    }
}
