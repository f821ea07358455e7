use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261125_000001_create_users::Users, m20261125_000002_create_rooms::Rooms};

/// Invite links: whoever opens `/invite/<code>` while it is valid becomes a member of its room.
/// Revoking a link deletes it; one that expired or was used up stays until its room's managers
/// next look at their links.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoomInvites::Table)
                    .if_not_exists()
                    .col(string(RoomInvites::Code).primary_key())
                    .col(big_integer(RoomInvites::RoomId))
                    // Kept when its creator's account goes: the link is the room's.
                    .col(big_integer_null(RoomInvites::CreatedBy))
                    .col(big_integer(RoomInvites::CreatedAt))
                    .col(big_integer_null(RoomInvites::ExpiresAt))
                    .col(integer_null(RoomInvites::MaxUses))
                    .col(integer(RoomInvites::Uses).default(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_invites_room")
                            .from(RoomInvites::Table, RoomInvites::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_invites_creator")
                            .from(RoomInvites::Table, RoomInvites::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // A room's links, as its managers list them.
        manager
            .create_index(
                Index::create()
                    .name("idx_room_invites_room")
                    .table(RoomInvites::Table)
                    .if_not_exists()
                    .col(RoomInvites::RoomId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoomInvites::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum RoomInvites {
    Table,
    Code,
    RoomId,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    MaxUses,
    Uses,
}
