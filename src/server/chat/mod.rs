//! The chat service: rooms, messages, read markers and the admin's view of them. Server functions
//! and socket frame handlers both call it, and it asks [`policy`] before every action, so each
//! rule ("may alice delete this message?") is decided in one place whatever path the request took.
//!
//! It owns the database calls and the announcements that follow them (a new room shown on every
//! room list, a deleted message removed from every open page); callers only translate.

mod accounts;
pub mod actor;
mod admin;
mod bans;
mod changes;
pub mod error;
mod invites;
mod members;
mod mentions;
mod messages;
mod moderation_log;
mod mutes;
mod pins;
pub mod policy;
mod reactions;
mod reads;
mod rooms;
pub mod standing;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

pub use self::{actor::Actor, error::ChatError, messages::Replay, standing::Standing};
use super::{
    allowances::{self, Allowances},
    auth::DbSessionStore,
    config::Limits,
    hub::Hub,
    writer::Writer,
};

/// A cheap handle (clones share everything).
#[derive(Clone)]
pub struct Chat {
    db: DatabaseConnection,
    hub: Hub,
    writer: Writer,
    sessions: DbSessionStore,
    limits: Arc<Limits>,
    allowances: Allowances,
    /// Held while a room is created: the hourly count and the insert that follows it are one
    /// step, so a burst of creations cannot all pass the count (on this instance).
    creating: Arc<tokio::sync::Mutex<()>>,
}

impl Chat {
    pub fn new(
        db: DatabaseConnection,
        hub: Hub,
        writer: Writer,
        sessions: DbSessionStore,
        limits: Limits,
        allowances: Allowances,
    ) -> Self {
        Self { db, hub, writer, sessions, limits: Arc::new(limits), allowances, creating: Arc::default() }
    }

    /// Spends one of the actor's allowance of `kind`, across all their connections and instances;
    /// refused, the error says how long to wait.
    async fn spend(&self, actor: &Actor, kind: allowances::Kind) -> Result<(), ChatError> {
        self.allowances
            .take(actor.id, kind)
            .await
            .map_err(|wait| ChatError::TooFast(wait.as_secs_f64().ceil() as u64))
    }
}
