//! Changing stored messages: edits and deletions, published to the room
//! at once and replayed to tabs that were away.

use super::{policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::{
        db::{
            changes, entities::messages::Model as StoredMessage, mentions, messages, messages::MessageRow,
            rooms::Room, users,
        },
        writer,
    },
    shared::{
        moderation::Action,
        protocol::ServerFrame,
        views::{MessageVersion, MessageView},
    },
};

impl Chat {
    /// Replaces the text of the actor's own message `id` in `room`, under the same rules as a new
    /// message, keeping the old text as an earlier version. The new text's mentions replace the old.
    pub async fn edit(&self, actor: &Actor, room: &Standing, id: i64, body: &str) -> Result<(), ChatError> {
        let body = writer::message_text(body)?;
        self.still_in(actor, room).await?;
        let message = self.stored_in(room, id).await?;
        policy::may_post(actor, room)?;
        policy::may_edit(actor, message.as_ref().map(|m| row(room, m)).as_ref())?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        let message = message.ok_or(ChatError::NoSuchMessage)?;
        if message.deleted_at.is_some() {
            return Err(ChatError::MessageDeleted);
        }
        if message.body == body {
            return Ok(());
        }
        let mentioned = mentions::resolve(&self.db, &body).await?;
        changes::edit(&self.db, &message, &body, &mentioned).await?.ok_or(ChatError::ChangedMeanwhile)?;
        self.announce_change(room, id).await
    }

    /// Deletes message `id` in `room` for everyone: its text and earlier versions go, its place
    /// stays as "Message deleted". Deleting a deleted message changes nothing.
    pub async fn retract(&self, actor: &Actor, room: &Standing, id: i64) -> Result<(), ChatError> {
        self.still_in(actor, room).await?;
        let message = self.stored_in(room, id).await?;
        policy::may_retract(actor, room, message.as_ref().map(|m| row(room, m)).as_ref())?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        let message = message.ok_or(ChatError::NoSuchMessage)?;
        if message.deleted_at.is_some() || changes::delete(&self.db, &message).await?.is_none() {
            return Ok(());
        }
        if message.user_id != actor.id {
            let author = users::by_id(&self.db, message.user_id).await?;
            let name = author.map(|author| author.username).unwrap_or_default();
            self.record(actor, room.id, Action::DeletedMessage, &name).await;
        }
        self.announce_change(room, id).await
    }

    /// The current state of `room`'s messages (up to message `up_to`) changed after change
    /// `after`, for a tab catching up; `None` past the replay limit (the tab reloads instead).
    pub async fn changes_missed(
        &self,
        actor: &Actor,
        room: &Standing,
        after: i64,
        up_to: Option<i64>,
    ) -> Result<Option<Vec<MessageView>>, ChatError> {
        policy::may_read(actor, room)?;
        Ok(changes::since(&self.db, room.id, after, up_to, self.limits.replay_limit).await?)
    }

    /// Every text message `id` of room `room` has had, oldest first.
    pub async fn versions(
        &self,
        actor: &Actor,
        room: &str,
        id: i64,
    ) -> Result<Vec<MessageVersion>, ChatError> {
        let room = self.room(actor, room).await?;
        let message = self.stored_in(&room, id).await?.ok_or(ChatError::NoSuchMessage)?;
        Ok(changes::versions(&self.db, &message).await?)
    }

    /// Message `id` if it is in `room`: a frame naming one room cannot touch another's.
    pub(super) async fn stored_in(&self, room: &Room, id: i64) -> Result<Option<StoredMessage>, ChatError> {
        Ok(changes::current(&self.db, id).await?.filter(|message| message.room_id == room.id))
    }

    /// Sends the message's state, as it is after the change, to everyone in the room.
    pub(super) async fn announce_change(&self, room: &Room, id: i64) -> Result<(), ChatError> {
        let message = messages::shown_by_ids(&self.db, &[id]).await?.pop().ok_or(ChatError::NoSuchMessage)?;
        self.hub.publish(&room.name, &ServerFrame::Changed { message }).await;
        Ok(())
    }
}

fn row(room: &Room, message: &StoredMessage) -> MessageRow {
    MessageRow {
        id: message.id,
        room_id: message.room_id,
        room: room.name.clone(),
        author_id: message.user_id,
    }
}
