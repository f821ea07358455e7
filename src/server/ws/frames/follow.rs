//! `follow` / `unfollow`: a room's messages without joining it (a room list's unread counts).

use super::super::peer::{room_key, Peer};
use crate::shared::validate;

/// Most rooms one connection may follow: plenty for a room list, and a bound on what one socket
/// can subscribe to.
const MAX_FOLLOWED: usize = 200;

impl Peer<'_> {
    /// Follows each room the user may read, up to MAX_FOLLOWED in all; rooms past the bound are
    /// left out (their counts then show on the next page load only), not refused: one frame
    /// carries them all, and the rest of it is good.
    pub(super) async fn follow(&mut self, rooms: Vec<String>) {
        let room_for = MAX_FOLLOWED.saturating_sub(self.followed.len());
        let mut wanted: Vec<String> = Vec::new();
        for room in rooms {
            match validate::room_name(&room) {
                Ok(name) if !self.followed.contains(name) && !wanted.iter().any(|w| w == name) => {
                    if wanted.len() == room_for {
                        tracing::debug!(user = %self.actor.username, "following as many rooms as one connection may");
                        break;
                    }
                    wanted.push(name.to_owned());
                }
                Ok(_) => {}
                Err(err) => self.reply_error(&err.to_string(), None).await,
            }
        }
        if wanted.is_empty() {
            return;
        }
        match self.chat.followable(self.actor, wanted).await {
            Ok(rooms) => {
                for room in rooms {
                    self.state.hub.follow(self.conn, &room);
                    self.followed.insert(room);
                }
            }
            // Only unread counts depend on it; they are fetched again on the next page load.
            Err(err) => tracing::warn!(error = %err, "following rooms failed"),
        }
    }

    pub(super) fn unfollow(&mut self, rooms: Vec<String>) {
        for room in rooms {
            if self.followed.remove(&room) && !self.rooms.contains_key(&room_key(&room)) {
                self.state.hub.unfollow(self.conn, &room);
            }
        }
    }
}
