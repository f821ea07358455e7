//! `leave`: stop receiving a room; the user leaves its online list once no other tab holds it.

use super::super::peer::Peer;

impl Peer<'_> {
    pub(super) async fn leave(&mut self, room: String) {
        if self.rooms.remove(&room).is_some() {
            self.state.hub.leave(self.conn, &room, self.followed.contains(&room)).await;
        }
    }
}
