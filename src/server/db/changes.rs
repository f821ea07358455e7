//! Changes to stored messages: edits (keeping every earlier text) and deletions (keeping the row,
//! losing the text), each logged in `message_changes` so a tab that was away can be told the
//! final state of what changed.
//!
//! A change locks its message's row first (the `UPDATE`), and only then draws its id: so two
//! changes to one message get ids in the order they took effect, and a reader that keeps the
//! state with the higher `version` keeps the last one.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::{
    entities::{
        message_changes::{self, Entity as MessageChanges},
        message_edits::{self, Entity as MessageEdits},
        message_reactions::{self, Entity as MessageReactions},
        messages::{self, Entity as Messages},
    },
    mentions::{self, Mentioned},
    messages::shown_by_ids,
    now_ms,
};
use crate::shared::views::{MessageVersion, MessageView};

/// How long a change may take between being numbered and reaching readers (on another
/// instance, a change numbered earlier can be published later). Catch-up replays from this long
/// before the last change a tab saw, so such a late one is not skipped; states it already has
/// come again and are dropped by version.
pub const LATE_CHANGE_MARGIN_MS: i64 = 30_000;

/// A stored message as it is now, by id.
pub async fn current(db: &impl ConnectionTrait, id: i64) -> Result<Option<messages::Model>, DbErr> {
    Messages::find_by_id(id).one(db).await
}

/// Up to `most` of the user's messages not deleted yet, after message `after`, oldest first: what
/// removing everything they wrote goes through, a page at a time.
pub async fn undeleted_by(
    db: &impl ConnectionTrait,
    user_id: i64,
    after: i64,
    most: u64,
) -> Result<Vec<messages::Model>, DbErr> {
    use messages::Column;
    Messages::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::DeletedAt.is_null())
        .filter(Column::Id.gt(after))
        .order_by_asc(Column::Id)
        .limit(most)
        .all(db)
        .await
}

/// Replaces a message's text with `body` (which mentions `mentioned`), keeping the text it had as
/// an earlier version. `None` when the message is no longer as `was` shows it (deleted, or edited
/// meanwhile): nothing changed.
pub async fn edit(
    db: &(impl ConnectionTrait + TransactionTrait),
    was: &messages::Model,
    body: &str,
    mentioned: &[Mentioned],
) -> Result<Option<i64>, DbErr> {
    use messages::Column;
    let now = now_ms();
    let txn = db.begin().await?;
    let updated = Messages::update_many()
        .col_expr(Column::Body, Expr::value(body))
        .col_expr(Column::EditedAt, Expr::value(now))
        .filter(Column::Id.eq(was.id))
        .filter(Column::Body.eq(was.body.as_str()))
        .filter(Column::DeletedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(None);
    }
    message_edits::ActiveModel {
        message_id: Set(was.id),
        body: Set(was.body.clone()),
        written_at: Set(was.edited_at.unwrap_or(was.created_at)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    mentions::replace(&txn, was.id, was.room_id, mentioned).await?;
    let version = log(&txn, was, now).await?;
    txn.commit().await?;
    Ok(Some(version))
}

/// Deletes a message's text, its earlier versions, its reactions and its mentions, and unpins
/// it, keeping its row (and so its place, and what replies to it point at). `None` when it was
/// deleted already.
pub async fn delete(
    db: &(impl ConnectionTrait + TransactionTrait),
    was: &messages::Model,
) -> Result<Option<i64>, DbErr> {
    use messages::Column;
    let now = now_ms();
    let txn = db.begin().await?;
    let updated = Messages::update_many()
        .col_expr(Column::Body, Expr::value(""))
        .col_expr(Column::DeletedAt, Expr::value(now))
        .col_expr(Column::PinnedAt, Expr::value(Option::<i64>::None))
        .col_expr(Column::PinnedBy, Expr::value(Option::<i64>::None))
        .filter(Column::Id.eq(was.id))
        .filter(Column::DeletedAt.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(None);
    }
    MessageEdits::delete_many().filter(message_edits::Column::MessageId.eq(was.id)).exec(&txn).await?;
    MessageReactions::delete_many()
        .filter(message_reactions::Column::MessageId.eq(was.id))
        .exec(&txn)
        .await?;
    mentions::replace(&txn, was.id, was.room_id, &[]).await?;
    let version = log(&txn, was, now).await?;
    txn.commit().await?;
    Ok(Some(version))
}

/// Numbers a change to a message whose row this transaction has locked, and stamps the message
/// with it.
pub(super) async fn log(
    txn: &impl ConnectionTrait,
    message: &messages::Model,
    now: i64,
) -> Result<i64, DbErr> {
    let change = message_changes::ActiveModel {
        room_id: Set(message.room_id),
        message_id: Set(message.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Messages::update_many()
        .col_expr(messages::Column::Version, Expr::value(change.id))
        .filter(messages::Column::Id.eq(message.id))
        .exec(txn)
        .await?;
    Ok(change.id)
}

/// Commits a change's transaction when it changed something (`keep`), rolls it back otherwise:
/// a refused or redundant change leaves no trace, not even its lock.
pub(super) async fn keep_if(txn: impl TransactionSession, keep: bool) -> Result<(), DbErr> {
    if keep {
        txn.commit().await
    } else {
        txn.rollback().await
    }
}

/// The id of the latest change anywhere (0 if none): a page that reads it before its history
/// shows every change up to it.
pub async fn latest(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let latest = MessageChanges::find().order_by_desc(message_changes::Column::Id).one(db).await?;
    Ok(latest.map_or(0, |change| change.id))
}

/// The latest change made before `time_ms` (0 if none): where readers who may have missed
/// everything since then should catch up from.
pub async fn last_id_before(db: &impl ConnectionTrait, time_ms: i64) -> Result<i64, DbErr> {
    let latest = MessageChanges::find()
        .filter(message_changes::Column::CreatedAt.lt(time_ms))
        .order_by_desc(message_changes::Column::Id)
        .one(db)
        .await?;
    Ok(latest.map_or(0, |change| change.id))
}

/// The current state of a room's messages changed after change `after` (and a little before
/// it: [`LATE_CHANGE_MARGIN_MS`]), oldest first; only those up to message `up_to` when given (the
/// newer ones come with their messages). At most `limit`; `None` when more changed.
pub async fn since(
    db: &impl ConnectionTrait,
    room_id: i64,
    after: i64,
    up_to: Option<i64>,
    limit: u64,
) -> Result<Option<Vec<MessageView>>, DbErr> {
    use message_changes::Column;
    let mut query = MessageChanges::find().filter(Column::RoomId.eq(room_id));
    // From a little before the change the tab saw last; if that change is gone (its message
    // was removed from the history), from the changes numbered after it.
    query = match MessageChanges::find_by_id(after).one(db).await? {
        Some(seen) => query.filter(Column::CreatedAt.gte(seen.created_at - LATE_CHANGE_MARGIN_MS)),
        None => query.filter(Column::Id.gt(after)),
    };
    if let Some(up_to) = up_to {
        query = query.filter(Column::MessageId.lte(up_to));
    }
    let changed: Vec<i64> = query
        .select_only()
        .column(Column::MessageId)
        .distinct()
        .limit(limit + 1)
        .into_tuple()
        .all(db)
        .await?;
    if changed.len() as u64 > limit {
        return Ok(None);
    }
    shown_by_ids(db, &changed).await.map(Some)
}

/// Every text a message has had, oldest first, the current one last.
pub async fn versions(
    db: &impl ConnectionTrait,
    message: &messages::Model,
) -> Result<Vec<MessageVersion>, DbErr> {
    let earlier = MessageEdits::find()
        .filter(message_edits::Column::MessageId.eq(message.id))
        .order_by_asc(message_edits::Column::Id)
        .all(db)
        .await?;
    let mut versions: Vec<MessageVersion> = earlier
        .into_iter()
        .map(|edit| MessageVersion { body: edit.body, written_at_ms: edit.written_at })
        .collect();
    if message.deleted_at.is_none() {
        versions.push(MessageVersion {
            body: message.body.clone(),
            written_at_ms: message.edited_at.unwrap_or(message.created_at),
        });
    }
    Ok(versions)
}
