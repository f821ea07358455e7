use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000002_create_rooms::Rooms;

/// A private room is for its members only: not listed, and to anyone else as if it did not exist.
/// Every room so far was public.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Rooms::Table)
                    .add_column(boolean(Private::Private).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Rooms::Table).drop_column(Private::Private).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Private {
    Private,
}
