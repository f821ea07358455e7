//! `suggest_mentions`: who "@" offers in a joined room's message box.

use super::super::peer::{room_key, Peer};
use crate::{server::hub::encode, shared::protocol::ServerFrame};

impl Peer<'_> {
    pub(super) async fn suggest_mentions(&self, room: String, prefix: String) {
        let Some(joined) = self.rooms.get(&room_key(&room)) else {
            return self.reply_error("Join the room before mentioning its people", None).await;
        };
        match self.chat.mention_suggestions(self.actor, joined, &prefix).await {
            Ok(names) => {
                let frame = ServerFrame::MentionSuggestions { room, names };
                self.conn.outbox.send(encode(&frame)).await;
            }
            Err(err) => self.refuse(&err, "Could not look up the room's people", None).await,
        }
    }
}
