//! Reactions: one row per person per emoji per message. Adding or taking one back is a change to
//! the message like an edit (logged in `message_changes`, stamped as its `version`), so it
//! reaches every reader live and in catch-up the same way.

use std::collections::HashMap;

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::{
    changes::{keep_if, log},
    entities::{
        message_reactions::{self, Entity as MessageReactions},
        messages::{self, Entity as Messages},
    },
    now_ms,
};
use crate::shared::views::Reaction;

/// What asking to add or take back a reaction did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reacted {
    /// The reactions changed: this is the change's id (the message's new version).
    Changed(i64),
    /// They already were as asked (a second press from another tab).
    Unchanged,
    /// The message carries as many different emoji as it may, and this would be another.
    Full,
    /// The message was deleted meanwhile.
    Deleted,
}

/// Adds `user_id`'s reaction `emoji` to a message, unless the message already carries `most`
/// different emoji and this is not one of them.
pub async fn add(
    db: &(impl ConnectionTrait + TransactionTrait),
    message: &messages::Model,
    user_id: i64,
    emoji: &str,
    most: usize,
) -> Result<Reacted, DbErr> {
    use message_reactions::Column;
    let txn = db.begin().await?;
    if !lock(&txn, message.id).await? {
        txn.rollback().await?;
        return Ok(Reacted::Deleted);
    }
    let given = MessageReactions::find()
        .filter(Column::MessageId.eq(message.id))
        .filter(Column::Emoji.eq(emoji))
        .select_only()
        .column(Column::UserId)
        .into_tuple::<i64>()
        .all(&txn)
        .await?;
    let outcome = if given.contains(&user_id) {
        Reacted::Unchanged
    } else if given.is_empty() && distinct_emoji(&txn, message.id).await? >= most as u64 {
        Reacted::Full
    } else {
        let now = now_ms();
        message_reactions::ActiveModel {
            message_id: Set(message.id),
            user_id: Set(user_id),
            emoji: Set(emoji.to_owned()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        Reacted::Changed(log(&txn, message, now).await?)
    };
    keep_if(txn, matches!(outcome, Reacted::Changed(_))).await?;
    Ok(outcome)
}

/// Takes back `user_id`'s reaction `emoji` to a message.
pub async fn remove(
    db: &(impl ConnectionTrait + TransactionTrait),
    message: &messages::Model,
    user_id: i64,
    emoji: &str,
) -> Result<Reacted, DbErr> {
    use message_reactions::Column;
    let txn = db.begin().await?;
    if !lock(&txn, message.id).await? {
        txn.rollback().await?;
        return Ok(Reacted::Deleted);
    }
    let removed = MessageReactions::delete_many()
        .filter(Column::MessageId.eq(message.id))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Emoji.eq(emoji))
        .exec(&txn)
        .await?;
    let outcome = if removed.rows_affected == 0 {
        Reacted::Unchanged
    } else {
        Reacted::Changed(log(&txn, message, now_ms()).await?)
    };
    keep_if(txn, matches!(outcome, Reacted::Changed(_))).await?;
    Ok(outcome)
}

/// Locks a message's row for this transaction (a write that changes nothing), so changes to one
/// message take effect one at a time and are numbered in that order. False once it is deleted.
async fn lock(txn: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    use messages::Column;
    let locked = Messages::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version))
        .filter(Column::Id.eq(id))
        .filter(Column::DeletedAt.is_null())
        .exec(txn)
        .await?;
    Ok(locked.rows_affected == 1)
}

async fn distinct_emoji(txn: &impl ConnectionTrait, message_id: i64) -> Result<u64, DbErr> {
    use message_reactions::Column;
    MessageReactions::find()
        .filter(Column::MessageId.eq(message_id))
        .select_only()
        .column(Column::Emoji)
        .distinct()
        .count(txn)
        .await
}

/// The reactions of these messages, by message: each emoji once, in the order first given, with
/// who gave it in the order they did.
pub async fn of(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, Vec<Reaction>>, DbErr> {
    use message_reactions::Column;
    let mut by_message: HashMap<i64, Vec<Reaction>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_message);
    }
    let rows: Vec<(i64, String, Option<String>)> = MessageReactions::find()
        .filter(Column::MessageId.is_in(ids.iter().copied()))
        .select_only()
        .column(Column::MessageId)
        .column(Column::Emoji)
        .column_as(super::entities::users::Column::Username, "username")
        .left_join(super::entities::users::Entity)
        .order_by_asc(Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (message_id, emoji, user) in rows {
        let reactions = by_message.entry(message_id).or_default();
        // The foreign key cascades, so a reaction always has its user; this guards a database
        // edited by hand.
        let user = user.unwrap_or_else(|| "unknown".into());
        match reactions.iter_mut().find(|r| r.emoji == emoji) {
            Some(reaction) => reaction.users.push(user),
            None => reactions.push(Reaction { emoji, users: vec![user] }),
        }
    }
    Ok(by_message)
}

/// Every reaction the user has given: the message, and the emoji.
pub async fn given_by(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<(i64, String)>, DbErr> {
    use message_reactions::Column;
    MessageReactions::find()
        .select_only()
        .column(Column::MessageId)
        .column(Column::Emoji)
        .filter(Column::UserId.eq(user_id))
        .order_by_asc(Column::MessageId)
        .into_tuple()
        .all(db)
        .await
}
