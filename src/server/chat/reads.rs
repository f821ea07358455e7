//! Read markers: how far a user has read in a room, and what they are told about it, the same
//! on all their devices.

use super::{policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::{
        db::{read_markers, rooms::Room},
        hub::user_topic,
    },
    shared::{
        protocol::ServerFrame,
        views::{NotifyLevel, ReadState},
    },
};

impl Chat {
    /// Moves the actor's read marker in a room forward and tells all their connections, on every
    /// instance, so each device's unread count agrees.
    pub async fn mark_read(&self, actor: &Actor, room: &Standing, id: i64) -> Result<(), ChatError> {
        policy::may_read(actor, room)?;
        let read = read_markers::mark_read(&self.db, actor.id, room, id).await?;
        self.tell_devices(actor, room, read).await;
        Ok(())
    }

    /// Sets what the actor is told about a room (notifications, and a count or a dot for its
    /// unread messages), and tells all their connections.
    pub async fn set_notify(
        &self,
        actor: &Actor,
        room: &Standing,
        notify: NotifyLevel,
    ) -> Result<(), ChatError> {
        policy::may_read(actor, room)?;
        let read = read_markers::set_notify(&self.db, actor.id, room, notify).await?;
        self.tell_devices(actor, room, read).await;
        Ok(())
    }

    async fn tell_devices(&self, actor: &Actor, room: &Room, read: ReadState) {
        // Transient: the state is stored, and a tab that misses this frame fetches the counts
        // when it reconnects; no reason for a cluster-wide catch-up.
        let frame = ServerFrame::Read { room: room.name.clone(), read };
        self.hub.publish_transient(&user_topic(actor.id), &frame).await;
    }
}
