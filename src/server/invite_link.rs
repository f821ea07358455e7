//! `/invite/<code>`: opening an invite link. A logged-in visitor becomes a member of its room and
//! goes there; a link that lets nobody in leads to the room list, which says why. Anyone else is
//! sent to log in, and back here after; signing up instead comes back here too, through a cookie
//! naming the link (the sign-up form would otherwise have to carry it, and the browser's bundle
//! the code to send it: 0.6 KB).

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Redirect, Response},
};

use super::{auth::AuthSession, chat::Actor, state::AppState};
use crate::{error::AppError, shared::paths};

const COOKIE: &str = "md_invite";
/// How long an invite opened before having an account waits for the sign-up.
const WAITS_SECS: u32 = 24 * 3600;

pub async fn open(
    State(state): State<AppState>,
    auth: AuthSession,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let Some(user) = auth.user else {
        let to = Redirect::to(&paths::login_then(&paths::invite(&code)));
        return match well_formed(&code) {
            true => ([(header::SET_COOKIE, cookie(&state, &code, WAITS_SECS))], to).into_response(),
            false => to.into_response(),
        };
    };
    let to = match state.chat.accept_invite(&Actor::from(&user.0), &code).await {
        Ok(room) => Redirect::to(&paths::room(&room)),
        Err(err) => {
            let json = serde_json::to_string(&AppError::from(err)).unwrap_or_default();
            Redirect::to(&paths::invite_refused(&json))
        }
    };
    match pending(&headers) {
        Some(_) => ([(header::SET_COOKIE, cookie(&state, "", 0))], to).into_response(),
        None => to.into_response(),
    }
}

/// The invite link a visitor opened before they had an account, to go back to once they have.
pub fn pending(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, code)| code.to_owned())
        .filter(|code| well_formed(code))
}

/// Codes are letters and digits: anything else is no code of ours, and kept out of headers.
fn well_formed(code: &str) -> bool {
    (1..=64).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn cookie(state: &AppState, code: &str, max_age_secs: u32) -> HeaderValue {
    let secure = if state.site.secure_cookies { "; Secure" } else { "" };
    let value = format!("{COOKIE}={code}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}
