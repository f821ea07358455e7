//! `read`: the user has read a joined room up to a message; `notify`: what they are told about it.

use super::super::peer::{room_key, Peer};
use crate::shared::views::NotifyLevel;

impl Peer<'_> {
    pub(super) async fn read(&self, room: String, id: i64) {
        let Some(room) = self.rooms.get(&room_key(&room)) else {
            return self.reply_error("Join the room before marking it read", None).await;
        };
        if let Err(err) = self.chat.mark_read(self.actor, room, id).await {
            self.refuse(&err, "Could not save how far you have read", None).await;
        }
    }

    pub(super) async fn notify(&self, room: String, notify: NotifyLevel) {
        let Some(room) = self.rooms.get(&room_key(&room)) else {
            return self.reply_error("Join the room before choosing its notifications", None).await;
        };
        if let Err(err) = self.chat.set_notify(self.actor, room, notify).await {
            self.refuse(&err, "Could not save the room's notifications", None).await;
        }
    }
}
