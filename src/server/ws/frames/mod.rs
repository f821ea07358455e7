//! One handler per client frame, as methods of [`Peer`]; each asks the chat service (and so its
//! policy) before it acts.

mod change;
mod follow;
mod join;
mod leave;
mod read;
mod send;
mod suggest_mentions;
mod typing;
mod watch_rooms;

use super::peer::Peer;
use crate::shared::protocol::ClientFrame;

impl Peer<'_> {
    pub async fn handle(&mut self, frame: ClientFrame) {
        match frame {
            ClientFrame::Join { room, after, changes } => self.join(room, after, changes).await,
            ClientFrame::Leave { room } => self.leave(room).await,
            ClientFrame::Follow { rooms } => self.follow(rooms).await,
            ClientFrame::Unfollow { rooms } => self.unfollow(rooms),
            ClientFrame::Read { room, id } => self.read(room, id).await,
            ClientFrame::Send { room, nonce, body, reply_to } => self.send(room, nonce, body, reply_to).await,
            ClientFrame::Typing { room } => self.typing(room).await,
            ClientFrame::WatchRooms => self.watch_rooms().await,
            ClientFrame::UnwatchRooms => self.unwatch_rooms(),
            ClientFrame::Edit { room, id, body } => self.edit(room, id, body).await,
            ClientFrame::Delete { room, id } => self.delete(room, id).await,
            ClientFrame::React { room, id, emoji } => self.react(room, id, emoji, true).await,
            ClientFrame::Unreact { room, id, emoji } => self.react(room, id, emoji, false).await,
            ClientFrame::Pin { room, id } => self.pin(room, id, true).await,
            ClientFrame::Unpin { room, id } => self.pin(room, id, false).await,
            ClientFrame::SuggestMentions { room, prefix } => self.suggest_mentions(room, prefix).await,
            ClientFrame::Notify { room, notify } => self.notify(room, notify).await,
        }
    }
}
