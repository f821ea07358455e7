//! `follow` / `unfollow`: a room's messages without joining it (a room list's unread counts).

use super::super::peer::Peer;
use crate::{server::chat::policy, shared::validate};

/// Most rooms one connection may follow: plenty for a room list, and a bound on what one socket
/// can subscribe to.
const MAX_FOLLOWED: usize = 200;

impl Peer<'_> {
    /// Follows each room the user may read, up to MAX_FOLLOWED in all; rooms past the bound are
    /// left out (their counts then show on the next page load only), not refused: one frame
    /// carries them all, and the rest of it is good.
    pub(super) async fn follow(&mut self, rooms: Vec<String>) {
        let mut wanted = Vec::new();
        for room in rooms {
            match validate::room_name(&room) {
                Ok(name) if !self.followed.contains(name) => wanted.push(name.to_owned()),
                Ok(_) => {}
                Err(err) => self.reply_error(&err.to_string(), None).await,
            }
        }
        let room_of = match self.chat.rooms_named(&wanted).await {
            Ok(rooms) => rooms,
            Err(err) => return self.reply_error(&err.to_string(), None).await,
        };
        for name in wanted {
            // A room deleted meanwhile has nothing to follow.
            let Some(room) = room_of.get(&name) else { continue };
            if policy::may_read(self.actor, room).is_err() || self.followed.contains(&name) {
                continue;
            }
            if self.followed.len() >= MAX_FOLLOWED {
                tracing::debug!(user = %self.actor.username, "following as many rooms as one connection may");
                return;
            }
            self.state.hub.follow(self.conn, &name);
            self.followed.insert(name);
        }
    }

    pub(super) fn unfollow(&mut self, rooms: Vec<String>) {
        for room in rooms {
            if self.followed.remove(&room) && !self.rooms.contains_key(&room) {
                self.state.hub.unfollow(self.conn, &room);
            }
        }
    }
}
