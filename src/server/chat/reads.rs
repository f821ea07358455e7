//! Read markers: how far a user has read in a room, the same on all their devices.

use super::{policy, Actor, Chat, ChatError};
use crate::{
    server::{
        db::{read_markers, rooms::Room},
        hub::user_topic,
    },
    shared::protocol::ServerFrame,
};

impl Chat {
    /// Moves the actor's read marker in a room forward and tells all their connections, on every
    /// instance, so each device's unread count agrees.
    pub async fn mark_read(&self, actor: &Actor, room: &Room, id: i64) -> Result<(), ChatError> {
        policy::may_read(actor, room)?;
        let read = read_markers::mark_read(&self.db, actor.id, room, id).await?;
        // Transient: the marker is stored, and a tab that misses this frame fetches the counts
        // when it reconnects; no reason for a cluster-wide catch-up.
        let frame = ServerFrame::Read { room: room.name.clone(), read };
        self.hub.publish_transient(&user_topic(actor.id), &frame).await;
        Ok(())
    }
}
