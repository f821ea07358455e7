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
    /// Whether older messages exist than the first of `history`.
    pub has_older: bool,
    pub online: Vec<String>,
}

/// The rooms a user can open, and who is asking (their own messages never count as unread).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomDirectory {
    pub me: String,
    pub rooms: Vec<RoomSummary>,
}

/// One page of older history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub messages: Vec<MessageView>,
    pub has_older: bool,
}

/// Every room with its online count, and the asking user's unread count where they have read.
#[server(prefix = "/api", endpoint = "rooms")]
pub async fn list_rooms() -> Result<RoomDirectory, AppError> {
    super::context::with_status(async move {
        use crate::server::db::{read_markers, rooms};

        let user = super::context::require_user().await?;
        let state = super::context::app_state()?;
        let counts = state.hub.online_counts().await;
        let mut read = read_markers::for_user(&state.db, user.id).await?;
        let rooms = rooms::all(&state.db)
            .await?
            .into_iter()
            .map(|room| RoomSummary {
                online: counts.get(&room.name).copied().unwrap_or(0),
                read: read.remove(&room.id),
                name: room.name,
            })
            .collect();
        Ok(RoomDirectory { me: user.username, rooms })
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
        let page = state.config.limits.history_page;
        let mut history = messages::recent(&state.db, &room, page + 1).await?;
        // One row more than the page says whether there is anything older, without a count.
        let has_older = history.len() as u64 > page;
        if has_older {
            history.remove(0);
        }
        let online = state.hub.online(name).await;
        Ok(RoomPageData { name: room.name, me: user.username, history, has_older, online })
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

/// The page of a room's history just before message `before` (scrolling up).
#[server(prefix = "/api", endpoint = "older_messages")]
pub async fn older_messages(room: String, before: i64) -> Result<HistoryPage, AppError> {
    super::context::with_status(async move {
        use crate::server::db::{messages, rooms};

        super::context::require_user().await?;
        let state = super::context::app_state()?;
        let room = rooms::by_name(&state.db, &room).await?.ok_or_else(|| AppError::NotFound("Room".into()))?;
        let page = state.config.limits.history_page;
        let mut older = messages::before(&state.db, &room, before, page + 1).await?;
        let has_older = older.len() as u64 > page;
        if has_older {
            older.remove(0);
        }
        Ok(HistoryPage { messages: older, has_older })
    }.await)
}
