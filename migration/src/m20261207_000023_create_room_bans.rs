use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261125_000001_create_users::Users, m20261125_000002_create_rooms::Rooms};

/// Who is banned from which room: they cannot open it, be added to it or use an invite link to
/// it until a moderator unbans them.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoomBans::Table)
                    .if_not_exists()
                    .col(big_integer(RoomBans::RoomId))
                    .col(big_integer(RoomBans::UserId))
                    .col(big_integer_null(RoomBans::BannedBy))
                    .col(big_integer(RoomBans::BannedAt))
                    .primary_key(Index::create().col(RoomBans::RoomId).col(RoomBans::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_bans_room")
                            .from(RoomBans::Table, RoomBans::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_bans_user")
                            .from(RoomBans::Table, RoomBans::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_bans_by")
                            .from(RoomBans::Table, RoomBans::BannedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoomBans::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum RoomBans {
    Table,
    RoomId,
    UserId,
    BannedBy,
    BannedAt,
}
