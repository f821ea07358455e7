use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000003_create_messages::Messages;

/// Pins: when a message was pinned to its room (NULL: not pinned) and by whom. A room's pinned
/// list reads its pinned messages newest first by the index, never the whole history.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        manager
            .alter_table(
                Table::alter().table(Messages::Table).add_column(big_integer_null(Pins::PinnedAt)).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Messages::Table).add_column(big_integer_null(Pins::PinnedBy)).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_room_pinned_at")
                    .table(Messages::Table)
                    .col(Messages::RoomId)
                    .col(Pins::PinnedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_messages_room_pinned_at").table(Messages::Table).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Messages::Table).drop_column(Pins::PinnedBy).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Messages::Table).drop_column(Pins::PinnedAt).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Pins {
    PinnedAt,
    /// The account that pinned it (kept when that account goes: a pin stays the room's).
    PinnedBy,
}
