use sea_orm_migration::{prelude::*, schema::*};

use super::{m20261125_000001_create_users::Users, m20261125_000002_create_rooms::Rooms};

/// Who belongs to a room, and as what: 0 member, 1 moderator, 2 owner (`shared::membership::Role`).
/// Until now anyone who had read a room was, in effect, in it, and its creator ran it: both are
/// carried over, so nobody loses a room of theirs.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoomMembers::Table)
                    .if_not_exists()
                    .col(big_integer(RoomMembers::RoomId))
                    .col(big_integer(RoomMembers::UserId))
                    .col(small_integer(RoomMembers::Role).default(0))
                    .col(big_integer(RoomMembers::JoinedAt))
                    .primary_key(Index::create().col(RoomMembers::RoomId).col(RoomMembers::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_members_room")
                            .from(RoomMembers::Table, RoomMembers::RoomId)
                            .to(Rooms::Table, Rooms::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_room_members_user")
                            .from(RoomMembers::Table, RoomMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // "Your rooms": a user's memberships.
        manager
            .create_index(
                Index::create()
                    .name("idx_room_members_user")
                    .table(RoomMembers::Table)
                    .if_not_exists()
                    .col(RoomMembers::UserId)
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // One owner per room, whatever runs at the same moment (the same words on both
        // databases: a partial index).
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS idx_room_members_one_owner ON room_members (room_id) \
             WHERE role = 2",
        )
        .await?;
        // Readers become members, creators owners (a creator who also read is an owner).
        db.execute_unprepared(
            "INSERT INTO room_members (room_id, user_id, role, joined_at) \
             SELECT id, created_by, 2, created_at FROM rooms WHERE created_by IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = rooms.id)",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO room_members (room_id, user_id, role, joined_at) \
             SELECT r.room_id, r.user_id, 0, r.updated_at FROM read_markers r \
             WHERE NOT EXISTS (SELECT 1 FROM room_members m \
                               WHERE m.room_id = r.room_id AND m.user_id = r.user_id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RoomMembers::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum RoomMembers {
    Table,
    RoomId,
    UserId,
    Role,
    JoinedAt,
}
