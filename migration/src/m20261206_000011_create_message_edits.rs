use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000003_create_messages::Messages;

/// Edits: when a message was last edited, and every earlier text of it with the time it was
/// written (everyone in the room may see them, as in Zulip). A deleted message loses them too.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageEdits::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MessageEdits::Id))
                    .col(big_integer(MessageEdits::MessageId))
                    .col(text(MessageEdits::Body))
                    .col(big_integer(MessageEdits::WrittenAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_edits_message")
                            .from(MessageEdits::Table, MessageEdits::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_message_edits_message_id")
                    .table(MessageEdits::Table)
                    .col(MessageEdits::MessageId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(big_integer_null(EditedAt::EditedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Messages::Table).drop_column(EditedAt::EditedAt).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(MessageEdits::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum MessageEdits {
    Table,
    Id,
    MessageId,
    Body,
    /// When this text became the message's: its sending, or the edit that wrote it.
    WrittenAt,
}

#[derive(DeriveIden)]
enum EditedAt {
    EditedAt,
}
