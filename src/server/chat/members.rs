//! Membership: leaving a room, adding and removing people, roles, a room's visibility. Whoever
//! stops being in a room leaves it at once on every device (`Hub::evict`).

use super::{error::Denied, policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::db::{bans, members, rooms, users},
    shared::{
        membership::{Role, RoomAccess, MEMBERS_SHOWN},
        moderation::Action,
        protocol::Gone,
        validate,
    },
};

impl Chat {
    /// What the actor's room page shows about membership: the room's visibility, their role,
    /// what they may do, and the members.
    pub async fn access(&self, actor: &Actor, room: &Standing) -> Result<RoomAccess, ChatError> {
        Ok(RoomAccess {
            private: room.private,
            topic: room.topic.clone(),
            role: room.role,
            manages: policy::may_add_member(actor, room).is_ok(),
            admin: actor.is_admin,
            governs: policy::may_govern(actor, room).is_ok(),
            members: members::list(&self.db, room.id, MEMBERS_SHOWN).await?,
            member_count: members::count(&self.db, room.id).await?,
            invites: self.invite_links(actor, room).await?,
            banned: self.banned(actor, room).await?,
            muted_for_secs: room.muted_for_secs(),
            log: self.moderation_log(actor, room).await?,
        })
    }

    /// Whether the actor is still in a private room they hold a standing in. A socket keeps its
    /// standing while it stays joined, and is sent to rejoin when it changes (`Hub::evict`,
    /// `restand`), but what it sends between the change and its close must not land. Public
    /// rooms, and administrators, need no check: whoever may read them may post. (A room made
    /// private meanwhile has every socket in it rejoin, on every instance.)
    pub async fn still_in(&self, actor: &Actor, room: &Standing) -> Result<(), ChatError> {
        if !room.private || actor.is_admin {
            return Ok(());
        }
        match members::role_of(&self.db, room.id, actor.id).await? {
            Some(_) => Ok(()),
            None => Err(Denied::Hidden.into()),
        }
    }

    /// The actor leaves a room: it goes from "Your rooms", and every tab of theirs showing it
    /// goes back to the room list. The owner hands the room over first.
    pub async fn leave_room(&self, actor: &Actor, name: &str) -> Result<String, ChatError> {
        let room = self.room(actor, name).await?;
        policy::may_leave(&room)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        if !members::remove(&self.db, room.id, actor.id).await? {
            return Err(ChatError::NotAMember);
        }
        self.hub.evict(actor.id, &room.name, Gone::Left).await;
        Ok(room.room.name)
    }

    /// Adds someone to a room by username, as a member (a private room's way in).
    pub async fn add_member(&self, actor: &Actor, room: &str, username: &str) -> Result<(), ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_add_member(actor, &room)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        let username = validate::username(username)?;
        let user = users::by_name(&self.db, username).await?.ok_or(ChatError::NoSuchUser)?;
        if bans::is_banned(&self.db, room.id, user.id).await? {
            return Err(ChatError::MemberBanned);
        }
        if !members::add(&self.db, room.id, user.id, Role::Member).await? {
            return Err(ChatError::AlreadyAMember);
        }
        self.record(actor, room.id, Action::AddedMember, &user.username).await;
        Ok(())
    }

    /// Takes someone out of a room; their open tabs leave it at once. From a public room they can
    /// come back by opening it again.
    pub async fn remove_member(&self, actor: &Actor, room: &str, username: &str) -> Result<(), ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_add_member(actor, &room)?;
        let (user, role, name) = self.member_named(&room, username).await?;
        policy::may_remove(actor, &room, role)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        if !members::remove(&self.db, room.id, user).await? {
            return Err(ChatError::NotAMember);
        }
        self.hub.evict(user, &room.name, Gone::Removed).await;
        self.record(actor, room.id, Action::RemovedMember, &name).await;
        Ok(())
    }

    /// Gives a member another role: moderator or member again, or (`Role::Owner`) hands the room
    /// over, its owner until now staying on as a moderator.
    pub async fn appoint(
        &self,
        actor: &Actor,
        room: &str,
        username: &str,
        role: Role,
    ) -> Result<(), ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_govern(actor, &room)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        let (user, current, name) = self.member_named(&room, username).await?;
        if current == Role::Owner {
            // The owner changes only by being handed over from.
            return match role {
                Role::Owner => Ok(()),
                _ => Err(Denied::OwnerRemoved.into()),
            };
        }
        if current == role {
            return Ok(());
        }
        let changed = match role {
            Role::Owner => members::hand_over(&self.db, room.id, user).await?,
            other => members::set_role(&self.db, room.id, user, other).await?,
        };
        if !changed {
            return Err(ChatError::NotAMember);
        }
        // Their sockets (for a hand-over, everyone's: the owner until now may be anyone) rejoin
        // with the new role, so none acts on the old one.
        match role {
            Role::Owner => self.hub.restand_all(&room.name).await,
            _ => self.hub.restand(user, &room.name).await,
        }
        let action = match role {
            Role::Owner => Action::HandedOver,
            Role::Moderator => Action::MadeModerator,
            Role::Member => Action::RemovedModerator,
        };
        self.record(actor, room.id, action, &name).await;
        Ok(())
    }

    /// Makes a room private (for its members only) or public (listed, open to everyone).
    pub async fn set_private(&self, actor: &Actor, room: &str, private: bool) -> Result<(), ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_govern(actor, &room)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        if room.private == private {
            return Ok(());
        }
        rooms::set_private(&self.db, room.id, private).await?;
        // Every socket receiving it rejoins or follows it again through the checks (made
        // private, outsiders following it from a room list stop receiving it), and each
        // instance learns whether to name it to the room lists.
        self.hub.list_room(&room.name, !private);
        self.hub.restand_all(&room.name).await;
        let action = if private { Action::MadePrivate } else { Action::MadePublic };
        self.record(actor, room.id, action, "").await;
        Ok(())
    }

    /// A member of `room` by username: their id, role and name as they spell it.
    pub(super) async fn member_named(
        &self,
        room: &Standing,
        username: &str,
    ) -> Result<(i64, Role, String), ChatError> {
        let username = validate::username(username).map_err(|_| ChatError::NotAMember)?;
        let user = users::by_name(&self.db, username).await?.ok_or(ChatError::NotAMember)?;
        let role = members::role_of(&self.db, room.id, user.id).await?.ok_or(ChatError::NotAMember)?;
        Ok((user.id, role, user.username))
    }
}
