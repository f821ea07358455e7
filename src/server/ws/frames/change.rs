//! `edit`, `delete`, `react`, `unreact`, `pin` and `unpin`: change a stored message. The change reaches the room (this tab too) as a
//! `changed` frame; a refusal comes back as an `error` and changes nothing.

use super::super::peer::{room_key, Peer};
use crate::server::chat::{ChatError, Standing};

impl Peer<'_> {
    pub(super) async fn edit(&self, room: String, id: i64, body: String) {
        let edited = match self.room_named(&room).await {
            Ok(room) => self.chat.edit(self.actor, &room, id, &body).await,
            Err(err) => Err(err),
        };
        if let Err(err) = edited {
            self.refuse(&err, "Could not save your edit. Please try again.", None).await;
        }
    }

    pub(super) async fn delete(&self, room: String, id: i64) {
        let deleted = match self.room_named(&room).await {
            Ok(room) => self.chat.retract(self.actor, &room, id).await,
            Err(err) => Err(err),
        };
        if let Err(err) = deleted {
            self.refuse(&err, "Could not delete the message. Please try again.", None).await;
        }
    }

    pub(super) async fn react(&self, room: String, id: i64, emoji: String, on: bool) {
        let reacted = match self.room_named(&room).await {
            Ok(room) => self.chat.react(self.actor, &room, id, &emoji, on).await,
            Err(err) => Err(err),
        };
        if let Err(err) = reacted {
            self.refuse(&err, "Could not save your reaction. Please try again.", None).await;
        }
    }

    pub(super) async fn pin(&self, room: String, id: i64, on: bool) {
        let pinned = match self.room_named(&room).await {
            Ok(room) => self.chat.pin(self.actor, &room, id, on).await,
            Err(err) => Err(err),
        };
        if let Err(err) = pinned {
            self.refuse(&err, "Could not pin the message. Please try again.", None).await;
        }
    }

    /// A joined room, or one the actor may read.
    async fn room_named(&self, name: &str) -> Result<Standing, ChatError> {
        match self.rooms.get(&room_key(name)) {
            Some(room) => Ok(room.clone()),
            None => self.chat.room(self.actor, name).await,
        }
    }
}
