//! Schema migrations for mini-discord, one file per change, applied at server start.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_users;
mod m20261125_000002_create_rooms;
mod m20261125_000003_create_messages;
mod m20261125_000004_create_sessions;
mod m20261125_000005_add_message_nonce;
mod m20261125_000006_create_read_markers;
mod m20261125_000007_add_room_last_seq;
mod m20261205_000008_room_names_ignore_case;
mod m20261205_000009_index_rooms_by_creator;
mod m20261206_000010_create_message_changes;
mod m20261206_000011_create_message_edits;
mod m20261206_000012_add_message_deleted_at;
mod m20261206_000013_create_message_reactions;
mod m20261206_000014_add_message_pins;
mod m20261207_000015_add_message_reply_to;
mod m20261207_000016_create_message_mentions;
mod m20261207_000017_index_read_markers_by_room;
mod m20261207_000018_add_read_marker_notify;
mod m20261207_000019_create_room_members;
mod m20261207_000020_add_room_private;
mod m20261207_000021_add_room_topic;
mod m20261207_000022_create_room_invites;
mod m20261207_000023_create_room_bans;
mod m20261207_000024_create_moderation_log;
mod m20261207_000025_add_member_muted_until;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_users::Migration),
            Box::new(m20261125_000002_create_rooms::Migration),
            Box::new(m20261125_000003_create_messages::Migration),
            Box::new(m20261125_000004_create_sessions::Migration),
            Box::new(m20261125_000005_add_message_nonce::Migration),
            Box::new(m20261125_000006_create_read_markers::Migration),
            Box::new(m20261125_000007_add_room_last_seq::Migration),
            Box::new(m20261205_000008_room_names_ignore_case::Migration),
            Box::new(m20261205_000009_index_rooms_by_creator::Migration),
            Box::new(m20261206_000010_create_message_changes::Migration),
            Box::new(m20261206_000011_create_message_edits::Migration),
            Box::new(m20261206_000012_add_message_deleted_at::Migration),
            Box::new(m20261206_000013_create_message_reactions::Migration),
            Box::new(m20261206_000014_add_message_pins::Migration),
            Box::new(m20261207_000015_add_message_reply_to::Migration),
            Box::new(m20261207_000016_create_message_mentions::Migration),
            Box::new(m20261207_000017_index_read_markers_by_room::Migration),
            Box::new(m20261207_000018_add_read_marker_notify::Migration),
            Box::new(m20261207_000019_create_room_members::Migration),
            Box::new(m20261207_000020_add_room_private::Migration),
            Box::new(m20261207_000021_add_room_topic::Migration),
            Box::new(m20261207_000022_create_room_invites::Migration),
            Box::new(m20261207_000023_create_room_bans::Migration),
            Box::new(m20261207_000024_create_moderation_log::Migration),
            Box::new(m20261207_000025_add_member_muted_until::Migration),
        ]
    }
}
