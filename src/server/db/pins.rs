//! Pins: a room's chosen messages. Pinning or unpinning is a change to the message like an edit
//! (logged in `message_changes`, stamped as its `version`), so it reaches every reader live and
//! in catch-up the same way.

use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use super::{
    changes::{keep_if, log},
    entities::{
        messages::{self, Entity as Messages},
        rooms::{self, Entity as Rooms},
    },
    now_ms,
};

/// What asking to pin or unpin did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pinned {
    /// The message's pin changed: this is the change's id (its new version).
    Changed(i64),
    /// It already was as asked.
    Unchanged,
    /// The room has as many pinned messages as it may.
    Full,
    /// The message was deleted meanwhile.
    Deleted,
}

/// Pins a message to its room by `by`, unless the room already has `most` pinned.
pub async fn pin(
    db: &(impl ConnectionTrait + TransactionTrait),
    message: &messages::Model,
    by: i64,
    most: u64,
) -> Result<Pinned, DbErr> {
    use messages::Column;
    let txn = db.begin().await?;
    // The room's row first (a write that changes nothing): pins to one room take turns, so two
    // cannot both take its last place, and on SQLite the transaction holds the write lock before
    // it reads (a read first could not write after the message writer committed).
    Rooms::update_many()
        .col_expr(rooms::Column::Id, Expr::col(rooms::Column::Id))
        .filter(rooms::Column::Id.eq(message.room_id))
        .exec(&txn)
        .await?;
    let now = now_ms();
    // After every pin already in the room, even one made within the same millisecond: the list
    // is in pinning order.
    let last: Option<Option<i64>> = Messages::find()
        .filter(Column::RoomId.eq(message.room_id))
        .select_only()
        .column_as(Column::PinnedAt.max(), "last")
        .into_tuple()
        .one(&txn)
        .await?;
    let at = last.flatten().map_or(now, |last| now.max(last + 1));
    let updated = Messages::update_many()
        .col_expr(Column::PinnedAt, Expr::value(at))
        .col_expr(Column::PinnedBy, Expr::value(by))
        .filter(Column::Id.eq(message.id))
        .filter(Column::DeletedAt.is_null())
        .filter(Column::PinnedAt.is_null())
        .exec(&txn)
        .await?;
    let outcome = if updated.rows_affected == 1 {
        if count(&txn, message.room_id).await? > most {
            Pinned::Full
        } else {
            Pinned::Changed(log(&txn, message, now).await?)
        }
    } else {
        settled(&txn, message.id).await?
    };
    keep_if(txn, matches!(outcome, Pinned::Changed(_))).await?;
    Ok(outcome)
}

/// Unpins a message.
pub async fn unpin(
    db: &(impl ConnectionTrait + TransactionTrait),
    message: &messages::Model,
) -> Result<Pinned, DbErr> {
    use messages::Column;
    let txn = db.begin().await?;
    let updated = Messages::update_many()
        .col_expr(Column::PinnedAt, Expr::value(Option::<i64>::None))
        .col_expr(Column::PinnedBy, Expr::value(Option::<i64>::None))
        .filter(Column::Id.eq(message.id))
        .filter(Column::DeletedAt.is_null())
        .filter(Column::PinnedAt.is_not_null())
        .exec(&txn)
        .await?;
    let outcome = if updated.rows_affected == 1 {
        Pinned::Changed(log(&txn, message, now_ms()).await?)
    } else {
        settled(&txn, message.id).await?
    };
    keep_if(txn, matches!(outcome, Pinned::Changed(_))).await?;
    Ok(outcome)
}

/// Why a pin or unpin changed nothing: the message is deleted, or already as asked.
async fn settled(txn: &impl ConnectionTrait, id: i64) -> Result<Pinned, DbErr> {
    let now = Messages::find_by_id(id).one(txn).await?;
    Ok(if now.is_none_or(|message| message.deleted_at.is_some()) {
        Pinned::Deleted
    } else {
        Pinned::Unchanged
    })
}

async fn count(txn: &impl ConnectionTrait, room_id: i64) -> Result<u64, DbErr> {
    use messages::Column;
    Messages::find()
        .filter(Column::RoomId.eq(room_id))
        .filter(Column::PinnedAt.is_not_null())
        .count(txn)
        .await
}

/// The ids of a room's pinned messages, the latest pinned first, at most `limit`.
pub async fn of_room(db: &impl ConnectionTrait, room_id: i64, limit: u64) -> Result<Vec<i64>, DbErr> {
    use messages::Column;
    Messages::find()
        .filter(Column::RoomId.eq(room_id))
        .filter(Column::PinnedAt.is_not_null())
        .order_by_desc(Column::PinnedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .select_only()
        .column(Column::Id)
        .into_tuple()
        .all(db)
        .await
}
