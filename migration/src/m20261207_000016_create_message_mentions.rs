use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261125_000001_create_users::Users, m20261125_000003_create_messages::Messages};

/// Mentions: which people a message names with "@name", as references to their accounts (so a
/// mention follows its person through a rename), with the name as it was written (what the text
/// says, to be shown as the person's name now). They go with their message and with the account.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageMentions::Table)
                    .if_not_exists()
                    .col(big_integer(MessageMentions::MessageId))
                    .col(big_integer(MessageMentions::UserId))
                    .col(big_integer(MessageMentions::RoomId))
                    .col(string(MessageMentions::Name))
                    .primary_key(Index::create().col(MessageMentions::MessageId).col(MessageMentions::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_mentions_message")
                            .from(MessageMentions::Table, MessageMentions::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_mentions_user")
                            .from(MessageMentions::Table, MessageMentions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A reader's mention count in a room: their mentions there after their read marker.
        manager
            .create_index(
                Index::create()
                    .name("idx_message_mentions_user_room")
                    .table(MessageMentions::Table)
                    .col(MessageMentions::UserId)
                    .col(MessageMentions::RoomId)
                    .col(MessageMentions::MessageId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MessageMentions::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum MessageMentions {
    Table,
    MessageId,
    UserId,
    /// The message's room, so a count reads one index range.
    RoomId,
    /// The name as the message wrote it.
    Name,
}
