//! `typing`: tell a room's members someone is typing.

use std::time::Instant;

use super::super::peer::Peer;
use crate::{
    server::chat::policy,
    shared::{protocol::ServerFrame, timings::TYPING_RELAY_EVERY},
};

impl Peer<'_> {
    /// Only members who may post say so, and more often than TYPING_RELAY_EVERY is dropped, not
    /// refused: more says nothing new.
    pub(super) async fn typing(&mut self, room: String) {
        let Some(row) = self.rooms.get(&room) else { return };
        if policy::may_post(self.actor, row).is_err()
            || self.last_typing.is_some_and(|at| at.elapsed() < TYPING_RELAY_EVERY)
        {
            return;
        }
        self.last_typing = Some(Instant::now());
        let frame = ServerFrame::Typing { room: room.clone(), user: self.actor.username.clone() };
        self.state.hub.publish_transient(&room, &frame).await;
    }
}
