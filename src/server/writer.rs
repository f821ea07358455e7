//! The message writer: validate, store, then publish, so nothing reaches a reader that is not
//! in the history. This is the seam where batching (group commit) and nonce dedupe plug in.

use sea_orm::{DatabaseConnection, DbErr, SqlErr};

use super::{
    db::{messages, rooms::Room, users::User},
    hub::Hub,
};
use crate::shared::{protocol::ServerFrame, validate, views::MessageView};

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(transparent)]
    Invalid(#[from] validate::InvalidInput),
    #[error("This room no longer exists")]
    RoomGone,
    #[error("Your message could not be saved. Please try again.")]
    Storage(#[source] DbErr),
}

#[derive(Clone)]
pub struct Writer {
    db: DatabaseConnection,
    hub: Hub,
}

impl Writer {
    pub fn new(db: DatabaseConnection, hub: Hub) -> Self {
        Self { db, hub }
    }

    /// Stores a message, then publishes it to the room. A resend of a nonce already stored
    /// returns the stored message without publishing it again.
    pub async fn post(
        &self,
        room: &Room,
        author: &User,
        body: &str,
        nonce: Option<&str>,
    ) -> Result<MessageView, PostError> {
        let body = validate::message_body(body)?;
        if let Some(nonce) = nonce {
            validate::nonce(nonce)?;
        }
        let stored = messages::insert(&self.db, room, author, body, nonce).await.map_err(|err| {
            match err.sql_err() {
                // The room was deleted while the author was typing.
                Some(SqlErr::ForeignKeyConstraintViolation(_)) => PostError::RoomGone,
                _ => {
                    tracing::error!(error = %err, room = %room.name, "storing a message failed");
                    PostError::Storage(err)
                }
            }
        })?;
        match stored {
            messages::Stored::New(message) => {
                self.hub.publish(&room.name, &ServerFrame::Message { message: message.clone() }).await;
                Ok(message)
            }
            messages::Stored::Duplicate(message) => Ok(message),
        }
    }
}
