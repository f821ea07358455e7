//! A room's moderation log: every action its owner, moderators and administrators take there is
//! recorded, and those who moderate it read the latest.

use super::{policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::db::moderation_log,
    shared::moderation::{Action, LogEntry, LOG_SHOWN},
};

impl Chat {
    /// Records that the actor did `action` to `target` in `room`.
    pub(super) async fn record(
        &self,
        actor: &Actor,
        room: &Standing,
        action: Action,
        target: &str,
    ) -> Result<(), ChatError> {
        Ok(moderation_log::record(&self.db, room.id, actor.id, action, target).await?)
    }

    /// The room's latest entries, for those who moderate it (nobody else sees any).
    pub(super) async fn moderation_log(
        &self,
        actor: &Actor,
        room: &Standing,
    ) -> Result<Vec<LogEntry>, ChatError> {
        match policy::moderates(actor, room) {
            true => Ok(moderation_log::recent(&self.db, room.id, LOG_SHOWN).await?),
            false => Ok(Vec::new()),
        }
    }
}
