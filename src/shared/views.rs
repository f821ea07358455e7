//! What the server tells the browser about users, rooms and messages: never a password hash,
//! never an internal row.

use serde::{Deserialize, Serialize};

/// A message as every reader sees it. `id` is the room's total order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub room: String,
    pub author: String,
    pub body: String,
    /// Milliseconds since the Unix epoch, UTC; the browser shows it in local time.
    pub sent_at_ms: i64,
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

/// One reader's place in one room, as stored on the server (so every device agrees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReadState {
    /// Every message up to this id is read.
    pub last_read: i64,
    /// Messages by others after `last_read`, counted up to 100 ("99+").
    pub unread: u32,
    /// The room's newest message id when this was counted: a live message newer than this is
    /// news for the count, an older one was counted already.
    pub newest: i64,
}

impl ReadState {
    /// Counts a live message in, unless it was counted already or is the reader's own.
    pub fn count(&mut self, id: i64, mine: bool) {
        if id <= self.newest {
            return;
        }
        self.newest = id;
        if mine {
            // Writing in a room means having read it up to there.
            self.last_read = id;
            self.unread = 0;
        } else if id > self.last_read {
            self.unread = (self.unread + 1).min(Self::CAP);
        }
    }

    /// A newer marker from the server (this or another device read further).
    pub fn advance(&mut self, to: ReadState) {
        if to.last_read >= self.last_read {
            self.last_read = to.last_read;
            self.unread = to.unread;
        }
        self.newest = self.newest.max(to.newest);
    }

    pub const CAP: u32 = 100;

    /// "3", or "99+" at the cap.
    pub fn badge(&self) -> String {
        if self.unread >= Self::CAP { "99+".to_owned() } else { self.unread.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_messages_count_once_and_ones_own_clear_the_count() {
        let mut state = ReadState { last_read: 10, unread: 2, newest: 12 };
        state.count(12, false);
        assert_eq!(state.unread, 2, "already counted by the server");
        state.count(13, false);
        state.count(13, false);
        assert_eq!(state.unread, 3, "a new message counts once");
        state.count(14, true);
        assert_eq!((state.unread, state.last_read), (0, 14));
        state.advance(ReadState { last_read: 12, unread: 2, newest: 13 });
        assert_eq!((state.unread, state.last_read, state.newest), (0, 14, 14), "an older marker changes nothing");
        let mut busy = ReadState { last_read: 0, unread: 99, newest: 99 };
        busy.count(100, false);
        busy.count(101, false);
        assert_eq!(busy.badge(), "99+");
    }
}
