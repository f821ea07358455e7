//! A room as one person stands in it: the room, and their role there if they are a member. What
//! every "may this user…" about a room is decided on, fetched once per request or per joined
//! room (a socket keeps it while it stays in the room: a change of role or membership closes the
//! user's sockets, so none acts on a stale one).

use crate::{
    server::db::{members, now_ms, rooms::Room},
    shared::membership::Role,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub room: Room,
    /// `None`: not a member.
    pub role: Option<Role>,
    /// Banned from it (whatever their membership says).
    pub banned: bool,
    /// Muted there until then (ms); `None`: not muted.
    pub muted_until: Option<i64>,
}

impl Standing {
    /// Seconds left of their mute, now; `None`: they may speak.
    pub fn muted_for_secs(&self) -> Option<u64> {
        self.muted_until.and_then(|until| members::muted_for(until, now_ms()))
    }

    /// Whether they hold at least `role` there.
    pub fn holds(&self, role: Role) -> bool {
        self.role.is_some_and(|held| held >= role)
    }
}

impl std::ops::Deref for Standing {
    type Target = Room;

    fn deref(&self) -> &Room {
        &self.room
    }
}
