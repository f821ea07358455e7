//! What the chat service answers when it will not or cannot do something. Each text is what the
//! user reads; a socket frame and a server function show the same sentence.

use sea_orm::DbErr;

use crate::{
    error::{AppError, Missing},
    shared::validate::InvalidInput,
};

/// A refusal by [`super::policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("Forbidden: administrators only")]
    AdminsOnly,
    #[error("You cannot disable your own account")]
    OwnAccount,
    #[error("That is not your message")]
    NotYourMessage,
    /// A private room, to someone not in it: the same words as for a room that does not exist.
    #[error("No such room")]
    Hidden,
    #[error("{}", AppError::ModeratorsOnly)]
    ModeratorsOnly,
    #[error("{}", AppError::OwnersOnly)]
    OwnersOnly,
    #[error("{}", AppError::OwnerStays)]
    OwnerStays,
    #[error("{}", AppError::OwnerRemoved)]
    OwnerRemoved,
    #[error("{}", AppError::Banned)]
    Banned,
    /// Seconds of the mute left.
    #[error("{}", AppError::Muted(*.0))]
    Muted(u64),
}

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("No such room")]
    NoSuchRoom,
    #[error("No such message")]
    NoSuchMessage,
    #[error("This message was deleted")]
    MessageDeleted,
    #[error("The message you are replying to is not in this room")]
    ReplyElsewhere,
    #[error("This message changed meanwhile: please try again")]
    ChangedMeanwhile,
    #[error("This message has as many different reactions as it can take ({most})")]
    TooManyReactions { most: usize },
    #[error("This room has as many pinned messages as it can hold ({most}): unpin one first")]
    TooManyPinned { most: u64 },
    #[error("No such user")]
    NoSuchUser,
    #[error("{}", AppError::NotAMember)]
    NotAMember,
    #[error("{}", AppError::AlreadyAMember)]
    AlreadyAMember,
    #[error("{}", AppError::RoomNameTaken)]
    RoomNameTaken,
    #[error("This room no longer exists")]
    RoomGone,
    #[error("{}", AppError::MemberBanned)]
    MemberBanned,
    #[error("{}", AppError::NotBanned)]
    NotBanned,
    #[error("{}", AppError::InviteInvalid)]
    InviteInvalid,
    #[error("{}", AppError::TooManyInvites(*most))]
    TooManyInvites { most: u64 },
    #[error("{}", AppError::TooManyRooms(*per_hour))]
    TooManyRooms { per_hour: u32 },
    /// Seconds until the account's allowance has room again (`server::allowances`).
    #[error("{}", AppError::TooFast(*.0))]
    TooFast(u64),
    #[error("One tab can be in at most {most} rooms at once: leave one first.")]
    TooManyJoined { most: usize },
    /// The database failed; logged where it happened, never shown.
    #[error("Something went wrong on our side. Please try again.")]
    Storage,
    /// The message writer did not store the message in time (or is gone).
    #[error("Your message could not be saved. Please try again.")]
    NotSaved,
}

impl From<DbErr> for ChatError {
    fn from(err: DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        ChatError::Storage
    }
}

impl From<ChatError> for AppError {
    fn from(err: ChatError) -> Self {
        match err {
            ChatError::Invalid(invalid) => invalid.into(),
            ChatError::Denied(Denied::AdminsOnly) => AppError::Forbidden,
            ChatError::Denied(Denied::OwnAccount) => AppError::OwnAccount,
            ChatError::Denied(Denied::NotYourMessage) => AppError::Forbidden,
            ChatError::Denied(Denied::Hidden) => AppError::NotFound(Missing::Room),
            ChatError::Denied(Denied::ModeratorsOnly) => AppError::ModeratorsOnly,
            ChatError::Denied(Denied::OwnersOnly) => AppError::OwnersOnly,
            ChatError::Denied(Denied::OwnerStays) => AppError::OwnerStays,
            ChatError::Denied(Denied::OwnerRemoved) => AppError::OwnerRemoved,
            ChatError::Denied(Denied::Banned) => AppError::Banned,
            ChatError::Denied(Denied::Muted(secs)) => AppError::Muted(secs),
            ChatError::MemberBanned => AppError::MemberBanned,
            ChatError::NotBanned => AppError::NotBanned,
            ChatError::NotAMember => AppError::NotAMember,
            ChatError::AlreadyAMember => AppError::AlreadyAMember,
            ChatError::RoomNameTaken => AppError::RoomNameTaken,
            ChatError::InviteInvalid => AppError::InviteInvalid,
            ChatError::TooManyInvites { most } => AppError::TooManyInvites(most),
            ChatError::NoSuchRoom | ChatError::RoomGone => AppError::NotFound(Missing::Room),
            ChatError::NoSuchMessage | ChatError::MessageDeleted | ChatError::ReplyElsewhere => {
                AppError::NotFound(Missing::Message)
            }
            ChatError::NoSuchUser => AppError::NotFound(Missing::User),
            ChatError::TooManyRooms { per_hour } => AppError::TooManyRooms(per_hour),
            ChatError::TooFast(secs) => AppError::TooFast(secs),
            // A storage failure is logged where it happened; the others only socket frames meet
            // (sending, editing, joining, reacting, pinning).
            ChatError::Storage
            | ChatError::NotSaved
            | ChatError::ChangedMeanwhile
            | ChatError::TooManyReactions { .. }
            | ChatError::TooManyPinned { .. }
            | ChatError::TooManyJoined { .. } => AppError::Internal,
        }
    }
}
