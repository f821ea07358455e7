//! Mentions: who a room's message box offers after "@". Resolving the names a message mentions
//! happens where it is posted or edited (`messages`, `changes`).

use super::{policy, standing::Standing, Actor, Chat, ChatError};
use crate::server::db::mentions;

impl Chat {
    /// The people of `room` whose names start with `prefix` (`mentions::suggestions`). Only for
    /// someone who may post there (it is what they would mention).
    pub async fn mention_suggestions(
        &self,
        actor: &Actor,
        room: &Standing,
        prefix: &str,
    ) -> Result<Vec<String>, ChatError> {
        policy::may_post(actor, room)?;
        // A name is never longer than this; a longer prefix matches nobody.
        if prefix.len() > crate::shared::validate::USERNAME_MAX {
            return Ok(Vec::new());
        }
        Ok(mentions::suggestions(&self.db, room.id, prefix).await?)
    }
}
