//! The administrator's screen: users, rooms and messages, searchable and paged, and the actions
//! on them. Every function refuses anyone who is not an administrator.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{error::AppError, shared::views::MessageView};

pub const PER_PAGE: u64 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPage<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub has_more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminRoom {
    pub name: String,
    pub messages: u64,
    pub online: u32,
}

#[cfg(feature = "ssr")]
fn page_of<T, U>(page: crate::server::db::Page<T>, number: u64, map: impl FnMut(T) -> U) -> AdminPage<U> {
    AdminPage { items: page.items.into_iter().map(map).collect(), page: number, has_more: page.has_more }
}

#[server(prefix = "/api", endpoint = "admin/users")]
pub async fn admin_users(query: String, page: u64) -> Result<AdminPage<AdminUser>, AppError> {
    super::context::with_status(async move {
        use crate::server::db::users;

        super::context::require_admin().await?;
        let state = super::context::app_state()?;
        let found = users::search(&state.db, &query, page, PER_PAGE).await?;
        Ok(page_of(found, page, |user| AdminUser {
            id: user.id,
            username: user.username,
            is_admin: user.is_admin,
            disabled: user.disabled,
        }))
    }.await)
}

#[server(prefix = "/api", endpoint = "admin/rooms")]
pub async fn admin_rooms(query: String, page: u64) -> Result<AdminPage<AdminRoom>, AppError> {
    super::context::with_status(async move {
        use crate::server::db::rooms;

        super::context::require_admin().await?;
        let state = super::context::app_state()?;
        let found = rooms::search_with_counts(&state.db, &query, page, PER_PAGE).await?;
        let online = state.hub.online_counts().await;
        Ok(page_of(found, page, |(room, messages)| AdminRoom {
            online: online.get(&room.name).copied().unwrap_or(0),
            name: room.name,
            messages,
        }))
    }.await)
}

#[server(prefix = "/api", endpoint = "admin/messages")]
pub async fn admin_messages(query: String, page: u64) -> Result<AdminPage<MessageView>, AppError> {
    super::context::with_status(async move {
        use crate::server::db::messages;

        super::context::require_admin().await?;
        let state = super::context::app_state()?;
        let found = messages::search(&state.db, &query, page, PER_PAGE).await?;
        Ok(page_of(found, page, |message| message))
    }.await)
}

/// Removes a message from the history and from every open page of its room.
#[server(prefix = "/api", endpoint = "admin/delete_message")]
pub async fn delete_message(id: i64) -> Result<(), AppError> {
    super::context::with_status(async move {
        use crate::{server::db::messages, shared::protocol::ServerFrame};

        super::context::require_admin().await?;
        let state = super::context::app_state()?;
        let room = messages::delete(&state.db, id).await?.ok_or_else(|| AppError::NotFound("Message".into()))?;
        state.hub.publish(&room, &ServerFrame::MessageDeleted { room: room.clone(), id }).await;
        Ok(())
    }.await)
}

/// Removes a room with its history; everyone in it is sent back to the room list.
#[server(prefix = "/api", endpoint = "admin/delete_room")]
pub async fn delete_room(name: String) -> Result<(), AppError> {
    super::context::with_status(async move {
        use crate::server::db::rooms;

        super::context::require_admin().await?;
        let state = super::context::app_state()?;
        if !rooms::delete(&state.db, &name).await? {
            return Err(AppError::NotFound("Room".into()));
        }
        state.hub.close_room(&name).await;
        Ok(())
    }.await)
}

/// Disabling ends the account's sessions and open sockets at once and refuses its log-ins.
#[server(prefix = "/api", endpoint = "admin/set_disabled")]
pub async fn set_user_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    super::context::with_status(async move {
        use crate::server::db::users;

        let admin = super::context::require_admin().await?;
        if admin.id == id && disabled {
            return Err(AppError::Invalid("You cannot disable your own account".into()));
        }
        let state = super::context::app_state()?;
        users::set_disabled(&state.db, id, disabled).await?.ok_or_else(|| AppError::NotFound("User".into()))?;
        if disabled {
            state.sessions.delete_for_user(id).await?;
            state.hub.sign_out_user(id, "This account is disabled").await;
        }
        Ok(())
    }.await)
}
