//! Everything a request handler or server function may need, cloned cheaply per request.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::{auth::DbSessionStore, config::Config, hub::Hub, writer::Writer};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub sessions: DbSessionStore,
    pub hub: Hub,
    pub writer: Writer,
}

impl AppState {
    pub fn new(config: Config, db: DatabaseConnection) -> Self {
        let hub = Hub::local(config.limits.outgoing_queue);
        super::db::spawn_checkpointer(db.clone());
        Self {
            leptos_options: config.leptos.clone(),
            sessions: DbSessionStore::new(db.clone()),
            writer: Writer::spawn(db.clone(), hub.clone(), config.limits.write_batch),
            config: Arc::new(config),
            db,
            hub,
        }
    }
}
