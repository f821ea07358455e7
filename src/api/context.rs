//! What server functions need from the request: the app state and who is asking.

use leptos::prelude::use_context;

use crate::{
    error::AppError,
    server::{
        auth::AuthSession,
        db::users::User,
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

pub async fn require_user() -> Result<User, AppError> {
    auth_session().await?.user.map(|user| user.0).ok_or(AppError::NotLoggedIn)
}

pub async fn require_admin() -> Result<User, AppError> {
    let user = require_user().await?;
    if user.is_admin {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}
