//! What the tab wants from the server, kept so a reconnect can ask for it again: the rooms it
//! joined (with the last message id seen in each), whether it watches the room list, the rooms it
//! follows, read markers not yet sent, and messages not yet acknowledged. Plain Rust with no
//! browser in it: the socket applies it, and its rules are unit-tested natively.

use std::collections::{BTreeMap, BTreeSet};

use crate::shared::protocol::{ClientFrame, ServerFrame};

/// A message sent and not yet acknowledged: its nonce, and its `send` frame as JSON.
pub type Unacked = (String, String);

/// Where the tab stands in a joined room.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Joined {
    /// The newest message id seen (`None`: it wants no replay of messages).
    last_seen: Option<i64>,
    /// The newest change id seen (`None`: it wants no replay of changes).
    changes: Option<i64>,
}

#[derive(Debug, Default)]
pub struct Wants {
    /// Joined rooms and how far the tab has come in each.
    rooms: BTreeMap<String, Joined>,
    /// How many parts of the page watch the room list.
    watchers: usize,
    /// Rooms whose messages the tab follows without joining (for unread counts).
    followed: BTreeSet<String>,
    /// Per joined room, the newest id the reader has seen and the newest sent as read.
    reads: BTreeMap<String, (i64, i64)>,
    /// Messages not yet acknowledged, in the order they were sent. Sent again on every
    /// reconnect: the server stores a nonce once, so a message whose ack was lost with the old
    /// connection is neither lost nor doubled.
    unacked: Vec<Unacked>,
}

impl Wants {
    /// Joins a room (again); returns the message id and the change id to replay after: the
    /// furthest seen so far.
    pub fn join(
        &mut self,
        room: &str,
        last_seen: Option<i64>,
        changes: Option<i64>,
    ) -> (Option<i64>, Option<i64>) {
        let entry = self.rooms.entry(room.to_owned()).or_default();
        entry.last_seen = entry.last_seen.max(last_seen);
        entry.changes = entry.changes.max(changes);
        (entry.last_seen, entry.changes)
    }

    /// Leaves a room; returns what was read there and not yet said, which must go out before
    /// the leave (the server only takes markers for joined rooms).
    pub fn leave(&mut self, room: &str) -> Option<i64> {
        self.rooms.remove(room);
        match self.reads.remove(room) {
            Some((seen, sent)) if seen > sent => Some(seen),
            _ => None,
        }
    }

    pub fn watch(&mut self) {
        self.watchers += 1;
    }

    /// One watcher fewer; whether none is left (then the server can stop sending counts).
    pub fn unwatch(&mut self) -> bool {
        self.watchers = self.watchers.saturating_sub(1);
        self.watchers == 0
    }

    /// Follows rooms; returns those not followed before (only they need asking for).
    pub fn follow(&mut self, rooms: Vec<String>) -> Vec<String> {
        rooms.into_iter().filter(|room| self.followed.insert(room.clone())).collect()
    }

    /// The reader has seen a joined room up to `id`; false if the room is not joined.
    pub fn saw(&mut self, room: &str, id: i64) -> bool {
        if !self.rooms.contains_key(room) {
            return false;
        }
        let entry = self.reads.entry(room.to_owned()).or_insert((-1, -1));
        entry.0 = entry.0.max(id);
        true
    }

    /// Each joined room's newest id read and not yet sent, now counted as sent.
    pub fn take_due_reads(&mut self) -> Vec<(String, i64)> {
        self.reads
            .iter_mut()
            .filter(|(_, (seen, sent))| seen > sent)
            .map(|(room, (seen, sent))| {
                *sent = *seen;
                (room.clone(), *seen)
            })
            .collect()
    }

    /// A message is on its way: kept until acknowledged.
    pub fn sending(&mut self, nonce: &str, frame: String) {
        self.unacked.push((nonce.to_owned(), frame));
    }

    /// The `send` frame of a message still waiting for its ack.
    pub fn unacked_frame(&self, nonce: &str) -> Option<&str> {
        self.unacked.iter().find(|(pending, _)| pending == nonce).map(|(_, frame)| frame.as_str())
    }

    /// Every `send` frame still waiting, in the order they were typed.
    pub fn unacked_frames(&self) -> impl Iterator<Item = &str> {
        self.unacked.iter().map(|(_, frame)| frame.as_str())
    }

    /// Hands what waits to whoever keeps it next (the tab's next page); nothing waits here after.
    pub fn take_unacked(&mut self) -> Vec<Unacked> {
        std::mem::take(&mut self.unacked)
    }

    /// What an earlier page of the tab could not send, to go before anything typed here.
    pub fn restore_unacked(&mut self, unacked: Vec<Unacked>) {
        self.unacked = unacked;
    }

    /// Nothing of the user stays in the tab (signed out, or someone else logged in).
    pub fn drop_unacked(&mut self) {
        self.unacked.clear();
    }

    /// The page is going: it wants nothing any more.
    pub fn forget_subscriptions(&mut self) {
        self.rooms.clear();
        self.watchers = 0;
        self.followed.clear();
        self.reads.clear();
    }

    /// Keeps track of what a frame from the server says about what the tab has.
    pub fn observe(&mut self, frame: &ServerFrame) {
        match frame {
            ServerFrame::Message { message } => {
                if let Some(joined) = self.rooms.get_mut(&message.room) {
                    joined.last_seen = joined.last_seen.max(Some(message.id));
                }
            }
            ServerFrame::Changed { message } => {
                if let Some(joined) = self.rooms.get_mut(&message.room) {
                    joined.changes = joined.changes.max(Some(message.version));
                }
            }
            ServerFrame::Rewind { after, changes } => {
                // Messages after `after` (changes after `changes`) may be missing here even if
                // later ones arrived: the rejoin that follows the close replays from there
                // (repeats are dropped by id and version).
                for joined in self.rooms.values_mut() {
                    joined.last_seen = joined.last_seen.map(|last| last.min(*after));
                    joined.changes = joined.changes.map(|seen| seen.min(*changes));
                }
            }
            ServerFrame::Ack { nonce, .. } | ServerFrame::Error { nonce: Some(nonce), .. } => {
                self.unacked.retain(|(pending, _)| pending != nonce);
            }
            // Gone for this user: the reconnect that follows must not ask for it again.
            ServerFrame::RoomGone { room, .. } => {
                self.rooms.remove(room);
                self.followed.remove(room);
                self.reads.remove(room);
            }
            _ => {}
        }
    }

    /// What a new connection asks for first: the rooms again (each from the last id seen), the
    /// room list, the followed rooms in one frame, and the read markers (one sent on the old
    /// connection may never have arrived; the server keeps the furthest, so again is harmless).
    /// Messages wait for `ready`, which says whose connection it is.
    pub fn on_connect(&self) -> Vec<ClientFrame> {
        let mut frames: Vec<ClientFrame> = self
            .rooms
            .iter()
            .map(|(room, joined)| ClientFrame::Join {
                room: room.clone(),
                after: joined.last_seen,
                changes: joined.changes,
            })
            .collect();
        if self.watchers > 0 {
            frames.push(ClientFrame::WatchRooms);
        }
        if !self.followed.is_empty() {
            frames.push(ClientFrame::Follow { rooms: self.followed.iter().cloned().collect() });
        }
        frames.extend(
            self.reads
                .iter()
                .filter(|(room, (seen, _))| *seen >= 0 && self.rooms.contains_key(*room))
                .map(|(room, (seen, _))| ClientFrame::Read { room: room.clone(), id: *seen }),
        );
        frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::views::MessageView;

    fn message(room: &str, id: i64) -> ServerFrame {
        ServerFrame::Message {
            message: MessageView {
                id,
                room: room.into(),
                author: "bob".into(),
                body: "hi".into(),
                sent_at_ms: 0,
                ..MessageView::default()
            },
        }
    }

    fn changed(room: &str, id: i64, version: i64) -> ServerFrame {
        ServerFrame::Changed {
            message: MessageView { id, room: room.into(), version, edited: true, ..MessageView::default() },
        }
    }

    #[test]
    fn a_reconnect_rejoins_each_room_after_the_last_message_seen() {
        let mut wants = Wants::default();
        assert_eq!(wants.join("general", Some(4), Some(30)), (Some(4), Some(30)));
        wants.observe(&message("general", 9));
        wants.observe(&message("elsewhere", 50));
        wants.observe(&changed("general", 3, 41));
        wants.observe(&changed("general", 2, 35));
        assert_eq!(
            wants.join("general", Some(2), Some(1)),
            (Some(9), Some(41)),
            "joining again never goes back"
        );
        wants.watch();
        wants.follow(vec!["games".into()]);
        assert_eq!(
            wants.on_connect(),
            vec![
                ClientFrame::Join { room: "general".into(), after: Some(9), changes: Some(41) },
                ClientFrame::WatchRooms,
                ClientFrame::Follow { rooms: vec!["games".into()] },
            ]
        );
    }

    #[test]
    fn a_rewind_replays_from_before_what_may_be_missing() {
        let mut wants = Wants::default();
        wants.join("general", Some(20), Some(8));
        wants.join("games", Some(3), Some(2));
        wants.observe(&ServerFrame::Rewind { after: 10, changes: 5 });
        let joins = wants.on_connect();
        assert!(joins.contains(&ClientFrame::Join {
            room: "general".into(),
            after: Some(10),
            changes: Some(5)
        }));
        assert!(joins.contains(&ClientFrame::Join {
            room: "games".into(),
            after: Some(3),
            changes: Some(2)
        }));
    }

    #[test]
    fn a_message_waits_until_its_own_ack_or_refusal() {
        let mut wants = Wants::default();
        wants.sending("n1", "one".into());
        wants.sending("n2", "two".into());
        wants.sending("n3", "three".into());
        wants.observe(&ServerFrame::Ack { nonce: "n2".into(), id: 7 });
        wants.observe(&ServerFrame::Error { message: "too long".into(), nonce: Some("n3".into()) });
        assert_eq!(wants.unacked_frames().collect::<Vec<_>>(), vec!["one"]);
        assert_eq!(wants.unacked_frame("n1"), Some("one"));
        assert_eq!(wants.take_unacked(), vec![("n1".to_owned(), "one".to_owned())]);
        assert_eq!(wants.unacked_frames().count(), 0);
    }

    #[test]
    fn read_markers_go_out_once_and_only_for_joined_rooms() {
        let mut wants = Wants::default();
        assert!(!wants.saw("general", 5), "not joined");
        wants.join("general", None, None);
        assert!(wants.saw("general", 5));
        assert!(wants.saw("general", 3));
        assert_eq!(wants.take_due_reads(), vec![("general".to_owned(), 5)]);
        assert_eq!(wants.take_due_reads(), vec![]);
        assert!(wants.on_connect().contains(&ClientFrame::Read { room: "general".into(), id: 5 }));
        wants.saw("general", 8);
        assert_eq!(wants.leave("general"), Some(8), "what was read goes out before the leave");
        assert!(wants.on_connect().is_empty());
    }

    #[test]
    fn watchers_and_follows_are_counted_once() {
        let mut wants = Wants::default();
        wants.watch();
        wants.watch();
        assert!(!wants.unwatch());
        assert!(wants.unwatch());
        assert_eq!(wants.follow(vec!["a".into(), "b".into()]), vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(wants.follow(vec!["b".into(), "c".into()]), vec!["c".to_owned()]);
    }
}
