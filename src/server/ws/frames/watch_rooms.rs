//! `watch_rooms` / `unwatch_rooms`: live online counts of every room (the room list).

use super::super::peer::Peer;

impl Peer<'_> {
    pub(super) async fn watch_rooms(&self) {
        let chat = self.chat;
        self.state.hub.watch_rooms(self.conn, |names| async move { chat.public_rooms(names).await }).await;
    }

    pub(super) fn unwatch_rooms(&self) {
        self.state.hub.unwatch_rooms(self.conn);
    }
}
