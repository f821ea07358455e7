//! What the server tells the browser about users, rooms and messages: never a password hash,
//! never an internal row.

use serde::{Deserialize, Serialize};

/// A message as every reader sees it. `id` is the room's total order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub room: String,
    pub author: String,
    /// Empty once deleted.
    pub body: String,
    /// Milliseconds since the Unix epoch, UTC; the browser shows it in local time.
    pub sent_at_ms: i64,
    /// Which state of the message this is: the id of its latest change (edit, deletion), 0 for
    /// one never changed. Of two states of a message, a reader keeps the higher version. Left out
    /// of frames while 0 (most messages), as are the flags below while false.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: i64,
    /// Its text was edited: "(edited)" offers the earlier versions.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub edited: bool,
    /// Deleted by its author or a moderator: shown as "Message deleted".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// Pinned to its room: listed under "Pinned messages".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pinned: bool,
    /// Its reactions, each emoji once, in the order they were first given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// The message it answers, quoted (`shared::replies`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyQuote>,
    /// The people it mentions, by their names now (the text's "@name" says the same, however
    /// the name changed since).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
}

/// What a reply shows of the message it answers: its author and the start of its text, as of
/// the original's state `version`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyQuote {
    pub id: i64,
    pub author: String,
    /// Empty once the original is deleted.
    pub excerpt: String,
    /// The original was deleted ("Original message deleted").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: i64,
}

/// One emoji under a message, and who gave it (in the order they did).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub users: Vec<String>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// One text an edited message had, and since when (its sending, or the edit that wrote it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageVersion {
    pub body: String,
    pub written_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub username: String,
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub name: String,
    pub online: u32,
    /// How far the reader has read here; `None` for rooms they never opened.
    pub read: Option<ReadState>,
}

impl RoomSummary {
    /// What a room's entry in a list shows (its name, online and unread counts, and whether the
    /// unread ones are counted): the key its row is drawn again by when any of it changes. One key
    /// for every list, so they share its code.
    pub fn shown(&self) -> (String, u32, Option<(u32, u32, NotifyLevel)>) {
        (self.name.clone(), self.online, self.read.map(|read| (read.unread, read.mentions, read.notify)))
    }
}

/// One reader's place in one room, as stored on the server (so every device agrees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReadState {
    /// Every message up to this id is read.
    pub last_read: i64,
    /// Messages by others after `last_read`, counted up to 100 ("99+").
    pub unread: u32,
    /// The room's newest message id when this was counted (the count covers messages up to it):
    /// a live message newer than this is news for the count, an older one was counted already.
    pub newest: i64,
    /// Of those unread messages, how many mention the reader (up to 100, "99+").
    #[serde(default)]
    pub mentions: u32,
    /// What the reader is told about this room.
    #[serde(default)]
    pub notify: NotifyLevel,
}

/// What a user is told about one of their rooms, chosen in its header and kept on the server
/// (every device follows it): a notification for every message and a count of them, or for
/// mentions only, or for nothing (both with only a dot for unread messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NotifyLevel {
    #[default]
    All,
    Mentions,
    Nothing,
}

impl NotifyLevel {
    pub const EVERY: [NotifyLevel; 3] = [NotifyLevel::All, NotifyLevel::Mentions, NotifyLevel::Nothing];

    /// Its number, on the wire and in the database.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The level numbered `number`; anything unknown is the default.
    pub fn from_number(number: u8) -> Self {
        Self::EVERY.get(usize::from(number)).copied().unwrap_or_default()
    }

    /// Its name in the room header's choice.
    pub fn label(self) -> &'static str {
        match self {
            NotifyLevel::All => "All messages",
            NotifyLevel::Mentions => "Mentions",
            NotifyLevel::Nothing => "Nothing",
        }
    }

    /// Whether a new message in the room, which mentions the reader or not, is worth a
    /// notification.
    pub fn notifies(self, mentioned: bool) -> bool {
        match self {
            NotifyLevel::All => true,
            NotifyLevel::Mentions => mentioned,
            NotifyLevel::Nothing => false,
        }
    }
}

// As a number: a derived enum would cost the browser a decoder of names (and an `i64` one, which
// ids need anyway, rather than one of its own).
impl Serialize for NotifyLevel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(i64::from(self.number()))
    }
}

impl<'de> Deserialize<'de> for NotifyLevel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer)
            .map(|number| Self::from_number(u8::try_from(number).unwrap_or_default()))
    }
}

impl ReadState {
    /// Where counting stops: "99+".
    pub const CAP: u32 = 100;

    /// "3", or "99+" at the cap.
    pub fn badge(&self) -> String {
        Self::capped(self.unread)
    }

    /// Whether the unread messages are counted ("3"), or only shown to be there (a dot).
    pub fn counted(&self) -> bool {
        self.notify == NotifyLevel::All
    }

    /// The mention count, as [`Self::badge`] shows the unread one.
    pub fn mention_badge(&self) -> String {
        Self::capped(self.mentions)
    }

    fn capped(n: u32) -> String {
        if n >= Self::CAP {
            "99+".to_owned()
        } else {
            n.to_string()
        }
    }
}

/// Everything the room page renders on first load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomPageData {
    pub name: String,
    pub me: String,
    pub history: Vec<MessageView>,
    /// Whether older messages exist than the first of `history`.
    pub has_older: bool,
    /// Whether newer messages exist than the last of `history`: the page was opened at a linked
    /// message further back than the latest page.
    pub has_newer: bool,
    /// The linked message, shown highlighted in `history`.
    pub linked: Option<i64>,
    /// The page was opened at a link to a message the room does not have (deleted, or never
    /// there): `history` is the room's latest page instead.
    pub linked_missing: bool,
    pub online: Vec<String>,
    /// Every change to a message up to this one is shown in `history` (read before it): a
    /// reconnecting tab asks for the changes after it.
    pub changes_seen: i64,
    /// The reader may delete others' messages here (an administrator).
    pub moderator: bool,
}

/// Rooms a user can open, and who is asking (their own messages never count as unread).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomDirectory {
    pub me: String,
    pub rooms: Vec<RoomSummary>,
    /// Which rooms these are: a page of the room list, or (`None`) the rooms the user opened.
    pub query: Option<RoomQuery>,
    /// Whether the list goes on past this page.
    pub has_more: bool,
}

/// A page of the room list: names containing `filter` (ignoring case), alphabetical, page
/// `page` counted from 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomQuery {
    pub filter: String,
    pub page: u64,
}

impl RoomQuery {
    /// Whether a room called `name` would be listed under this filter. Names are ASCII, so ASCII
    /// case is all there is to ignore (and the browser carries no Unicode case tables for it).
    pub fn matches(&self, name: &str) -> bool {
        name.to_ascii_lowercase().contains(&self.filter.trim().to_ascii_lowercase())
    }
}

/// One page of history, read back (older) or forward (newer, from a linked message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub messages: Vec<MessageView>,
    /// More messages lie beyond this page, in the direction it was read.
    pub has_more: bool,
}

/// One page of an admin list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPage<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub has_more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRoom {
    pub name: String,
    pub messages: u64,
    pub online: u32,
}
