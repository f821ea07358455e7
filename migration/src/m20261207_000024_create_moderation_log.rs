use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261125_000001_create_users::Users, m20261125_000002_create_rooms::Rooms};

/// What a room's owner, moderators and the site's administrators did there, by whom and when:
/// the room's "Moderation log". `action` is `shared::moderation::Action` as its number;
/// `target` whom or what it was done to (a username, a topic), empty when nothing.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ModerationLog::Table)
                    .if_not_exists()
                    .col(big_pk_auto(ModerationLog::Id))
                    .col(big_integer(ModerationLog::RoomId))
                    // Kept when the account goes: the record is the room's.
                    .col(big_integer_null(ModerationLog::ActorId))
                    .col(small_integer(ModerationLog::Action))
                    .col(string(ModerationLog::Target).default(""))
                    .col(big_integer(ModerationLog::At))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_moderation_log_room")
                            .from(ModerationLog::Table, ModerationLog::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_moderation_log_actor")
                            .from(ModerationLog::Table, ModerationLog::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // A room's latest entries.
        manager
            .create_index(
                Index::create()
                    .name("idx_moderation_log_room")
                    .table(ModerationLog::Table)
                    .if_not_exists()
                    .col(ModerationLog::RoomId)
                    .col(ModerationLog::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ModerationLog::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum ModerationLog {
    Table,
    Id,
    RoomId,
    ActorId,
    Action,
    Target,
    At,
}
