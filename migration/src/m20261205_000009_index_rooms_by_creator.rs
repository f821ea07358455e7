use sea_orm_migration::prelude::*;

use super::m20261125_000002_create_rooms::Rooms;

/// Each room creation counts the creator's rooms of the last hour (the hourly allowance): this
/// index makes that a range read of their own rooms, never a scan of every room.
#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_rooms_created_by_created_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Rooms::Table)
                    .col(Rooms::CreatedBy)
                    .col(Rooms::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(INDEX).table(Rooms::Table).to_owned()).await
    }
}
