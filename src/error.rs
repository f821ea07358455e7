//! The one error type server functions return. Each variant carries the sentence the user reads;
//! internal details are logged on the server and never sent.
//!
//! A form posted without JavaScript gets its error back through the address (`__err`), where
//! anyone can write anything: so no variant that can be read back carries free text, and an
//! answer that does not decode becomes one fixed sentence. A link cannot make the log-in page
//! say "your account is locked, verify at …".

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::shared::validate::InvalidInput;

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AppError {
    #[error(transparent)]
    Invalid(InvalidInput),
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
    #[error("You cannot disable your own account")]
    OwnAccount,
    #[error("{0} not found")]
    NotFound(Missing),
    /// Log-in or sign-up attempts from this address or for this account came too fast: the
    /// seconds to wait. (Numbers rather than named fields: the browser decodes a struct variant
    /// with a visitor of its own, about 1 KB of bundle each.)
    #[error("Too many attempts. Try again in {0} seconds.")]
    TooManyAttempts(u64),
    /// The rooms one person may create per hour.
    #[error("You have created {0} rooms in the last hour, the most allowed. Try again later.")]
    TooManyRooms(u32),
    // Membership answers only ever reach a plain HTML form (the membership controls, invite
    // links and the room form have no island), which the server renders: the browser never
    // decodes them, and building them for the server only keeps their texts out of the bundle.
    #[error("Only the room's moderators and owner can do that")]
    #[cfg(feature = "ssr")]
    ModeratorsOnly,
    #[error("Only the room's owner can do that")]
    #[cfg(feature = "ssr")]
    OwnersOnly,
    #[error("The owner cannot leave the room: make someone else the owner first")]
    #[cfg(feature = "ssr")]
    OwnerStays,
    #[error("The room's owner cannot be removed")]
    #[cfg(feature = "ssr")]
    OwnerRemoved,
    #[error("That person is not a member of this room")]
    #[cfg(feature = "ssr")]
    NotAMember,
    #[error("That person is already a member of this room")]
    #[cfg(feature = "ssr")]
    AlreadyAMember,
    #[error("That room name is taken: please choose another")]
    #[cfg(feature = "ssr")]
    RoomNameTaken,
    #[error("Your current password is not right")]
    #[cfg(feature = "ssr")]
    WrongPassword,
    /// Also what a banned person's stale tab meets (history, pinned list): the browser reads it.
    #[error("You are banned from this room")]
    Banned,
    /// Seconds of the mute left (said in words: the server knows how long, not the reader's
    /// clock).
    #[error("You are muted in this room for another {}", crate::shared::time_words::span(*.0))]
    #[cfg(feature = "ssr")]
    Muted(u64),
    #[error("That person is banned from this room: unban them first")]
    #[cfg(feature = "ssr")]
    MemberBanned,
    /// An account's allowance of messages or actions is spent (`server::allowances`); seconds
    /// until the next.
    #[error("Slow down: try again in {}", crate::shared::time_words::seconds(*.0))]
    #[cfg(feature = "ssr")]
    TooFast(u64),
    #[error("That person is not banned from this room")]
    #[cfg(feature = "ssr")]
    NotBanned,
    #[error("This invite link is not valid: it may have expired, been used up or been revoked")]
    #[cfg(feature = "ssr")]
    InviteInvalid,
    #[error("This room has as many invite links as it can hold ({0}): revoke one first")]
    #[cfg(feature = "ssr")]
    TooManyInvites(u64),
    /// Every password check is taken: answered at once rather than queued without end.
    #[error("The server is busy. Please try again in a moment.")]
    Busy,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The request never reached our code or its answer never came back (network, encoding).
    /// Made here, in the browser, and never read from an answer or an address.
    #[error("Could not reach the server: {0}")]
    #[serde(skip_deserializing)]
    Transport(String),
}

/// What a [`AppError::NotFound`] was looking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum Missing {
    #[error("Room")]
    Room,
    #[error("Message")]
    Message,
    #[error("User")]
    User,
    /// A role a form named that no member can have (only a crafted post names one).
    #[error("Role")]
    #[cfg(feature = "ssr")]
    Role,
}

/// Shown when an error answer (or an error in the address) is not one of ours.
const UNREADABLE: &str = "the answer could not be read";

impl AppError {
    /// The HTTP status a page or endpoint should answer with for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::UsernameTaken | AppError::OwnAccount => 400,
            #[cfg(feature = "ssr")]
            AppError::OwnerStays
            | AppError::OwnerRemoved
            | AppError::NotAMember
            | AppError::AlreadyAMember
            | AppError::MemberBanned
            | AppError::WrongPassword
            | AppError::NotBanned
            | AppError::TooManyInvites(_) => 400,
            #[cfg(feature = "ssr")]
            AppError::InviteInvalid => 404,
            #[cfg(feature = "ssr")]
            AppError::ModeratorsOnly | AppError::OwnersOnly | AppError::Muted(_) => 403,
            #[cfg(feature = "ssr")]
            AppError::TooFast(_) => 429,
            #[cfg(feature = "ssr")]
            AppError::RoomNameTaken => 409,
            AppError::InvalidCredentials | AppError::NotLoggedIn => 401,
            AppError::AccountDisabled | AppError::Forbidden | AppError::Banned => 403,
            AppError::NotFound(_) => 404,
            AppError::TooManyAttempts(_) | AppError::TooManyRooms(_) => 429,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::Busy => 503,
        }
    }
}

impl From<InvalidInput> for AppError {
    fn from(err: InvalidInput) -> Self {
        AppError::Invalid(err)
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::api::codec::TextJsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A decoding error quotes what it could not decode: text someone else chose.
            ServerFnErrorErr::Deserialization(_) => AppError::Transport(UNREADABLE.into()),
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> AppError {
        AppError::de(text.to_owned().into_bytes().into())
    }

    #[test]
    fn error_answers_decode_only_to_our_own_sentences() {
        let invalid = AppError::Invalid(InvalidInput::PasswordMismatch);
        assert_eq!(AppError::de(invalid.ser()), invalid);
        assert_eq!(decoded(r#"{"NotFound":"Room"}"#).to_string(), "Room not found");

        let phishing = "Your account is locked, verify at http://evil.example";
        for forged in [
            format!(r#"{{"Invalid":"{phishing}"}}"#),
            format!(r#"{{"NotFound":"{phishing}"}}"#),
            format!(r#"{{"Transport":"{phishing}"}}"#),
            format!(r#"{{"{phishing}":null}}"#),
            phishing.to_owned(),
        ] {
            let shown = decoded(&forged).to_string();
            assert!(!shown.contains("locked"), "{forged} was shown as {shown}");
            assert_eq!(shown, format!("Could not reach the server: {UNREADABLE}"));
        }
    }
}
