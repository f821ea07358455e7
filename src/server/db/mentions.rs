//! Mentions as stored: for each message, the accounts its "@names" named when it was written
//! (or last edited), with the name as written. A reader is shown each mentioned person's name
//! as it is now, and counts the unread messages that mention them (`read_markers`).

use std::collections::HashMap;

use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr, OnConflict, Query},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{
    entities::{
        message_mentions::{self, Entity as MessageMentions},
        room_members::{self, Entity as RoomMembers},
        users::{self, Entity as Users},
    },
    like_escaped,
};
use crate::shared::{
    mentions::{self, SUGGESTIONS_MAX},
    validate::username_key,
    views::MessageView,
};

/// One person a new or edited message mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mentioned {
    pub user_id: i64,
    /// The name as the text writes it ("@Bob" for bob).
    pub written: String,
    /// Their account's name.
    pub name: String,
}

/// The accounts `body`'s "@names" name (the author's own too: it stands out for them, but never
/// counts as unread). Names no account has stay text. Reads nothing when the text has no "@name".
pub async fn resolve(db: &impl ConnectionTrait, body: &str) -> Result<Vec<Mentioned>, DbErr> {
    let written = mentions::names(body);
    if written.is_empty() {
        return Ok(Vec::new());
    }
    let accounts: Vec<(i64, String, String)> = Users::find()
        .select_only()
        .columns([users::Column::Id, users::Column::UsernameKey, users::Column::Username])
        .filter(users::Column::UsernameKey.is_in(written.iter().map(|name| username_key(name))))
        .into_tuple()
        .all(db)
        .await?;
    Ok(written
        .into_iter()
        .filter_map(|written| {
            let key = username_key(written);
            accounts.iter().find(|(_, found, _)| *found == key).map(|(user_id, _, name)| Mentioned {
                user_id: *user_id,
                written: written.to_owned(),
                name: name.clone(),
            })
        })
        .collect())
}

/// Stores the mentions of a message just stored (in its statement's transaction).
pub async fn insert(
    db: &impl ConnectionTrait,
    message_id: i64,
    room_id: i64,
    mentioned: &[Mentioned],
) -> Result<(), DbErr> {
    use message_mentions::Column;
    if mentioned.is_empty() {
        return Ok(());
    }
    let mut statement = Query::insert();
    statement.into_table(MessageMentions).columns([
        Column::MessageId,
        Column::UserId,
        Column::RoomId,
        Column::Name,
    ]);
    for one in mentioned {
        statement
            .values([
                Expr::val(message_id),
                Expr::val(one.user_id),
                Expr::val(room_id),
                Expr::val(one.written.as_str()),
            ])
            .map_err(|err| DbErr::Custom(err.to_string()))?;
    }
    statement.on_conflict(OnConflict::columns([Column::MessageId, Column::UserId]).do_nothing().to_owned());
    db.execute(&statement).await?;
    Ok(())
}

/// Replaces a message's mentions (an edit: the new text's), or drops them (`mentioned` empty: a
/// deletion). In the change's transaction.
pub async fn replace(
    db: &impl ConnectionTrait,
    message_id: i64,
    room_id: i64,
    mentioned: &[Mentioned],
) -> Result<(), DbErr> {
    MessageMentions::delete_many()
        .filter(message_mentions::Column::MessageId.eq(message_id))
        .exec(db)
        .await?;
    insert(db, message_id, room_id, mentioned).await
}

/// Fills in the mentions of these messages (read only for those whose text has an "@"): each
/// mentioned person's name now, and the text's "@name" for anyone renamed since.
pub async fn show(db: &impl ConnectionTrait, views: &mut [MessageView]) -> Result<(), DbErr> {
    let ids: Vec<i64> = views.iter().filter(|view| view.body.contains('@')).map(|view| view.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let rows: Vec<(i64, String, String)> = MessageMentions::find()
        .select_only()
        .column(message_mentions::Column::MessageId)
        .column(message_mentions::Column::Name)
        .column(users::Column::Username)
        .inner_join(Users)
        .filter(message_mentions::Column::MessageId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_message: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for (id, written, name) in rows {
        by_message.entry(id).or_default().push((written, name));
    }
    for view in views {
        let Some(mut found) = by_message.remove(&view.id) else { continue };
        // `mentions` lists people as the text names them, as it did when the message was sent.
        let order = mentions::names(&view.body);
        found.sort_by_key(|(written, _)| order.iter().position(|name| name.eq_ignore_ascii_case(written)));
        let renamed = |(written, name): &&(String, String)| !written.eq_ignore_ascii_case(name);
        if found.iter().any(|one| renamed(&one)) {
            // Only the renamed: the text keeps the case it was written in for the others.
            let now_named = |typed: &str| {
                let one = found.iter().find(|(written, _)| written.eq_ignore_ascii_case(typed));
                one.filter(renamed).map(|(_, name)| name.as_str())
            };
            view.body = mentions::renamed(&view.body, now_named);
        }
        view.mentions = found.into_iter().map(|(_, name)| name).collect();
    }
    Ok(())
}

/// Up to SUGGESTIONS_MAX people of a room (its members; no disabled account) whose names
/// start with `prefix` (ignoring case), alphabetical: what "@" offers in its message box.
pub async fn suggestions(
    db: &impl ConnectionTrait,
    room_id: i64,
    prefix: &str,
) -> Result<Vec<String>, DbErr> {
    let members = Query::select()
        .column(room_members::Column::UserId)
        .from(RoomMembers)
        .and_where(Expr::col(room_members::Column::RoomId).eq(room_id))
        .to_owned();
    let starts = LikeExpr::new(format!("{}%", like_escaped(&username_key(prefix)))).escape('\\');
    Users::find()
        .select_only()
        .column(users::Column::Username)
        .filter(users::Column::Id.in_subquery(members))
        .filter(users::Column::Disabled.eq(false))
        .filter(Expr::col(users::Column::UsernameKey).like(starts))
        .order_by_asc(users::Column::UsernameKey)
        .limit(SUGGESTIONS_MAX)
        .into_tuple()
        .all(db)
        .await
}
