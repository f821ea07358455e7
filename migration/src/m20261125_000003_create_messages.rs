use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261125_000001_create_users::Users, m20261125_000002_create_rooms::Rooms};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Messages::Id))
                    .col(big_integer(Messages::RoomId))
                    .col(big_integer(Messages::UserId))
                    .col(text(Messages::Body))
                    .col(big_integer(Messages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_room")
                            .from(Messages::Table, Messages::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_user")
                            .from(Messages::Table, Messages::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // History is always read as "the latest N of one room, by id": this index answers it
        // without touching other rooms' rows, however large the table grows.
        manager
            .create_index(
                Index::create()
                    .name("idx_messages_room_id_id")
                    .table(Messages::Table)
                    .col(Messages::RoomId)
                    .col(Messages::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Messages::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum Messages {
    Table,
    Id,
    RoomId,
    UserId,
    Body,
    CreatedAt,
}
