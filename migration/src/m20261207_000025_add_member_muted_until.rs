use sea_orm_migration::{prelude::*, schema::*};

use super::m20261207_000019_create_room_members::RoomMembers;

/// Until when (ms) a member is muted in the room: they read but cannot post, react, pin or edit.
/// `NULL`: not muted (nor is anyone whose time has passed).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RoomMembers::Table)
                    .add_column(big_integer_null(MutedUntil::MutedUntil))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(RoomMembers::Table).drop_column(MutedUntil::MutedUntil).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum MutedUntil {
    MutedUntil,
}
