//! Messages: posting (through the writer), what a rejoining tab missed, deleting.

use super::{policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::{
        db::{mentions, messages, rooms::Room, users},
        subscribers::Outbox,
        writer::{self, References},
    },
    shared::{
        moderation::Action,
        protocol::ServerFrame,
        views::{MessageView, ReplyQuote},
    },
};

/// What a tab rejoining a room missed.
#[derive(Debug)]
pub enum Replay {
    /// Every message after the one it saw last, oldest first.
    Messages(Vec<MessageView>),
    /// More than a replay carries: the tab should load the room afresh.
    TooMany,
}

impl Chat {
    /// Stores a message, then publishes it to the room. `nonce` is the author's own id for it: a
    /// resend of a nonce already stored answers with the stored message and stores nothing.
    /// `ack_to`, the sending socket, gets its `ack` before anyone gets the message, so the tab
    /// can tell its own message from its pending copy by nonce. `reply_to`: the message of `room`
    /// it answers; one deleted meanwhile is still answered (its quote says so), so a reply waiting
    /// in an outbox is never refused for it. The people its text names ("@name") are mentioned.
    pub async fn post(
        &self,
        actor: &Actor,
        room: &Standing,
        body: &str,
        nonce: &str,
        reply_to: Option<i64>,
        ack_to: Option<&Outbox>,
    ) -> Result<MessageView, ChatError> {
        policy::may_post(actor, room)?;
        self.still_in(actor, room).await?;
        if let Err(too_fast) = self.spend(actor, super::allowances::Kind::Message).await {
            // A resend of a message stored before its ack was lost is no new message: refused,
            // its text would go back to the composer and be sent, and stored, twice.
            if messages::earlier(&self.db, &actor.author(), nonce).await.is_err() {
                return Err(too_fast);
            }
        }
        let reply = match reply_to {
            None => None,
            Some(id) => match self.quote(room, id).await {
                Ok(quote) => Some(quote),
                // A resend of a reply stored before its original was removed: the writer answers
                // with the stored message, as for any resend, rather than refuse what is there.
                Err(err) => match messages::earlier(&self.db, &actor.author(), nonce).await {
                    Ok(_) => None,
                    Err(_) => return Err(err),
                },
            },
        };
        // The names of the text as it will be stored (checked, in one Unicode spelling).
        let mentions = match body.contains('@') {
            true => mentions::resolve(&self.db, &writer::message_text(body)?).await?,
            false => Vec::new(),
        };
        self.writer.post(room, actor.author(), body, nonce, References { reply, mentions }, ack_to).await
    }

    /// The quote of message `id` of `room`, for a reply to it.
    async fn quote(&self, room: &Room, id: i64) -> Result<ReplyQuote, ChatError> {
        let mut found = messages::quotable(&self.db, &[id]).await?;
        match found.remove(&id) {
            Some(original) if original.room == room.name => Ok(ReplyQuote::of(&original)),
            _ => Err(ChatError::ReplyElsewhere),
        }
    }

    /// A room's messages after `after`, up to the replay limit.
    pub async fn missed(&self, actor: &Actor, room: &Standing, after: i64) -> Result<Replay, ChatError> {
        policy::may_read(actor, room)?;
        let limit = self.limits.replay_limit;
        let missed = messages::after(&self.db, room, after, limit + 1).await?;
        Ok(if missed.len() as u64 > limit { Replay::TooMany } else { Replay::Messages(missed) })
    }

    /// Removes a message from the history and from every open page of its room.
    pub async fn delete_message(&self, actor: &Actor, id: i64) -> Result<(), ChatError> {
        let message = messages::by_id(&self.db, id).await?;
        policy::may_delete_message(actor, message.as_ref())?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        let message = message.ok_or(ChatError::NoSuchMessage)?;
        if !messages::delete(&self.db, message.id).await? {
            return Err(ChatError::NoSuchMessage);
        }
        let frame = ServerFrame::MessageDeleted { room: message.room.clone(), id };
        self.hub.publish(&message.room, &frame).await;
        if message.author_id != actor.id {
            let author = users::by_id(&self.db, message.author_id).await?;
            let name = author.map(|author| author.username).unwrap_or_default();
            self.record(actor, message.room_id, Action::DeletedMessage, &name).await;
        }
        Ok(())
    }
}
