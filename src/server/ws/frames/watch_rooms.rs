//! `watch_rooms` / `unwatch_rooms`: live online counts of every room (the room list).

use super::super::peer::Peer;

impl Peer<'_> {
    pub(super) async fn watch_rooms(&self) {
        self.state.hub.watch_rooms(self.conn).await;
    }

    pub(super) fn unwatch_rooms(&self) {
        self.state.hub.unwatch_rooms(self.conn);
    }
}
