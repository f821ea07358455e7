//! The administrator's screen: users, rooms and messages, searchable and paged, and the actions
//! on them. Thin over `server::chat`, whose policy refuses anyone who is not an administrator.

use leptos::prelude::*;

use super::codec::TextJson;
use crate::{
    error::AppError,
    shared::views::{AdminPage, AdminRoom, AdminUser, MessageView},
};

#[server(prefix = "/api", endpoint = "admin/users", output = TextJson)]
pub async fn admin_users(query: String, page: u64) -> Result<AdminPage<AdminUser>, AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.admin_users(&actor, &query, page).await?)
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/rooms", output = TextJson)]
pub async fn admin_rooms(query: String, page: u64) -> Result<AdminPage<AdminRoom>, AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.admin_rooms(&actor, &query, page).await?)
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "admin/messages", output = TextJson)]
pub async fn admin_messages(query: String, page: u64) -> Result<AdminPage<MessageView>, AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.admin_messages(&actor, &query, page).await?)
        }
        .await,
    )
}

/// Removes a message from the history and from every open page of its room.
#[server(prefix = "/api", endpoint = "admin/delete_message", output = TextJson)]
pub async fn delete_message(id: i64) -> Result<(), AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.delete_message(&actor, id).await?)
        }
        .await,
    )
}

/// Removes a room with its history; everyone in it is sent back to the room list.
#[server(prefix = "/api", endpoint = "admin/delete_room", output = TextJson)]
pub async fn delete_room(name: String) -> Result<(), AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.delete_room(&actor, &name).await?)
        }
        .await,
    )
}

/// Disabling ends the account's sessions and open sockets at once and refuses its log-ins.
#[server(prefix = "/api", endpoint = "admin/set_disabled", output = TextJson)]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    super::context::with_status(
        async move {
            let (chat, actor) = super::context::chat_user().await?;
            Ok(chat.set_disabled(&actor, id, disabled).await?)
        }
        .await,
    )
}
