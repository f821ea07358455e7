//! The room list, opening a room, and a room's page data.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    error::AppError,
    shared::views::{MessageView, RoomSummary},
};

/// Everything the room page renders on first load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomPageData {
    pub name: String,
    pub me: String,
    pub history: Vec<MessageView>,
    pub online: Vec<String>,
}

#[server(prefix = "/api", endpoint = "rooms")]
pub async fn list_rooms() -> Result<Vec<RoomSummary>, AppError> {
    super::context::with_status(async move {
        use crate::server::db::rooms;

        super::context::require_user().await?;
        let state = super::context::app_state()?;
        let counts = state.hub.online_counts().await;
        Ok(rooms::all(&state.db)
            .await?
            .into_iter()
            .map(|room| RoomSummary { online: counts.get(&room.name).copied().unwrap_or(0), name: room.name })
            .collect())
    }.await)
}

/// Creates the room if it does not exist yet, then goes there.
#[server(prefix = "/api", endpoint = "open_room")]
pub async fn open_room(name: String) -> Result<(), AppError> {
    super::context::with_status(async move {
        let user = super::context::require_user().await?;
        let name = crate::shared::validate::room_name(&name)?;
        ensure_room(name, &user).await?;
        leptos_axum::redirect(&crate::shared::paths::room(name));
        Ok(())
    }.await)
}

#[server(prefix = "/api", endpoint = "room_page")]
pub async fn room_page(name: String) -> Result<RoomPageData, AppError> {
    super::context::with_status(async move {
        use crate::server::db::messages;

        let user = super::context::require_user().await?;
        let name = crate::shared::validate::room_name(&name)?;
        let state = super::context::app_state()?;
        // Like the original, a room's address is enough to open it: the first visit creates it.
        let room = ensure_room(name, &user).await?;
        let history = messages::recent(&state.db, &room, state.config.limits.history_page).await?;
        let online = state.hub.online(name).await;
        Ok(RoomPageData { name: room.name, me: user.username, history, online })
    }.await)
}

#[cfg(feature = "ssr")]
async fn ensure_room(
    name: &str,
    user: &crate::server::db::users::User,
) -> Result<crate::server::db::rooms::Room, AppError> {
    use crate::{
        server::{db::rooms, hub::ROOM_LIST_TOPIC},
        shared::protocol::ServerFrame,
    };

    let state = super::context::app_state()?;
    let (room, created) = rooms::get_or_create(&state.db, name, user.id).await?;
    if created {
        // Room lists already open show the new room at once.
        let frame = ServerFrame::RoomActivity { room: room.name.clone(), online: 0 };
        state.hub.publish(ROOM_LIST_TOPIC, &frame).await;
    }
    Ok(room)
}
