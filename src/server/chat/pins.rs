//! Pinning messages to their room, and the room's pinned list.

use super::{policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::db::{
        messages,
        pins::{self, Pinned},
    },
    shared::views::MessageView,
};

/// Pinned messages one room may have (as Discord): a list people read, not a second history.
pub const MOST_PINNED: u64 = 50;

impl Chat {
    /// Pins (`on`) or unpins message `id` in `room`. Asking for what already is (a second tab
    /// pressing too) changes nothing and is not an error.
    pub async fn pin(&self, actor: &Actor, room: &Standing, id: i64, on: bool) -> Result<(), ChatError> {
        policy::may_pin(actor, room)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        self.still_in(actor, room).await?;
        let message = self.stored_in(room, id).await?.ok_or(ChatError::NoSuchMessage)?;
        if message.deleted_at.is_some() {
            return Err(ChatError::MessageDeleted);
        }
        let pinned = if on {
            pins::pin(&self.db, &message, actor.id, MOST_PINNED).await?
        } else {
            pins::unpin(&self.db, &message).await?
        };
        match pinned {
            Pinned::Changed(_) => self.announce_change(room, id).await,
            Pinned::Unchanged => Ok(()),
            Pinned::Full => Err(ChatError::TooManyPinned { most: MOST_PINNED }),
            Pinned::Deleted => Err(ChatError::MessageDeleted),
        }
    }

    /// A room's pinned messages as readers see them, the latest pinned first.
    pub async fn pinned(&self, actor: &Actor, room: &str) -> Result<Vec<MessageView>, ChatError> {
        let room = self.room(actor, room).await?;
        let ids = pins::of_room(&self.db, room.id, MOST_PINNED).await?;
        let mut shown = messages::shown_by_ids(&self.db, &ids).await?;
        shown.sort_by_key(|message| ids.iter().position(|id| *id == message.id));
        Ok(shown)
    }
}
