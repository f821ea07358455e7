use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000003_create_messages::Messages;

/// The client-chosen id of each message, so a resend after a reconnect is stored once.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(string_len_null(Nonce::Nonce, 64))
                    .to_owned(),
            )
            .await?;
        // Unique per author: two people may pick the same nonce, one person's resends may not.
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_user_id_nonce")
                    .table(Messages::Table)
                    .col(Messages::UserId)
                    .col(Nonce::Nonce)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_messages_user_id_nonce").table(Messages::Table).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Messages::Table).drop_column(Nonce::Nonce).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Nonce {
    Nonce,
}
