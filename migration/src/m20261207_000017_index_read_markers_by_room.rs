use sea_orm_migration::prelude::*;

use super::m20261125_000006_create_read_markers::ReadMarkers;

/// The people of a room (those who opened it, as their read markers say), found from the room:
/// what "@" offers in its message box.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_read_markers_room_user")
                    .table(ReadMarkers::Table)
                    .col(ReadMarkers::RoomId)
                    .col(ReadMarkers::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_read_markers_room_user").table(ReadMarkers::Table).to_owned())
            .await
    }
}
