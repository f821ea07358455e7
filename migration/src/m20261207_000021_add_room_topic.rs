use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000002_create_rooms::Rooms;

/// A room's topic: one line under its name, set by its owner or moderators (empty: none).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Rooms::Table).add_column(string(Topic::Topic).default("")).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Rooms::Table).drop_column(Topic::Topic).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Topic {
    Topic,
}
