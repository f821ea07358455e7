//! A room's moderation log: every action its owner, moderators and administrators take there is
//! recorded, and those who moderate it read the latest.

use super::{policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::db::moderation_log,
    shared::moderation::{Action, LogEntry, LOG_SHOWN},
};

impl Chat {
    /// Records that the actor did `action` to `target` in room `room_id`. Called once the action
    /// is done: a record that cannot be written is logged on the server rather than telling the
    /// user their action failed when it did not.
    pub(super) async fn record(&self, actor: &Actor, room_id: i64, action: Action, target: &str) {
        if let Err(err) = moderation_log::record(&self.db, room_id, actor.id, action, target).await {
            tracing::error!(error = %err, ?action, room_id, "recording a moderation action failed");
        }
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
