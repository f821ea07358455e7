//! Bans: a room's owner and moderators ban someone (taken out of the room at once, on every
//! device, and kept out: opening it, being added, invite links) and lift bans.

use super::{policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::db::{bans, members, users},
    shared::{membership::Role, moderation::Action, protocol::Gone, validate},
};

/// The most banned people a room page lists.
pub const BANS_SHOWN: u64 = 200;

impl Chat {
    /// The people banned from a room, for those who may lift bans (nobody else sees any).
    pub(super) async fn banned(&self, actor: &Actor, room: &Standing) -> Result<Vec<String>, ChatError> {
        match policy::may_add_member(actor, room) {
            Ok(()) => Ok(bans::list(&self.db, room.id, BANS_SHOWN).await?),
            Err(_) => Ok(Vec::new()),
        }
    }

    /// Bans someone from a room by username, member or not (not its owner).
    pub async fn ban(&self, actor: &Actor, room: &str, username: &str) -> Result<(), ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_add_member(actor, &room)?;
        let username = validate::username(username)?;
        let user = users::by_name(&self.db, username).await?.ok_or(ChatError::NoSuchUser)?;
        let role = members::role_of(&self.db, room.id, user.id).await?;
        policy::may_ban(actor, &room, role.unwrap_or(Role::Member))?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        if !bans::ban(&self.db, room.id, user.id, actor.id).await? {
            return Err(ChatError::MemberBanned);
        }
        self.hub.evict(user.id, &room.name, Gone::Banned).await;
        self.record(actor, room.id, Action::Banned, &user.username).await;
        Ok(())
    }

    /// Lifts a ban: they may open a public room again, or be added back to a private one.
    pub async fn unban(&self, actor: &Actor, room: &str, username: &str) -> Result<(), ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_add_member(actor, &room)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        let username = validate::username(username).map_err(|_| ChatError::NotBanned)?;
        let user = users::by_name(&self.db, username).await?.ok_or(ChatError::NotBanned)?;
        if !bans::unban(&self.db, room.id, user.id).await? {
            return Err(ChatError::NotBanned);
        }
        self.record(actor, room.id, Action::Unbanned, &user.username).await;
        Ok(())
    }
}
