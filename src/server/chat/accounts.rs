//! Deleting one's own account: the person goes from every room and device, their rooms pass to
//! someone still there, and what they wrote stays under "deleted user" or loses its text, as they
//! chose (`TheirMessages`).

use std::collections::{hash_map::Entry, HashMap};

use super::{Actor, Chat, ChatError};
use crate::{
    server::db::{changes, members, reactions, rooms, rooms::Room, users},
    shared::{account_deletion::TheirMessages, moderation::Action},
};

/// What the account's other open tabs are told as they close.
const ACCOUNT_DELETED: &str = "This account was deleted";

/// Messages removed per page of the author's history: each is its own change (one transaction,
/// one announcement), as when its author deletes it.
const REMOVED_PER_PAGE: u64 = 200;

/// People tried in turn as a room's heir (each left it before taking it over) before the room is
/// left to its owner's tombstone, for an administrator to hand over or delete.
const HEIRS_TRIED: usize = 10;

impl Chat {
    /// Deletes the actor's account; the caller has checked their password. Every session and
    /// open tab ends; each room they own passes to its longest-serving moderator, else its
    /// longest member, and is deleted when nobody else is in it; with `Remove`, each of their
    /// messages loses its text and each of their reactions goes; they leave every room; the
    /// account becomes "deleted user" and its name is free again. Until that last step a failure
    /// leaves an account its owner can log in to and delete again.
    pub async fn delete_account(
        &self,
        actor: &Actor,
        their_messages: TheirMessages,
    ) -> Result<(), ChatError> {
        // On a task of its own: a long history to remove outlives the request's time limit
        // instead of stopping half-way.
        let (chat, actor) = (self.clone(), actor.clone());
        tokio::spawn(async move { chat.close_account(&actor, their_messages).await }).await.unwrap_or_else(
            |err| {
                tracing::error!(error = %err, "deleting an account stopped");
                Err(ChatError::Storage)
            },
        )
    }

    async fn close_account(&self, actor: &Actor, their_messages: TheirMessages) -> Result<(), ChatError> {
        self.log_out_everywhere(actor).await?;
        self.clear_out(actor, their_messages).await?;
        if !users::tombstone(&self.db, actor.id).await? {
            return Err(ChatError::NoSuchUser);
        }
        // Whatever the account did meanwhile, from a log-in before the tombstone or a message the
        // writer still held: nothing, most times, and then this is a handful of queries.
        self.log_out_everywhere(actor).await?;
        self.clear_out(actor, their_messages).await
    }

    async fn log_out_everywhere(&self, actor: &Actor) -> Result<(), ChatError> {
        self.sessions.delete_for_user(actor.id).await?;
        self.hub.sign_out_user(actor.id, ACCOUNT_DELETED).await;
        Ok(())
    }

    async fn clear_out(&self, actor: &Actor, their_messages: TheirMessages) -> Result<(), ChatError> {
        self.hand_over_rooms_of(actor).await?;
        if their_messages == TheirMessages::Remove {
            self.remove_everything_by(actor).await?;
        }
        Ok(members::leave_all(&self.db, actor.id).await?)
    }

    async fn hand_over_rooms_of(&self, actor: &Actor) -> Result<(), ChatError> {
        let owned = members::owned_by(&self.db, actor.id).await?;
        for room in rooms::by_ids(&self.db, owned).await? {
            let mut passed_over = Vec::new();
            loop {
                match members::successor(&self.db, room.id, actor.id, &passed_over).await? {
                    Some(heir) if members::hand_over(&self.db, room.id, heir).await? => {
                        self.hub.restand(heir, &room.name).await;
                        let name =
                            users::by_id(&self.db, heir).await?.map(|user| user.username).unwrap_or_default();
                        self.record(actor, room.id, Action::HandedOver, &name).await;
                        break;
                    }
                    // They left meanwhile: the next in line.
                    Some(heir) if passed_over.len() + 1 < HEIRS_TRIED => passed_over.push(heir),
                    Some(_) => {
                        tracing::warn!(room = %room.name, "no one took over a deleted account's room");
                        break;
                    }
                    None => {
                        if rooms::delete(&self.db, room.id).await? {
                            self.hub.close_room(&room.name, !room.private).await;
                        }
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Every message of the actor loses its text, and every reaction they gave goes, each
    /// announced to the room like its author's own deletion or taking back.
    async fn remove_everything_by(&self, actor: &Actor) -> Result<(), ChatError> {
        let mut rooms_by_id: HashMap<i64, Room> = HashMap::new();
        let mut after = 0;
        loop {
            let page = changes::undeleted_by(&self.db, actor.id, after, REMOVED_PER_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for message in &page {
                if changes::delete(&self.db, message).await?.is_some() {
                    self.announce_change_in(&mut rooms_by_id, message.room_id, message.id).await?;
                }
            }
        }
        for (id, emoji) in reactions::given_by(&self.db, actor.id).await? {
            let Some(message) = changes::current(&self.db, id).await? else { continue };
            if let reactions::Reacted::Changed(_) =
                reactions::remove(&self.db, &message, actor.id, &emoji).await?
            {
                self.announce_change_in(&mut rooms_by_id, message.room_id, id).await?;
            }
        }
        Ok(())
    }

    async fn announce_change_in(
        &self,
        rooms_by_id: &mut HashMap<i64, Room>,
        room_id: i64,
        id: i64,
    ) -> Result<(), ChatError> {
        let room = match rooms_by_id.entry(room_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => match rooms::by_ids(&self.db, [room_id]).await?.pop() {
                Some(room) => new.insert(room),
                None => return Ok(()),
            },
        };
        self.announce_change(room, id).await
    }
}
