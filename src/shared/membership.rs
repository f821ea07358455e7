//! Who belongs to a room and as what, as the server stores it and the room page shows it.

use serde::{Deserialize, Serialize};

/// A member's role in one room. Ordered: each role can do what the ones below it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Member,
    /// Appointed by the owner: adds and removes members, deletes any message.
    Moderator,
    /// The creator, until they hand the room over: also appoints moderators and makes the room
    /// public or private. One per room.
    Owner,
}

impl Role {
    /// The number the database keeps.
    pub fn number(self) -> i16 {
        match self {
            Role::Member => 0,
            Role::Moderator => 1,
            Role::Owner => 2,
        }
    }

    /// The role a stored number stands for (an unknown number is the least: a plain member).
    pub fn from_number(number: i16) -> Role {
        match number {
            2 => Role::Owner,
            1 => Role::Moderator,
            _ => Role::Member,
        }
    }

    /// How the member list names it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Owner => "owner",
        }
    }
}

/// One person in a room's member list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub role: Role,
    /// Seconds left of their mute; `None`: not muted.
    pub muted_for_secs: Option<u64>,
}

/// What a room page shows and offers about membership, for the person looking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomAccess {
    pub private: bool,
    /// The room's topic (empty: none).
    pub topic: String,
    /// The viewer's own role; `None`: not a member (an administrator looking in).
    pub role: Option<Role>,
    /// The viewer adds and removes members and sets the topic (a moderator, the owner or an
    /// administrator).
    pub manages: bool,
    /// The viewer is a site administrator: they remove anyone but the owner.
    pub admin: bool,
    /// The viewer appoints moderators and changes the room's visibility (the owner or an
    /// administrator).
    pub governs: bool,
    /// The first [`MEMBERS_SHOWN`] members, owner and moderators first, then by name.
    pub members: Vec<Member>,
    /// How many members the room has in all.
    pub member_count: u64,
    /// The room's valid invite links, for those who manage it (empty for anyone else).
    pub invites: Vec<super::invites::InviteLink>,
    /// Who is banned from the room, for those who manage it (empty for anyone else).
    pub banned: Vec<String>,
    /// Seconds left of the viewer's own mute there; `None`: not muted.
    pub muted_for_secs: Option<u64>,
    /// The room's latest moderation, for those who moderate it (empty for anyone else).
    pub log: Vec<super::moderation::LogEntry>,
}

/// The most members a room page lists (the count says how many there are in all).
pub const MEMBERS_SHOWN: u64 = 200;
