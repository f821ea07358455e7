//! Sign up, log in, log out, and who is logged in.

use leptos::prelude::*;

use super::codec::TextJson;
use crate::{error::AppError, shared::views::CurrentUser};

#[server(name = Me, prefix = "/api", endpoint = "me", output = TextJson)]
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    super::context::with_status(
        async move {
            let auth = super::context::auth_session().await?;
            Ok(auth.user.map(|user| CurrentUser { username: user.0.username, is_admin: user.0.is_admin }))
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "signup", output = TextJson)]
pub async fn signup(username: String, password: String, confirm: String) -> Result<(), AppError> {
    super::context::with_status(
        async move {
            use crate::{
                server::{
                    auth::SessionUser,
                    db::users::{self, CreateUserError},
                },
                shared::{paths, validate},
            };

            let username = validate::username(&username)?;
            let password = validate::new_password(&password, &confirm)?;
            let state = super::context::app_state()?;
            state.throttle.sign_up(super::context::client_address().await?).await?;
            let hash = state.hashing.hash(password.to_owned()).await.map_err(hashing_failed)?;
            let user = users::create(&state.db, username, hash).await.map_err(|err| match err {
                CreateUserError::Taken => AppError::UsernameTaken,
                CreateUserError::Db(err) => err.into(),
            })?;
            start_session(SessionUser(user)).await?;
            // Back to the invite link that sent them here, if one did.
            let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
            let invited = parts.and_then(|parts| crate::server::invite_link::pending(&parts.headers));
            leptos_axum::redirect(&invited.map_or_else(|| "/rooms".to_owned(), |code| paths::invite(&code)));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "login", output = TextJson)]
pub async fn login(
    username: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    super::context::with_status(
        async move {
            use crate::server::auth::{backend::BackendError, Credentials};

            let auth = super::context::auth_session().await?;
            let throttle = super::context::app_state()?.throttle;
            let address = super::context::client_address().await?;
            // A name no account can have is refused without hashing; only its address pays.
            let Ok(username) = crate::shared::validate::username(&username).map(str::to_owned) else {
                throttle.unknown_name(address).await?;
                return Err(AppError::InvalidCredentials);
            };
            // Counted before the password is checked, so parallel guesses are counted too.
            let attempt = throttle.log_in(address, &username).await?;
            let checked = auth.authenticate(Credentials { username, password }).await;
            let Some(user) = checked.map_err(|err| match err {
                axum_login::Error::Backend(BackendError::Hashing(err)) => hashing_failed(err),
                err => {
                    tracing::error!(error = %err, "authentication failed");
                    AppError::Internal
                }
            })?
            else {
                return Err(AppError::InvalidCredentials);
            };
            throttle.logged_in(attempt).await;
            if user.0.disabled {
                return Err(AppError::AccountDisabled);
            }
            start_session(user).await?;
            leptos_axum::redirect(&crate::shared::paths::safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn hashing_failed(err: crate::server::auth::backend::HashingError) -> AppError {
    use crate::server::auth::backend::HashingError;
    match err {
        HashingError::Busy => AppError::Busy,
        HashingError::Stopped => {
            tracing::error!(error = %err, "password hashing failed");
            AppError::Internal
        }
    }
}

#[cfg(feature = "ssr")]
async fn start_session(user: crate::server::auth::SessionUser) -> Result<(), AppError> {
    let mut auth = super::context::auth_session().await?;
    let fail = |err: &dyn std::fmt::Display| {
        tracing::error!(error = %err, "starting a session failed");
        AppError::Internal
    };
    // A fresh id at every log-in, so an id planted before it (session fixation) is worthless.
    auth.session.cycle_id().await.map_err(|err| fail(&err))?;
    auth.login(&user).await.map_err(|err| fail(&err))
}

#[server(prefix = "/api", endpoint = "logout", output = TextJson)]
pub async fn logout() -> Result<(), AppError> {
    super::context::with_status(
        async move {
            let mut auth = super::context::auth_session().await?;
            let state = super::context::app_state()?;
            crate::server::auth::log_out(&mut auth, &state.hub).await.map_err(|err| {
                tracing::error!(error = %err, "logging out failed");
                AppError::Internal
            })?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

/// Changes the logged-in user's password: the current one is asked for (and counted like a
/// log-in), and every other session of the account ends, its open tabs told why. A plain form on
/// /settings posts it.
#[server(prefix = "/api", endpoint = "change_password", output = TextJson)]
pub async fn change_password(current: String, password: String, confirm: String) -> Result<(), AppError> {
    let done = async {
        use crate::server::{auth::SessionUser, db::users};

        let mut auth = super::context::auth_session().await?;
        let user = auth.user.clone().ok_or(AppError::NotLoggedIn)?.0;
        let password = crate::shared::validate::new_password(&password, &confirm)?;
        let state = super::context::app_state()?;
        confirm_password(&mut auth, &state, &user.username, current).await?;
        let hash = state.hashing.hash(password.to_owned()).await.map_err(hashing_failed)?;
        users::set_password(&state.db, user.id, &hash).await?;
        let keep = auth.session.id().map(|id| id.to_string()).unwrap_or_default();
        for ended in state.sessions.delete_others(user.id, &keep).await? {
            state.hub.end_session(user.id, &ended, PASSWORD_CHANGED).await;
        }
        // This browser's session carries the old password's hash: log it in again with the new.
        let renewed = users::by_id(&state.db, user.id).await?.ok_or(AppError::NotLoggedIn)?;
        auth.login(&SessionUser(renewed)).await.map_err(|err| {
            tracing::error!(error = %err, "renewing the session failed");
            AppError::Internal
        })?;
        Ok(crate::shared::paths::settings_done("password"))
    }
    .await;
    super::context::form_outcome(done, crate::shared::paths::SETTINGS)
}

/// Deletes the logged-in user's account, their password asked again: every session ends (this
/// one too), their rooms pass to someone still in them, and their messages stay as "deleted
/// user"'s or lose their text (`messages`: `keep` or `remove`). A plain form on /settings posts it.
#[server(prefix = "/api", endpoint = "delete_account", output = TextJson)]
pub async fn delete_account(password: String, messages: String) -> Result<(), AppError> {
    let done = async {
        use crate::{server::chat::Actor, shared::account_deletion::TheirMessages};

        let mut auth = super::context::auth_session().await?;
        let user = auth.user.clone().ok_or(AppError::NotLoggedIn)?.0;
        let their_messages = TheirMessages::from_value(&messages)?;
        let state = super::context::app_state()?;
        confirm_password(&mut auth, &state, &user.username, password).await?;
        state.chat.delete_account(&Actor::from(&user), their_messages).await?;
        // The session is gone from the store already; this clears the browser's cookie.
        if let Err(err) = auth.logout().await {
            tracing::warn!(error = %err, "clearing a deleted account's session failed");
        }
        Ok(crate::shared::paths::ACCOUNT_DELETED.to_owned())
    }
    .await;
    super::context::form_outcome(done, crate::shared::paths::SETTINGS_DELETING)
}

/// Asks for the logged-in user's password again before a change only its owner may make,
/// counted like a log-in attempt: someone who found the browser open guesses no faster here.
#[cfg(feature = "ssr")]
async fn confirm_password(
    auth: &mut crate::server::auth::backend::AuthSession,
    state: &crate::server::state::AppState,
    username: &str,
    password: String,
) -> Result<(), AppError> {
    use crate::server::auth::{backend::BackendError, Credentials};

    let attempt = state.throttle.log_in(super::context::client_address().await?, username).await?;
    let checked =
        auth.authenticate(Credentials { username: username.to_owned(), password }).await.map_err(|err| {
            match err {
                axum_login::Error::Backend(BackendError::Hashing(err)) => hashing_failed(err),
                err => {
                    tracing::error!(error = %err, "checking the current password failed");
                    AppError::Internal
                }
            }
        })?;
    if checked.is_none() {
        return Err(AppError::WrongPassword);
    }
    state.throttle.logged_in(attempt).await;
    Ok(())
}

/// What the other devices of someone who changed their password are told.
#[cfg(feature = "ssr")]
const PASSWORD_CHANGED: &str = "Your password was changed: please log in again";
