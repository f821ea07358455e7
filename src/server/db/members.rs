//! Room membership: who is in which room, and their role there.

use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, TransactionSession, TransactionTrait,
};

use super::{
    entities::{
        read_markers::{self, Entity as ReadMarkers},
        room_members::{self, Entity as RoomMembers},
        users::{self, Entity as Users},
    },
    now_ms,
};
use crate::shared::membership::{Member, Role};

/// The user's role in the room; `None`: not a member.
pub async fn role_of(db: &impl ConnectionTrait, room_id: i64, user_id: i64) -> Result<Option<Role>, DbErr> {
    let found = RoomMembers::find_by_id((room_id, user_id)).one(db).await?;
    Ok(found.map(|member| Role::from_number(member.role)))
}

/// The user's role in the room and until when they are muted there; `None`: not a member.
pub async fn standing_of(
    db: &impl ConnectionTrait,
    room_id: i64,
    user_id: i64,
) -> Result<Option<(Role, Option<i64>)>, DbErr> {
    let found = RoomMembers::find_by_id((room_id, user_id)).one(db).await?;
    Ok(found.map(|member| (Role::from_number(member.role), member.muted_until)))
}

/// Mutes a member until `until` (ms), or (`None`) lets them speak again. False if they are not a
/// member.
pub async fn set_muted(
    db: &impl ConnectionTrait,
    room_id: i64,
    user_id: i64,
    until: Option<i64>,
) -> Result<bool, DbErr> {
    let changed = RoomMembers::update_many()
        .col_expr(room_members::Column::MutedUntil, Expr::val(until))
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(changed.rows_affected > 0)
}

/// Makes the user a member with `role`. False if they already were one (their role unchanged).
pub async fn add(db: &impl ConnectionTrait, room_id: i64, user_id: i64, role: Role) -> Result<bool, DbErr> {
    let row = room_members::ActiveModel {
        room_id: Set(room_id),
        user_id: Set(user_id),
        role: Set(role.number()),
        joined_at: Set(now_ms()),
        muted_until: Set(None),
    };
    let inserted = RoomMembers::insert(row)
        .on_conflict(
            OnConflict::columns([room_members::Column::RoomId, room_members::Column::UserId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted > 0)
}

/// Makes a member a moderator or a member again. False if they are not a member, or are the
/// owner (who changes only by handing the room over).
pub async fn set_role(
    db: &impl ConnectionTrait,
    room_id: i64,
    user_id: i64,
    role: Role,
) -> Result<bool, DbErr> {
    let changed = RoomMembers::update_many()
        .col_expr(room_members::Column::Role, Expr::val(role.number()))
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::UserId.eq(user_id))
        .filter(room_members::Column::Role.lt(Role::Owner.number()))
        .exec(db)
        .await?;
    Ok(changed.rows_affected > 0)
}

/// Makes `to` (a member) the room's owner and its owner until now a moderator, in one step. False
/// (and nothing changed) if `to` is not a member. Writes before it reads, so SQLite never finds
/// its snapshot stale; on PostgreSQL the index of one owner per room refuses a second hand-over
/// running at the same moment.
pub async fn hand_over<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    room_id: i64,
    to: i64,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    RoomMembers::update_many()
        .col_expr(room_members::Column::Role, Expr::val(Role::Moderator.number()))
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::Role.eq(Role::Owner.number()))
        .filter(room_members::Column::UserId.ne(to))
        .exec(&txn)
        .await?;
    let promoted = RoomMembers::update_many()
        .col_expr(room_members::Column::Role, Expr::val(Role::Owner.number()))
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::UserId.eq(to))
        .exec(&txn)
        .await?;
    if promoted.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    txn.commit().await?;
    Ok(true)
}

/// Takes the user out of the room, with their read marker (a room they left counts nothing
/// unread for them). Never the owner. False: they were not a member (or are the owner).
pub async fn remove<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    room_id: i64,
    user_id: i64,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let removed = RoomMembers::delete_many()
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::UserId.eq(user_id))
        .filter(room_members::Column::Role.lt(Role::Owner.number()))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    ReadMarkers::delete_many()
        .filter(read_markers::Column::RoomId.eq(room_id))
        .filter(read_markers::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// A room's first `most` members: the owner, moderators, then everyone else, each by name.
pub async fn list(db: &impl ConnectionTrait, room_id: i64, most: u64) -> Result<Vec<Member>, DbErr> {
    let rows: Vec<(String, i16, Option<i64>)> = RoomMembers::find()
        .select_only()
        .column(users::Column::Username)
        .column(room_members::Column::Role)
        .column(room_members::Column::MutedUntil)
        .inner_join(Users)
        .filter(room_members::Column::RoomId.eq(room_id))
        .order_by_desc(room_members::Column::Role)
        .order_by_asc(users::Column::UsernameKey)
        .limit(most)
        .into_tuple()
        .all(db)
        .await?;
    let now = now_ms();
    Ok(rows
        .into_iter()
        .map(|(name, role, muted_until)| Member {
            name,
            role: Role::from_number(role),
            muted_for_secs: muted_until.and_then(|until| muted_for(until, now)),
        })
        .collect())
}

/// Seconds of a mute until `until` left at `now` (ms); `None`: it is over.
pub fn muted_for(until: i64, now: i64) -> Option<u64> {
    (until > now).then(|| u64::try_from((until - now + 999) / 1000).unwrap_or(0))
}

/// How many members a room has.
pub async fn count(db: &impl ConnectionTrait, room_id: i64) -> Result<u64, DbErr> {
    RoomMembers::find().filter(room_members::Column::RoomId.eq(room_id)).count(db).await
}

/// The rooms the user is a member of, most recently read (or joined) first, `most` at most:
/// "Your rooms".
pub async fn recent_rooms(db: &impl ConnectionTrait, user_id: i64, most: u64) -> Result<Vec<i64>, DbErr> {
    use sea_orm::sea_query::{Alias, ExprTrait, Func, JoinType, Order, Query};
    let member = Alias::new("m");
    let marker = Alias::new("r");
    let last_active = Func::coalesce([
        Expr::col((marker.clone(), read_markers::Column::UpdatedAt)),
        Expr::col((member.clone(), room_members::Column::JoinedAt)),
    ]);
    let query = Query::select()
        .column((member.clone(), room_members::Column::RoomId))
        .from_as(RoomMembers, member.clone())
        .join_as(
            JoinType::LeftJoin,
            ReadMarkers,
            marker.clone(),
            Expr::col((marker.clone(), read_markers::Column::RoomId))
                .equals((member.clone(), room_members::Column::RoomId))
                .and(Expr::col((marker, read_markers::Column::UserId)).eq(user_id)),
        )
        .and_where(Expr::col((member.clone(), room_members::Column::UserId)).eq(user_id))
        .order_by_expr(last_active.into(), Order::Desc)
        // Ties (joined in the same millisecond) in a fixed order.
        .order_by((member, room_members::Column::RoomId), Order::Desc)
        .limit(most)
        .to_owned();
    let rows = db.query_all(&query).await?;
    rows.iter().map(|row| row.try_get_by_index::<i64>(0)).collect()
}

/// Those of `rooms` the user is a member of.
pub async fn among(db: &impl ConnectionTrait, user_id: i64, rooms: &[i64]) -> Result<Vec<i64>, DbErr> {
    RoomMembers::find()
        .select_only()
        .column(room_members::Column::RoomId)
        .filter(room_members::Column::UserId.eq(user_id))
        .filter(room_members::Column::RoomId.is_in(rooms.iter().copied()))
        .into_tuple()
        .all(db)
        .await
}

/// The rooms the user owns.
pub async fn owned_by(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<i64>, DbErr> {
    RoomMembers::find()
        .select_only()
        .column(room_members::Column::RoomId)
        .filter(room_members::Column::UserId.eq(user_id))
        .filter(room_members::Column::Role.eq(Role::Owner.number()))
        .into_tuple()
        .all(db)
        .await
}

/// Who takes a room over when its owner goes: the moderator there longest, else the member
/// there longest, never an account that is disabled or one of `passed_over` (who could not take
/// it); `None`: nobody else is in it.
pub async fn successor(
    db: &impl ConnectionTrait,
    room_id: i64,
    leaving: i64,
    passed_over: &[i64],
) -> Result<Option<i64>, DbErr> {
    RoomMembers::find()
        .select_only()
        .column(room_members::Column::UserId)
        .inner_join(Users)
        .filter(room_members::Column::RoomId.eq(room_id))
        .filter(room_members::Column::UserId.ne(leaving))
        .filter(room_members::Column::UserId.is_not_in(passed_over.iter().copied()))
        .filter(users::Column::Disabled.eq(false))
        .order_by_desc(room_members::Column::Role)
        .order_by_asc(room_members::Column::JoinedAt)
        .order_by_asc(room_members::Column::UserId)
        .into_tuple()
        .one(db)
        .await
}

/// Takes the user out of every room they do not own, with their read markers and any bans
/// against them (a ban of "deleted user" could never be lifted by name). A room still theirs
/// keeps its owner rather than have none.
pub async fn leave_all(db: &(impl ConnectionTrait + TransactionTrait), user_id: i64) -> Result<(), DbErr> {
    use super::entities::room_bans::{self, Entity as RoomBans};
    let txn = db.begin().await?;
    RoomMembers::delete_many()
        .filter(room_members::Column::UserId.eq(user_id))
        .filter(room_members::Column::Role.lt(Role::Owner.number()))
        .exec(&txn)
        .await?;
    ReadMarkers::delete_many().filter(read_markers::Column::UserId.eq(user_id)).exec(&txn).await?;
    RoomBans::delete_many().filter(room_bans::Column::UserId.eq(user_id)).exec(&txn).await?;
    txn.commit().await
}
