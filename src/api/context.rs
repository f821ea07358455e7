//! What server functions need from the request: the app state and who is asking.

use leptos::prelude::use_context;

use crate::{
    error::AppError,
    server::{
        auth::AuthSession,
        chat::{Actor, Chat},
        state::AppState,
    },
};

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

pub async fn auth_session() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<AuthSession>().await.map_err(|err| {
        tracing::error!(error = %err, "auth session missing: is the AuthManagerLayer installed?");
        AppError::Internal
    })
}

/// Who is asking, as the chat service sees them.
pub async fn require_user() -> Result<Actor, AppError> {
    auth_session().await?.user.map(|user| Actor::from(&user.0)).ok_or(AppError::NotLoggedIn)
}

/// The chat service and who is asking it: what nearly every server function starts with.
pub async fn chat_user() -> Result<(Chat, Actor), AppError> {
    let actor = require_user().await?;
    Ok((app_state()?.chat, actor))
}

/// The address the request comes from (see `server::client_address`), for counting attempts.
pub async fn client_address() -> Result<std::net::IpAddr, AppError> {
    use axum::extract::ConnectInfo;

    let ConnectInfo(peer) =
        leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>().await.map_err(|err| {
            tracing::error!(error = %err, "no peer address: is the server run with connect info?");
            AppError::Internal
        })?;
    let parts = use_context::<axum::http::request::Parts>().ok_or(AppError::Internal)?;
    let trusted = &app_state()?.config.trusted_proxies;
    Ok(crate::server::client_address::client_address(peer, &parts.headers, trusted))
}

/// Gives a server function's error answer the HTTP status that fits it (400 for bad input, 403
/// for a refusal, …) rather than a blanket 500. A plain HTML form post (no JavaScript) is left
/// alone: it must stay a redirect back to the form, which then shows the error.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        let from_html_form = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
        });
        if from_html_form {
            return result;
        }
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            let status = axum::http::StatusCode::from_u16(err.status_code())
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
            let retry_after = match err {
                AppError::TooManyAttempts(retry_after_secs) => Some(*retry_after_secs),
                AppError::Busy => Some(1),
                _ => None,
            };
            if let Some(secs) = retry_after {
                response.insert_header(axum::http::header::RETRY_AFTER, secs.into());
            }
        }
    }
    result
}
