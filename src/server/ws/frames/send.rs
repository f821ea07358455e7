//! `send`: post a message. The writer acknowledges it on this socket before publishing it.

use super::super::peer::{room_key, Peer};

impl Peer<'_> {
    pub(super) async fn send(&mut self, room: String, nonce: String, body: String, reply_to: Option<i64>) {
        // Usually a joined room; not always: a message typed on a room's page that went before it
        // could be sent is posted by the tab's next page, which may show another room.
        let looked_up;
        let room = match self.rooms.get(&room_key(&room)) {
            Some(room) => room,
            None => match self.chat.room(self.actor, &room).await {
                Ok(room) => {
                    looked_up = room;
                    &looked_up
                }
                Err(err) => {
                    return self
                        .refuse(&err, "Could not post the message. Please try again.", Some(nonce))
                        .await
                }
            },
        };
        match self.chat.post(self.actor, room, &body, &nonce, reply_to, Some(&self.conn.outbox)).await {
            // A stored message ends the typing it came from: the next keystroke is news again.
            Ok(_) => self.last_typing = None,
            Err(err) => self.reply_error(&err.to_string(), Some(nonce)).await,
        }
    }
}
