//! Mutes: a room's owner and moderators mute someone for a while (they read but cannot post,
//! react, pin or edit there) and let them speak again. Their sockets rejoin with the new
//! standing, as after a change of role, so none keeps posting on the old one.

use super::{policy, Actor, Chat, ChatError};
use crate::{
    server::db::{members, now_ms},
    shared::{moderation::Action, time_words, validate},
};

impl Chat {
    /// Mutes a member of `room` for `minutes`.
    pub async fn mute(
        &self,
        actor: &Actor,
        room: &str,
        username: &str,
        minutes: u32,
    ) -> Result<(), ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_add_member(actor, &room)?;
        let minutes = validate::mute_minutes(minutes)?;
        let (user, role, name) = self.member_named(&room, username).await?;
        policy::may_mute(actor, &room, role)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        let until = now_ms() + i64::from(minutes) * 60_000;
        if !members::set_muted(&self.db, room.id, user, Some(until)).await? {
            return Err(ChatError::NotAMember);
        }
        self.hub.restand(user, &room.name).await;
        let span = time_words::span(u64::from(minutes) * 60);
        self.record(actor, room.id, Action::Muted, &format!("{name} for {span}")).await;
        Ok(())
    }

    /// Lets a muted member of `room` speak again.
    pub async fn unmute(&self, actor: &Actor, room: &str, username: &str) -> Result<(), ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_add_member(actor, &room)?;
        let (user, role, name) = self.member_named(&room, username).await?;
        policy::may_mute(actor, &room, role)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        if !members::set_muted(&self.db, room.id, user, None).await? {
            return Err(ChatError::NotAMember);
        }
        self.hub.restand(user, &room.name).await;
        self.record(actor, room.id, Action::Unmuted, &name).await;
        Ok(())
    }
}
