//! The one error type server functions return. Each variant carries the sentence the user reads;
//! internal details are logged on the server and never sent.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::shared::validate::InvalidInput;

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("{0}")]
    Invalid(String),
    #[error("Username already taken")]
    UsernameTaken,
    #[error("Invalid username or password")]
    InvalidCredentials,
    #[error("This account is disabled")]
    AccountDisabled,
    #[error("Please log in")]
    NotLoggedIn,
    #[error("Forbidden: administrators only")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(String),
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached our code or its answer never came back (network, encoding).
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status a page or endpoint should answer with for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::UsernameTaken => 400,
            AppError::InvalidCredentials | AppError::NotLoggedIn => 401,
            AppError::AccountDisabled | AppError::Forbidden => 403,
            AppError::NotFound(_) => 404,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl From<InvalidInput> for AppError {
    fn from(err: InvalidInput) -> Self {
        AppError::Invalid(err.to_string())
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}
