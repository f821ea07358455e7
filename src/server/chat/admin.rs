//! The administrator's view: every account, room and message, searchable and paged, and
//! disabling accounts.

use super::{policy, Actor, Chat, ChatError};
use crate::{
    server::db::{messages, rooms, users, Page},
    shared::views::{AdminPage, AdminRoom, AdminUser, MessageView},
};

/// Rows per page of each admin list.
pub const ADMIN_PAGE: u64 = 20;

fn page_of<T, U>(page: Page<T>, number: u64, map: impl FnMut(T) -> U) -> AdminPage<U> {
    AdminPage { items: page.items.into_iter().map(map).collect(), page: number, has_more: page.has_more }
}

impl Chat {
    pub async fn admin_users(
        &self,
        actor: &Actor,
        term: &str,
        page: u64,
    ) -> Result<AdminPage<AdminUser>, ChatError> {
        policy::may_administer(actor)?;
        let found = users::search(&self.db, term, page, ADMIN_PAGE).await?;
        Ok(page_of(found, page, |user| AdminUser {
            id: user.id,
            username: user.username,
            is_admin: user.is_admin,
            disabled: user.disabled,
        }))
    }

    pub async fn admin_rooms(
        &self,
        actor: &Actor,
        term: &str,
        page: u64,
    ) -> Result<AdminPage<AdminRoom>, ChatError> {
        policy::may_administer(actor)?;
        let found = rooms::search_with_counts(&self.db, term, page, ADMIN_PAGE).await?;
        let online = self.hub.online_counts().await;
        Ok(page_of(found, page, |(room, messages)| AdminRoom {
            online: online.get(&room.name).copied().unwrap_or(0),
            name: room.name,
            messages,
        }))
    }

    pub async fn admin_messages(
        &self,
        actor: &Actor,
        term: &str,
        page: u64,
    ) -> Result<AdminPage<MessageView>, ChatError> {
        policy::may_administer(actor)?;
        let found = messages::search(&self.db, term, page, ADMIN_PAGE).await?;
        Ok(page_of(found, page, |message| message))
    }

    /// Disabling ends the account's sessions and open sockets at once and refuses its log-ins.
    pub async fn set_disabled(&self, actor: &Actor, user_id: i64, disabled: bool) -> Result<(), ChatError> {
        policy::may_disable(actor, user_id, disabled)?;
        if !users::set_disabled(&self.db, user_id, disabled).await? {
            return Err(ChatError::NoSuchUser);
        }
        if disabled {
            self.sessions.delete_for_user(user_id).await?;
            self.hub.sign_out_user(user_id, "This account is disabled").await;
        }
        Ok(())
    }
}
