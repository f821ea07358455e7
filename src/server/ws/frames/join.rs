//! `join`: receive a room and count as online in it, after a replay of what the tab missed.

use super::super::peer::{room_key, Peer};
use crate::{
    server::{
        chat::{ChatError, Replay, Standing},
        db::rooms::Room,
        hub::encode,
    },
    shared::protocol::ServerFrame,
};

impl Peer<'_> {
    pub(super) async fn join(&mut self, room: String, after: Option<i64>, changes: Option<i64>) {
        let room = match self.chat.enter(self.actor, &room).await {
            Ok(room) => room,
            Err(err) => return self.refuse(&err, "Could not join the room. Please try again.", None).await,
        };
        if self.rooms.contains_key(&room_key(&room.name)) {
            return;
        }
        let most = self.state.config.limits.rooms_per_connection;
        if self.rooms.len() >= most {
            return self.refuse(&ChatError::TooManyJoined { most }, "", None).await;
        }
        // Subscribe before replaying, so nothing falls between the two; the client drops the
        // few messages it may then see twice by id.
        self.state.hub.join(self.conn, &room.name, !room.private).await;
        // Removed from a private room between the check above and the subscription: the
        // eviction closed the sockets it found, and this one was not subscribed yet.
        if let Err(err) = self.chat.still_in(self.actor, &room).await {
            self.state.hub.leave(self.conn, &room.name, self.followed.contains(&room.name)).await;
            return self.refuse(&err, "Could not join the room. Please try again.", None).await;
        }
        // Past the replay limit the tab reloads the room, changes and all.
        let replayed = match after {
            Some(after) => self.replay(&room, after).await,
            None => true,
        };
        if let (true, Some(changes)) = (replayed, changes) {
            self.replay_changes(&room, changes, after).await;
        }
        self.rooms.insert(room_key(&room.name), room);
    }

    /// Sends the messages after `after`; false when the tab was told to reload instead.
    async fn replay(&self, room: &Standing, after: i64) -> bool {
        match self.chat.missed(self.actor, room, after).await {
            Ok(Replay::TooMany) => {
                self.resync(room).await;
                return false;
            }
            Ok(Replay::Messages(missed)) => {
                for message in missed {
                    self.conn.outbox.send(encode(&ServerFrame::Message { message })).await;
                }
            }
            Err(err) => tracing::error!(error = %err, "replaying missed messages failed"),
        }
        true
    }

    /// Sends the final state of the messages (up to `up_to`: later ones were just replayed as they
    /// are now) changed after change `after`.
    async fn replay_changes(&self, room: &Standing, after: i64, up_to: Option<i64>) {
        match self.chat.changes_missed(self.actor, room, after, up_to).await {
            Ok(None) => self.resync(room).await,
            Ok(Some(changed)) => {
                for message in changed {
                    self.conn.outbox.send(encode(&ServerFrame::Changed { message })).await;
                }
            }
            Err(err) => tracing::error!(error = %err, "replaying changed messages failed"),
        }
    }

    async fn resync(&self, room: &Room) {
        self.conn.outbox.send(encode(&ServerFrame::Resync { room: room.name.clone() })).await;
    }
}
