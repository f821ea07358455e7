//! `read`: the user has read a joined room up to a message.

use super::super::peer::{room_key, Peer};

impl Peer<'_> {
    pub(super) async fn read(&self, room: String, id: i64) {
        let Some(room) = self.rooms.get(&room_key(&room)) else {
            return self.reply_error("Join the room before marking it read", None).await;
        };
        if let Err(err) = self.chat.mark_read(self.actor, room, id).await {
            self.refuse(&err, "Could not save how far you have read", None).await;
        }
    }
}
