//! Membership of a room: leaving, adding and removing people, roles, visibility. Posted by the
//! room page's plain forms (no island: they work without JavaScript and cost the bundle
//! nothing), so each answers with where the browser goes next.

use leptos::prelude::*;

use super::codec::TextJson;
use crate::error::AppError;

/// The actor leaves `room`, and goes back to the room list.
#[server(prefix = "/api", endpoint = "leave_room", output = TextJson)]
pub async fn leave_room(room: String) -> Result<(), AppError> {
    use crate::shared::{paths, protocol::Gone};
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        let left = chat.leave_room(&actor, &room).await?;
        Ok(paths::room_gone(&left, Gone::Left))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Adds `username` to `room` (its moderators and owner).
#[server(prefix = "/api", endpoint = "add_member", output = TextJson)]
pub async fn add_member(room: String, username: String) -> Result<(), AppError> {
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        chat.add_member(&actor, &room, &username).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Takes `username` out of `room`.
#[server(prefix = "/api", endpoint = "remove_member", output = TextJson)]
pub async fn remove_member(room: String, username: String) -> Result<(), AppError> {
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        chat.remove_member(&actor, &room, &username).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Gives `username` the role named `role` in `room` ("member", "moderator", or "owner": hands the
/// room over).
#[server(prefix = "/api", endpoint = "appoint", output = TextJson)]
pub async fn appoint(room: String, username: String, role: String) -> Result<(), AppError> {
    use crate::shared::membership::Role;
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        let role = [Role::Member, Role::Moderator, Role::Owner]
            .into_iter()
            .find(|known| known.label() == role)
            .ok_or(AppError::NotFound(crate::error::Missing::Role))?;
        chat.appoint(&actor, &room, &username, role).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Makes `room` private (`true`) or public.
#[server(prefix = "/api", endpoint = "set_room_private", output = TextJson)]
pub async fn set_room_private(room: String, private: bool) -> Result<(), AppError> {
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        chat.set_private(&actor, &room, private).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Sets `room`'s topic (its moderators and owner); empty clears it.
#[server(prefix = "/api", endpoint = "set_room_topic", output = TextJson)]
pub async fn set_room_topic(room: String, #[server(default)] topic: String) -> Result<(), AppError> {
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        chat.set_topic(&actor, &room, &topic).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Makes an invite link to `room`, lasting `expires_hours` (0: until revoked) for `max_uses`
/// people (0: any number); the room's page then lists it. Answers the link's code (a form is
/// sent back to the room's page instead).
#[server(prefix = "/api", endpoint = "create_invite", output = TextJson)]
pub async fn create_invite(
    room: String,
    #[server(default)] expires_hours: u32,
    #[server(default)] max_uses: u32,
) -> Result<String, AppError> {
    use crate::shared::paths;
    let made = async {
        let (chat, actor) = super::context::chat_user().await?;
        Ok(chat.create_invite(&actor, &room, expires_hours, max_uses).await?)
    }
    .await;
    let code = made.clone().unwrap_or_default();
    super::context::form_outcome(made.map(|_| paths::room(&room)), &paths::room(&room)).map(|()| code)
}

/// Revokes the invite link `code` of `room`.
#[server(prefix = "/api", endpoint = "revoke_invite", output = TextJson)]
pub async fn revoke_invite(room: String, code: String) -> Result<(), AppError> {
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        chat.revoke_invite(&actor, &room, &code).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Bans `username` from `room`: out of it at once, and kept out until unbanned.
#[server(prefix = "/api", endpoint = "ban", output = TextJson)]
pub async fn ban(room: String, username: String) -> Result<(), AppError> {
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        chat.ban(&actor, &room, &username).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Lifts `username`'s ban from `room`.
#[server(prefix = "/api", endpoint = "unban", output = TextJson)]
pub async fn unban(room: String, username: String) -> Result<(), AppError> {
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        chat.unban(&actor, &room, &username).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Mutes `username` in `room` for `minutes`: they read but cannot post, react, pin or edit.
#[server(prefix = "/api", endpoint = "mute", output = TextJson)]
pub async fn mute(room: String, username: String, minutes: u32) -> Result<(), AppError> {
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        chat.mute(&actor, &room, &username, minutes).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}

/// Lets `username` speak in `room` again.
#[server(prefix = "/api", endpoint = "unmute", output = TextJson)]
pub async fn unmute(room: String, username: String) -> Result<(), AppError> {
    let done = async {
        let (chat, actor) = super::context::chat_user().await?;
        chat.unmute(&actor, &room, &username).await?;
        Ok(crate::shared::paths::room(&room))
    }
    .await;
    super::context::form_outcome(done, &crate::shared::paths::room(&room))
}
