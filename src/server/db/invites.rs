//! Invite links: made, listed, revoked, and used by someone to join their room.

use sea_orm::{
    sea_query::{Condition, Expr, ExprTrait},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};

use super::{
    entities::room_invites::{self, Entity as RoomInvites},
    members, now_ms,
};
use crate::shared::{invites::InviteLink, membership::Role};

/// Links that can still let someone in, at `now` (ms).
fn valid(now: i64) -> Condition {
    Condition::all()
        .add(
            Condition::any()
                .add(room_invites::Column::ExpiresAt.is_null())
                .add(room_invites::Column::ExpiresAt.gt(now)),
        )
        .add(
            Condition::any()
                .add(room_invites::Column::MaxUses.is_null())
                .add(Expr::col(room_invites::Column::Uses).lt(Expr::col(room_invites::Column::MaxUses))),
        )
}

pub async fn create(
    db: &impl ConnectionTrait,
    code: &str,
    room_id: i64,
    created_by: i64,
    expires_hours: Option<u32>,
    max_uses: Option<u32>,
) -> Result<(), DbErr> {
    let now = now_ms();
    // Links that expired or were used up let nobody in: they go when the room makes a new one
    // (not when its page is drawn, which would take SQLite's write lock on every view).
    RoomInvites::delete_many()
        .filter(room_invites::Column::RoomId.eq(room_id))
        .filter(valid(now).not())
        .exec(db)
        .await?;
    let row = room_invites::ActiveModel {
        code: Set(code.to_owned()),
        room_id: Set(room_id),
        created_by: Set(Some(created_by)),
        created_at: Set(now),
        expires_at: Set(expires_hours.map(|hours| now + i64::from(hours) * 3_600_000)),
        max_uses: Set(max_uses.map(|most| i32::try_from(most).unwrap_or(i32::MAX))),
        uses: Set(0),
    };
    RoomInvites::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// A room's links that are still valid, newest first.
pub async fn list(db: &impl ConnectionTrait, room_id: i64) -> Result<Vec<InviteLink>, DbErr> {
    let now = now_ms();
    let links = RoomInvites::find()
        .filter(room_invites::Column::RoomId.eq(room_id))
        .filter(valid(now))
        .order_by_desc(room_invites::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(links
        .into_iter()
        .map(|link| InviteLink {
            code: link.code,
            expires_in_secs: link.expires_at.map(|at| u64::try_from((at - now) / 1000).unwrap_or(0)),
            uses: u32::try_from(link.uses).unwrap_or(0),
            max_uses: link.max_uses.map(|most| u32::try_from(most).unwrap_or(0)),
        })
        .collect())
}

/// How many valid links a room has.
pub async fn count(db: &impl ConnectionTrait, room_id: i64) -> Result<u64, DbErr> {
    RoomInvites::find()
        .filter(room_invites::Column::RoomId.eq(room_id))
        .filter(valid(now_ms()))
        .count(db)
        .await
}

/// The room a link leads to, valid or not (a member reopening a used-up link still finds their
/// room).
pub async fn room_of(db: &impl ConnectionTrait, code: &str) -> Result<Option<i64>, DbErr> {
    let found = RoomInvites::find_by_id(code.to_owned()).one(db).await?;
    Ok(found.map(|link| link.room_id))
}

/// Revokes a link of the room. False if it has no such link.
pub async fn revoke(db: &impl ConnectionTrait, room_id: i64, code: &str) -> Result<bool, DbErr> {
    let deleted = RoomInvites::delete_many()
        .filter(room_invites::Column::Code.eq(code))
        .filter(room_invites::Column::RoomId.eq(room_id))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected > 0)
}

/// Makes the user a member of the link's room, counting one use, if the link is still valid. A
/// use is counted first and taken back if the user was a member already, so two people racing
/// for a link's last use cannot both get in (and SQLite's write lock is taken before any read).
/// False: no such link, or it expired or was used up.
pub async fn redeem<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    code: &str,
    user_id: i64,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let counted = RoomInvites::update_many()
        .col_expr(room_invites::Column::Uses, Expr::col(room_invites::Column::Uses).add(1))
        .filter(room_invites::Column::Code.eq(code))
        .filter(valid(now_ms()))
        .exec(&txn)
        .await?;
    if counted.rows_affected == 0 {
        return Ok(false);
    }
    let Some(link) = RoomInvites::find_by_id(code.to_owned()).one(&txn).await? else {
        return Ok(false);
    };
    if members::add(&txn, link.room_id, user_id, Role::Member).await? {
        txn.commit().await?;
    } else {
        txn.rollback().await?;
    }
    Ok(true)
}
