use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261125_000001_create_users::Users, m20261125_000003_create_messages::Messages};

/// Reactions: one row per person per emoji per message. They go with their message (and with the
/// account that made them) when an administrator removes either.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageReactions::Table)
                    .if_not_exists()
                    .col(big_pk_auto(MessageReactions::Id))
                    .col(big_integer(MessageReactions::MessageId))
                    .col(big_integer(MessageReactions::UserId))
                    .col(string(MessageReactions::Emoji))
                    .col(big_integer(MessageReactions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_reactions_message")
                            .from(MessageReactions::Table, MessageReactions::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_message_reactions_user")
                            .from(MessageReactions::Table, MessageReactions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One reaction per person per emoji; also the index a page's reactions are read by.
        manager
            .create_index(
                Index::create()
                    .name("idx_message_reactions_one_each")
                    .table(MessageReactions::Table)
                    .col(MessageReactions::MessageId)
                    .col(MessageReactions::Emoji)
                    .col(MessageReactions::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Removing an account finds its reactions without a scan.
        manager
            .create_index(
                Index::create()
                    .name("idx_message_reactions_user")
                    .table(MessageReactions::Table)
                    .col(MessageReactions::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MessageReactions::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum MessageReactions {
    Table,
    Id,
    MessageId,
    UserId,
    Emoji,
    CreatedAt,
}
