//! The room list, opening a room, a room's page data and its pinned messages: thin over
//! `server::chat`.

use leptos::prelude::*;

use super::codec::TextJson;
use crate::{
    error::AppError,
    shared::{
        room_page::RoomPageContent,
        views::{HistoryPage, MessageVersion, MessageView, RoomDirectory},
    },
};

/// A page of the room list (names containing `filter`), with online counts, and the asking
/// user's unread counts where they have read.
#[server(prefix = "/api", endpoint = "rooms", output = TextJson)]
pub async fn list_rooms(
    #[server(default)] filter: String,
    #[server(default)] page: u64,
) -> Result<RoomDirectory, AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.directory(&actor, crate::shared::views::RoomQuery { filter, page }).await?)
        }
        .await,
    )
}

/// The rooms the asking user has opened, with their counts (a room page's sidebar).
#[server(prefix = "/api", endpoint = "my_rooms", output = TextJson)]
pub async fn my_rooms() -> Result<RoomDirectory, AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.my_rooms(&actor).await?)
        }
        .await,
    )
}

/// Creates the room (public, or `private`) if it does not exist yet, then goes there. Posted by a
/// plain form: refused, it goes back to the room list's form with the name and choice kept.
#[server(prefix = "/api", endpoint = "open_room", output = TextJson)]
pub async fn open_room(name: String, #[server(default)] private: bool) -> Result<(), AppError> {
    use crate::shared::paths;
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        let room = chat.open_room(&actor, &name, private).await?;
        Ok(paths::room(&room.name))
    }
    .await;
    super::context::form_outcome(done, &paths::open_room_form(&name, private))
}

/// A room's page: its latest messages, or with `linked` the messages around that one.
#[server(prefix = "/api", endpoint = "room_page", output = TextJson)]
pub async fn room_page(
    name: String,
    #[server(default)] linked: Option<i64>,
) -> Result<RoomPageContent, AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            let mut content = chat.room_page(&actor, &name, linked).await?;
            if let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>() {
                content.origin = super::context::app_state()?.site.origin(&parts.headers);
            }
            Ok(content)
        }
        .await,
    )
}

/// A page of a room's history: the one just before message `before` (scrolling up; without it,
/// the latest page), or with `after` the one just after that message (reading forward from a
/// link). One server function for all three keeps the browser's bundle small.
#[server(prefix = "/api", endpoint = "history", output = TextJson)]
pub async fn room_history(
    room: String,
    #[server(default)] before: Option<i64>,
    #[server(default)] after: Option<i64>,
) -> Result<HistoryPage, AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(match after {
                Some(after) => chat.newer(&actor, &room, after).await?,
                None => chat.older(&actor, &room, before.unwrap_or(i64::MAX)).await?,
            })
        }
        .await,
    )
}

/// Every text message `id` of `room` has had, oldest first, the current one last: what its
/// "(edited)" marker shows.
#[server(prefix = "/api", endpoint = "versions", output = TextJson)]
pub async fn message_versions(room: String, id: i64) -> Result<Vec<MessageVersion>, AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.versions(&actor, &room, id).await?)
        }
        .await,
    )
}

/// A room's pinned messages, the latest pinned first: what "Pinned messages" lists.
#[server(prefix = "/api", endpoint = "pinned", output = TextJson)]
pub async fn pinned_messages(room: String) -> Result<Vec<MessageView>, AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.pinned(&actor, &room).await?)
        }
        .await,
    )
}
