use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000006_create_read_markers::ReadMarkers;

/// How a user is told about a room of theirs: 0 every message, 1 mentions only, 2 nothing
/// (`shared::views::NotifyLevel`). Kept beside the read marker: both are "this user in this room",
/// and every device reads them together.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ReadMarkers::Table)
                    .add_column(small_integer(Notify::Notify).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(ReadMarkers::Table).drop_column(Notify::Notify).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Notify {
    Notify,
}
