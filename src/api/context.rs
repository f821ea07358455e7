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

/// Whether the request is a plain HTML form's post (no JavaScript): the browser is shown whatever
/// page the answer leads to.
pub fn from_html_form() -> bool {
    use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// Ends a server function a plain HTML form posts to: on success the browser goes where `done`
/// says; refused, it goes back to `back` with the error in the address (`refused=`, one of our
/// own errors as JSON: the page decodes it, so a crafted link cannot make it say anything else)
/// and the page shows it. Called from a script, the error is answered as any other.
pub fn form_outcome(done: Result<String, AppError>, back: &str) -> Result<(), AppError> {
    match done {
        Ok(to) => {
            leptos_axum::redirect(&to);
            Ok(())
        }
        Err(err) if from_html_form() => {
            let json = serde_json::to_string(&err).unwrap_or_default();
            let join = if back.contains('?') { '&' } else { '?' };
            let encoded = crate::shared::paths::encode_component(&json);
            leptos_axum::redirect(&format!("{back}{join}refused={encoded}"));
            Ok(())
        }
        Err(err) => with_status(Err(err)),
    }
}

/// The error a page's address carries back from a refused form (see [`form_outcome`]): only our
/// own errors decode.
pub fn refused_in(address_value: Option<String>) -> Option<AppError> {
    address_value.and_then(|json| serde_json::from_str::<AppError>(&json).ok())
}

/// Gives a server function's error answer the HTTP status that fits it (400 for bad input, 403
/// for a refusal, …) rather than a blanket 500. A plain HTML form post (no JavaScript) is left
/// alone: it must stay a redirect back to the form, which then shows the error.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        if from_html_form() {
            return result;
        }
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            let status = axum::http::StatusCode::from_u16(err.status_code())
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
            let retry_after = match err {
                AppError::TooManyAttempts(retry_after_secs) | AppError::TooFast(retry_after_secs) => {
                    Some(*retry_after_secs)
                }
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
