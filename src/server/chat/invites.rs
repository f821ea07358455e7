//! Invite links: a room's owner and moderators make, list and revoke them; whoever opens a valid
//! one becomes a member (the way into a private room without being added by name).

use rand::{distr::Alphanumeric, Rng};

use super::{error::Denied, policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::db::{bans, invites, members, rooms},
    shared::{
        invites::{InviteLink, LINKS_MOST},
        moderation::Action,
        validate,
    },
};

/// Characters in a link's code: 22 of 62 kinds, about 131 bits, so codes cannot be guessed.
const CODE_LENGTH: usize = 22;

impl Chat {
    /// A room's valid links, for those who may make them (nobody else sees any).
    pub async fn invite_links(&self, actor: &Actor, room: &Standing) -> Result<Vec<InviteLink>, ChatError> {
        match policy::may_invite(actor, room) {
            Ok(()) => Ok(invites::list(&self.db, room.id).await?),
            Err(_) => Ok(Vec::new()),
        }
    }

    /// Makes a link to `room`, valid for `expires_hours` (0: until revoked) and `max_uses` people
    /// (0: any number). Answers its code.
    pub async fn create_invite(
        &self,
        actor: &Actor,
        room: &str,
        expires_hours: u32,
        max_uses: u32,
    ) -> Result<String, ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_invite(actor, &room)?;
        let (expires_hours, max_uses) = validate::invite_limits(expires_hours, max_uses)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        if invites::count(&self.db, room.id).await? >= LINKS_MOST {
            return Err(ChatError::TooManyInvites { most: LINKS_MOST });
        }
        let code: String = rand::rng().sample_iter(Alphanumeric).take(CODE_LENGTH).map(char::from).collect();
        invites::create(&self.db, &code, room.id, actor.id, expires_hours, max_uses).await?;
        self.record(actor, room.id, Action::CreatedInvite, "").await;
        Ok(code)
    }

    /// Revokes a link of `room`: whoever opens it from now on is told it is not valid.
    pub async fn revoke_invite(&self, actor: &Actor, room: &str, code: &str) -> Result<(), ChatError> {
        let room = self.room(actor, room).await?;
        policy::may_invite(actor, &room)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        if !invites::revoke(&self.db, room.id, code).await? {
            return Err(ChatError::InviteInvalid);
        }
        self.record(actor, room.id, Action::RevokedInvite, "").await;
        Ok(())
    }

    /// The actor opens a link: they become a member of its room (a member already, nothing
    /// changes and no use is counted, even of a link used up since). Answers the room's name, to
    /// go to it.
    pub async fn accept_invite(&self, actor: &Actor, code: &str) -> Result<String, ChatError> {
        // Spent before the code is looked up: a flood of guesses runs dry like any other action.
        self.spend(actor, super::allowances::Kind::Action).await?;
        let room_id = invites::room_of(&self.db, code).await?.ok_or(ChatError::InviteInvalid)?;
        if bans::is_banned(&self.db, room_id, actor.id).await? {
            return Err(Denied::Banned.into());
        }
        let member = members::role_of(&self.db, room_id, actor.id).await?.is_some();
        if !member && !invites::redeem(&self.db, code, actor.id).await? {
            return Err(ChatError::InviteInvalid);
        }
        let room = rooms::by_ids(&self.db, [room_id]).await?.into_iter().next().ok_or(ChatError::RoomGone)?;
        Ok(room.name)
    }
}
