//! `leave`: stop receiving a room; the user leaves its online list once no other tab holds it.

use super::super::peer::{room_key, Peer};

impl Peer<'_> {
    pub(super) async fn leave(&mut self, room: String) {
        if let Some(room) = self.rooms.remove(&room_key(&room)) {
            self.state.hub.leave(self.conn, &room.name, self.followed.contains(&room.name)).await;
        }
    }
}
