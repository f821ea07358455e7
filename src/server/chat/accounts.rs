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

impl Chat {
    /// Deletes the actor's account; the caller has checked their password. In this order, so that
    /// a failure half-way leaves an account its owner can still log in to and delete again:
    /// every session and open tab ends; each room they own passes to its longest-serving
    /// moderator, else its longest member, and is deleted when nobody else is in it; with
    /// `Remove`, each of their messages loses its text and each of their reactions goes; they
    /// leave every room; last, the account becomes "deleted user" and its name is free again.
    pub async fn delete_account(
        &self,
        actor: &Actor,
        their_messages: TheirMessages,
    ) -> Result<(), ChatError> {
        self.sessions.delete_for_user(actor.id).await?;
        self.hub.sign_out_user(actor.id, ACCOUNT_DELETED).await;
        self.hand_over_rooms_of(actor).await?;
        if their_messages == TheirMessages::Remove {
            self.remove_everything_by(actor).await?;
        }
        members::leave_all(&self.db, actor.id).await?;
        if !users::tombstone(&self.db, actor.id).await? {
            return Err(ChatError::NoSuchUser);
        }
        Ok(())
    }

    async fn hand_over_rooms_of(&self, actor: &Actor) -> Result<(), ChatError> {
        let owned = members::owned_by(&self.db, actor.id).await?;
        for room in rooms::by_ids(&self.db, owned).await? {
            match members::successor(&self.db, room.id, actor.id).await? {
                Some(heir) if members::hand_over(&self.db, room.id, heir).await? => {
                    self.hub.restand(heir, &room.name).await;
                    let name =
                        users::by_id(&self.db, heir).await?.map(|user| user.username).unwrap_or_default();
                    self.record(actor, room.id, Action::HandedOver, &name).await;
                }
                // The heir left meanwhile: the room stays with its owner's tombstone rather than
                // be deleted under people who may still be in it; an administrator can act.
                Some(_) => tracing::warn!(room = %room.name, "no one took over a deleted account's room"),
                None => {
                    if rooms::delete(&self.db, room.id).await? {
                        self.hub.close_room(&room.name, !room.private).await;
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
