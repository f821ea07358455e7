use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261125_000001_create_users::Users, m20261125_000002_create_rooms::Rooms};

/// How far each user has read in each room they opened: unread counts come from it, and being
/// kept here rather than in a browser, every device of the user agrees.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReadMarkers::Table)
                    .if_not_exists()
                    .col(big_integer(ReadMarkers::UserId))
                    .col(big_integer(ReadMarkers::RoomId))
                    .col(big_integer(ReadMarkers::LastReadId))
                    .col(big_integer(ReadMarkers::UpdatedAt))
                    .primary_key(Index::create().col(ReadMarkers::UserId).col(ReadMarkers::RoomId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_read_markers_user")
                            .from(ReadMarkers::Table, ReadMarkers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_read_markers_room")
                            .from(ReadMarkers::Table, ReadMarkers::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ReadMarkers::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum ReadMarkers {
    Table,
    UserId,
    RoomId,
    LastReadId,
    UpdatedAt,
}
