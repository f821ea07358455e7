//! `typing`: tell a room's members someone is typing.

use std::time::Instant;

use super::super::peer::{room_key, Peer};
use crate::shared::timings::TYPING_RELAY_EVERY;

impl Peer<'_> {
    /// Only in a joined room, and more often than TYPING_RELAY_EVERY is dropped, not refused: more
    /// says nothing new.
    pub(super) async fn typing(&mut self, room: String) {
        let Some(room) = self.rooms.get(&room_key(&room)) else { return };
        if self.last_typing.is_some_and(|at| at.elapsed() < TYPING_RELAY_EVERY) {
            return;
        }
        if self.chat.typing(self.actor, room).await.is_ok() {
            self.last_typing = Some(Instant::now());
        }
    }
}
