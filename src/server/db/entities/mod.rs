//! sea-orm entities: one file per table, mirroring the `migration` crate.

pub mod message_changes;
pub mod message_edits;
pub mod message_mentions;
pub mod message_reactions;
pub mod messages;
pub mod moderation_log;
pub mod read_markers;
pub mod room_bans;
pub mod room_invites;
pub mod room_members;
pub mod rooms;
pub mod sessions;
pub mod users;
