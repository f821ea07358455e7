use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000003_create_messages::Messages;

/// A message deleted by its author (or a moderator) keeps its row, so replies to it still make
/// sense, and loses its text: this says when, and that it is "Message deleted" for everyone.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(big_integer_null(DeletedAt::DeletedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Messages::Table).drop_column(DeletedAt::DeletedAt).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DeletedAt {
    DeletedAt,
}
