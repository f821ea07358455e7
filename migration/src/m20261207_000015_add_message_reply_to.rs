use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000003_create_messages::Messages;

/// A reply names the message it answers. No foreign key: a deleted message keeps its row, and
/// one an administrator removes from the history leaves its replies standing, their quote saying
/// it is gone.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(big_integer_null(ReplyTo::ReplyTo))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Messages::Table).drop_column(ReplyTo::ReplyTo).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ReplyTo {
    ReplyTo,
}
