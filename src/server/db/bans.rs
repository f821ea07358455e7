//! Bans: who may not come back to a room.

use sea_orm::{
    sea_query::OnConflict, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::{
    entities::{
        room_bans::{self, Entity as RoomBans},
        users::{self, Entity as Users},
    },
    members, now_ms,
};

pub async fn is_banned(db: &impl ConnectionTrait, room_id: i64, user_id: i64) -> Result<bool, DbErr> {
    Ok(RoomBans::find_by_id((room_id, user_id)).one(db).await?.is_some())
}

/// Bans the user from the room and takes them out of it, in one step (the ban written first, so
/// SQLite takes its write lock before reading). Never the owner: false, and nothing changed, if
/// they own it or were banned already.
pub async fn ban<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    room_id: i64,
    user_id: i64,
    by: i64,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let row = room_bans::ActiveModel {
        room_id: Set(room_id),
        user_id: Set(user_id),
        banned_by: Set(Some(by)),
        banned_at: Set(now_ms()),
    };
    let inserted = RoomBans::insert(row)
        .on_conflict(
            OnConflict::columns([room_bans::Column::RoomId, room_bans::Column::UserId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    if inserted == 0
        || members::role_of(&txn, room_id, user_id).await? == Some(crate::shared::membership::Role::Owner)
    {
        txn.rollback().await?;
        return Ok(false);
    }
    members::remove(&txn, room_id, user_id).await?;
    txn.commit().await?;
    Ok(true)
}

/// Lifts a ban. False if there was none.
pub async fn unban(db: &impl ConnectionTrait, room_id: i64, user_id: i64) -> Result<bool, DbErr> {
    let deleted = RoomBans::delete_many()
        .filter(room_bans::Column::RoomId.eq(room_id))
        .filter(room_bans::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected > 0)
}

/// The names of the room's first `most` banned users, alphabetical.
pub async fn list(db: &impl ConnectionTrait, room_id: i64, most: u64) -> Result<Vec<String>, DbErr> {
    RoomBans::find()
        .select_only()
        .column(users::Column::Username)
        .inner_join(Users)
        .filter(room_bans::Column::RoomId.eq(room_id))
        .order_by_asc(users::Column::UsernameKey)
        .limit(most)
        .into_tuple()
        .all(db)
        .await
}

/// Those of `rooms` the user is banned from.
pub async fn among(db: &impl ConnectionTrait, user_id: i64, rooms: &[i64]) -> Result<Vec<i64>, DbErr> {
    RoomBans::find()
        .select_only()
        .column(room_bans::Column::RoomId)
        .filter(room_bans::Column::UserId.eq(user_id))
        .filter(room_bans::Column::RoomId.is_in(rooms.iter().copied()))
        .into_tuple()
        .all(db)
        .await
}

pub async fn count(db: &impl ConnectionTrait, room_id: i64) -> Result<u64, DbErr> {
    RoomBans::find().filter(room_bans::Column::RoomId.eq(room_id)).count(db).await
}
