//! `join`: receive a room and count as online in it, after a replay of what the tab missed.

use super::super::peer::{room_key, Peer};
use crate::{
    server::{
        chat::{ChatError, Replay},
        db::rooms::Room,
        hub::encode,
    },
    shared::protocol::ServerFrame,
};

impl Peer<'_> {
    pub(super) async fn join(&mut self, room: String, after: Option<i64>) {
        let room = match self.chat.room(self.actor, &room).await {
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
        self.state.hub.join(self.conn, &room.name).await;
        if let Some(after) = after {
            self.replay(&room, after).await;
        }
        self.rooms.insert(room_key(&room.name), room);
    }

    async fn replay(&self, room: &Room, after: i64) {
        match self.chat.missed(self.actor, room, after).await {
            Ok(Replay::TooMany) => {
                let frame = ServerFrame::Resync { room: room.name.clone() };
                self.conn.outbox.send(encode(&frame)).await;
            }
            Ok(Replay::Messages(missed)) => {
                for message in missed {
                    self.conn.outbox.send(encode(&ServerFrame::Message { message })).await;
                }
            }
            Err(err) => tracing::error!(error = %err, "replaying missed messages failed"),
        }
    }
}
