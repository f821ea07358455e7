//! Reacting to messages: adding and taking back one's reactions.

use super::{policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::db::reactions::{self, Reacted},
    shared::reactions::{emoji, MAX_PER_MESSAGE},
};

impl Chat {
    /// Adds (`on`) or takes back the actor's reaction (`typed`: one emoji) to message `id` in
    /// `room`. Asking
    /// for what already is (a second tab pressing too) changes nothing and is not an error.
    pub async fn react(
        &self,
        actor: &Actor,
        room: &Standing,
        id: i64,
        typed: &str,
        on: bool,
    ) -> Result<(), ChatError> {
        let chosen = emoji(typed)?;
        policy::may_react(actor, room)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        self.still_in(actor, room).await?;
        let message = self.stored_in(room, id).await?.ok_or(ChatError::NoSuchMessage)?;
        if message.deleted_at.is_some() {
            return Err(ChatError::MessageDeleted);
        }
        let most = MAX_PER_MESSAGE;
        let reacted = if on {
            reactions::add(&self.db, &message, actor.id, &chosen, most).await?
        } else {
            reactions::remove(&self.db, &message, actor.id, &chosen).await?
        };
        match reacted {
            Reacted::Changed(_) => self.announce_change(room, id).await,
            Reacted::Unchanged => Ok(()),
            Reacted::Full => Err(ChatError::TooManyReactions { most }),
            Reacted::Deleted => Err(ChatError::MessageDeleted),
        }
    }
}
