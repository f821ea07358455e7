use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261125_000002_create_rooms::Rooms, m20261125_000003_create_messages::Messages};

/// The log of changes to stored messages (edits, deletions), so a tab that was away can be told
/// the final state of what changed without reloading its history. Ids rise with every change
/// anywhere; a message's `version` is the id of its latest change (0: never changed), so a
/// reader keeps whichever state of a message is newest, whatever order they arrive in.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageChanges::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MessageChanges::Id))
                    .col(big_integer(MessageChanges::RoomId))
                    .col(big_integer(MessageChanges::MessageId))
                    .col(big_integer(MessageChanges::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_changes_room")
                            .from(MessageChanges::Table, MessageChanges::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_changes_message")
                            .from(MessageChanges::Table, MessageChanges::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Catch-up reads one room's changes since a moment: this index answers it without
        // touching other rooms' changes.
        manager
            .create_index(
                Index::create()
                    .name("idx_message_changes_room_id_created_at")
                    .table(MessageChanges::Table)
                    .col(MessageChanges::RoomId)
                    .col(MessageChanges::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // Deleting a message (or its author) deletes its changes through the foreign key.
        manager
            .create_index(
                Index::create()
                    .name("idx_message_changes_message_id")
                    .table(MessageChanges::Table)
                    .col(MessageChanges::MessageId)
                    .to_owned(),
            )
            .await?;
        // Not indexed: read with the message, never searched by. A default, so the message
        // writer's statements need not name it.
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(big_integer(Version::Version).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Messages::Table).drop_column(Version::Version).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(MessageChanges::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum MessageChanges {
    Table,
    Id,
    RoomId,
    MessageId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Version {
    Version,
}
