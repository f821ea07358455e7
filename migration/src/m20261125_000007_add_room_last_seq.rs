use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000002_create_rooms::Rooms;

/// How many messages the instances sharing a room have numbered in it. Each instance's writer
/// bumps it in the statement that stores a batch, so the number is handed out under the room
/// row's lock: every reader can tell a missing message from one that is merely late. One
/// instance alone never reads it.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Rooms::Table)
                    .add_column(big_integer(LastSeq::LastSeq).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Rooms::Table).drop_column(LastSeq::LastSeq).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum LastSeq {
    LastSeq,
}
