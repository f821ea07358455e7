//! Queries on messages. History is always "a room's messages by id", served by the
//! (room_id, id) index.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Select, SelectModel, Selector, Set, SqlErr, TransactionSession,
    TransactionTrait,
};

use super::{
    contains_ignoring_case,
    entities::{
        messages::{self, Entity as Messages},
        rooms::{self, Entity as Rooms},
        users::{self, Entity as Users},
    },
    mentions::{self, Mentioned},
    now_ms, reactions,
    users::Author,
    Page,
};
use crate::shared::views::{MessageView, ReplyQuote};

/// What storing a message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A new message.
    New(MessageView),
    /// The author already sent this nonce (a resend after a reconnect): the message stored then.
    Duplicate(MessageView),
}

/// Stores one message and returns it as readers will see it. A nonce the author already used
/// stores nothing and returns the earlier message, so resending is always safe. Works inside a
/// transaction (the writer's batch) as well as on a plain connection.
pub async fn insert(
    db: &(impl ConnectionTrait + TransactionTrait),
    room: &rooms::Model,
    author: &Author,
    body: &str,
    nonce: Option<&str>,
) -> Result<Stored, DbErr> {
    insert_one(
        db,
        &NewMessage { nonce: nonce.unwrap_or_default(), ..NewMessage::new(room, author, body, "") },
        nonce.is_some(),
    )
    .await
}

/// [`insert`] for one message of a batch (the writer's fallback when the batch was refused).
pub async fn insert_new(
    db: &(impl ConnectionTrait + TransactionTrait),
    message: &NewMessage<'_>,
) -> Result<Stored, DbErr> {
    insert_one(db, message, true).await
}

/// Stores `message`, under its nonce if `nonced`.
async fn insert_one(
    db: &(impl ConnectionTrait + TransactionTrait),
    message: &NewMessage<'_>,
    nonced: bool,
) -> Result<Stored, DbErr> {
    let NewMessage { room, author, body, nonce, reply, mentions } = *message;
    let nonce = nonced.then_some(nonce);
    let row = messages::ActiveModel {
        room_id: Set(room.id),
        user_id: Set(author.id),
        body: Set(body.to_owned()),
        created_at: Set(now_ms()),
        nonce: Set(nonce.map(str::to_owned)),
        reply_to: Set(reply.map(|quote| quote.id)),
        ..Default::default()
    };
    // A failed statement poisons a whole PostgreSQL transaction; a savepoint confines it to
    // this one message, so one duplicate or deleted room does not fail a batch.
    let attempt = db.begin().await?;
    let inserted = row.insert(&attempt).await;
    match inserted {
        Ok(row) => {
            mentions::insert(&attempt, row.id, room.id, mentions).await?;
            attempt.commit().await?;
            Ok(Stored::New(message.view(row.id, row.created_at)))
        }
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            attempt.rollback().await?;
            let nonce = nonce.ok_or(err)?;
            Ok(Stored::Duplicate(earlier(db, author, nonce).await?))
        }
        Err(err) => {
            attempt.rollback().await?;
            Err(err)
        }
    }
}

/// One message of a batch for [`insert_batch`].
pub struct NewMessage<'a> {
    pub room: &'a rooms::Model,
    pub author: &'a Author,
    pub body: &'a str,
    pub nonce: &'a str,
    /// The message it answers, checked to be in the same room, as quoted.
    pub reply: Option<&'a ReplyQuote>,
    /// The people it mentions (`mentions::resolve`).
    pub mentions: &'a [Mentioned],
}

impl<'a> NewMessage<'a> {
    /// A message that answers none and mentions nobody.
    pub fn new(room: &'a rooms::Model, author: &'a Author, body: &'a str, nonce: &'a str) -> Self {
        Self { room, author, body, nonce, reply: None, mentions: &[] }
    }

    /// The message as readers see it, once stored as `id` at `sent_at_ms`.
    pub fn view(&self, id: i64, sent_at_ms: i64) -> MessageView {
        MessageView {
            id,
            room: self.room.name.clone(),
            author: self.author.username.clone(),
            body: self.body.to_owned(),
            sent_at_ms,
            reply: self.reply.cloned(),
            mentions: self.mentions.iter().map(|one| one.name.clone()).collect(),
            ..MessageView::default()
        }
    }
}

/// Stores a batch with one statement: the writer's fast path, one round trip for everything
/// that arrived together instead of three per message. A nonce its author already used (even
/// earlier in the same batch) stores nothing and answers with the earlier message. If any row
/// is refused (its room was deleted meanwhile) the whole statement fails, and the caller falls
/// back to [`insert`], one message at a time. A batch that mentions people stores its mentions
/// with it, in one transaction.
pub async fn insert_batch(
    db: &(impl ConnectionTrait + TransactionTrait),
    batch: &[NewMessage<'_>],
) -> Result<Vec<Stored>, DbErr> {
    if batch.iter().all(|message| message.mentions.is_empty()) {
        return insert_rows(db, batch).await;
    }
    let txn = db.begin().await?;
    let stored = insert_rows(&txn, batch).await?;
    for (message, stored) in batch.iter().zip(&stored) {
        if let Stored::New(view) = stored {
            mentions::insert(&txn, view.id, message.room.id, message.mentions).await?;
        }
    }
    txn.commit().await?;
    Ok(stored)
}

/// [`insert_batch`]'s one statement.
async fn insert_rows(db: &impl ConnectionTrait, batch: &[NewMessage<'_>]) -> Result<Vec<Stored>, DbErr> {
    use messages::Column;
    use sea_orm::sea_query::{Expr, OnConflict, Query};

    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let now = now_ms();
    // A batch without replies names no reply column: the usual statement stays what it was.
    let replies = batch.iter().any(|message| message.reply.is_some());
    let mut statement = Query::insert();
    statement.into_table(Messages).columns([
        Column::RoomId,
        Column::UserId,
        Column::Body,
        Column::CreatedAt,
        Column::Nonce,
    ]);
    if replies {
        statement.columns([Column::ReplyTo]);
    }
    for message in batch {
        let mut values = vec![
            Expr::val(message.room.id),
            Expr::val(message.author.id),
            Expr::val(message.body),
            Expr::val(now),
            Expr::val(message.nonce),
        ];
        if replies {
            values.push(Expr::val(message.reply.map(|quote| quote.id)));
        }
        statement.values(values).map_err(|err| DbErr::Custom(err.to_string()))?;
    }
    statement
        .on_conflict(OnConflict::columns([Column::UserId, Column::Nonce]).do_nothing().to_owned())
        .returning(Query::returning().columns([Column::Id, Column::UserId, Column::Nonce]));

    // RETURNING rows come in no promised order: match them to the batch by (author, nonce).
    let mut ids = HashMap::new();
    for row in db.query_all(&statement).await? {
        let id: i64 = row.try_get("", "id")?;
        let user_id: i64 = row.try_get("", "user_id")?;
        let nonce: String = row.try_get("", "nonce")?;
        ids.insert((user_id, nonce), id);
    }
    let mut stored = Vec::with_capacity(batch.len());
    for message in batch {
        let key = (message.author.id, message.nonce.to_owned());
        let view = match ids.remove(&key) {
            Some(id) => Stored::New(message.view(id, now)),
            None => Stored::Duplicate(earlier(db, message.author, message.nonce).await?),
        };
        stored.push(view);
    }
    Ok(stored)
}

/// A room's messages with ids strictly between `after` and `before`, oldest first, at most
/// `limit`: what a reader found missing between two it has.
pub async fn between(
    db: &impl ConnectionTrait,
    room_id: i64,
    after: i64,
    before: i64,
    limit: u64,
) -> Result<Vec<MessageView>, DbErr> {
    let query = Messages::find()
        .filter(messages::Column::RoomId.eq(room_id))
        .filter(messages::Column::Id.gt(after))
        .filter(messages::Column::Id.lt(before))
        .order_by_asc(messages::Column::Id)
        .limit(limit);
    views(db, query).await
}

/// The message an author already stored under a nonce.
pub async fn earlier(db: &impl ConnectionTrait, author: &Author, nonce: &str) -> Result<MessageView, DbErr> {
    let query = Messages::find()
        .filter(messages::Column::UserId.eq(author.id))
        .filter(messages::Column::Nonce.eq(nonce));
    views(db, query).await?.pop().ok_or_else(|| DbErr::RecordNotFound(format!("message with nonce {nonce}")))
}

/// The latest `per_page` messages of a room, oldest first (the order they are shown in), and
/// whether older ones exist.
pub async fn recent(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    per_page: u64,
) -> Result<Page<MessageView>, DbErr> {
    newest_first(db, room, None, per_page).await
}

/// The `per_page` messages of a room just before `before`, oldest first (one page further
/// back), and whether older ones exist.
pub async fn before(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    before: i64,
    per_page: u64,
) -> Result<Page<MessageView>, DbErr> {
    newest_first(db, room, Some(before), per_page).await
}

/// A page read backwards from `before` (or the end), handed back oldest first.
async fn newest_first(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    before: Option<i64>,
    per_page: u64,
) -> Result<Page<MessageView>, DbErr> {
    let mut query = Messages::find().filter(messages::Column::RoomId.eq(room.id));
    if let Some(before) = before {
        query = query.filter(messages::Column::Id.lt(before));
    }
    let rows = views(db, query.order_by_desc(messages::Column::Id).limit(per_page + 1)).await?;
    let mut page = Page::from_overfetch(rows, per_page);
    page.items.reverse();
    Ok(page)
}

/// A room's history around one of its messages (a link to it): up to `per_side` messages before
/// and after it, oldest first, with whether more exist on each side. `None` when the room has no
/// message `id`, so a link cannot show a message of another room.
pub async fn around(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    id: i64,
    per_side: u64,
) -> Result<Option<Around>, DbErr> {
    // Up to and including the message, then what follows it: two walks of the (room_id, id)
    // index, however far back the message is.
    let up_to = newest_first(db, room, Some(id.saturating_add(1)), per_side + 1).await?;
    if up_to.items.last().map(|message| message.id) != Some(id) {
        return Ok(None);
    }
    let later = newer(db, room, id, per_side).await?;
    let mut messages = up_to.items;
    messages.extend(later.items);
    Ok(Some(Around { messages, has_older: up_to.has_more, has_newer: later.has_more }))
}

/// See [`around`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Around {
    pub messages: Vec<MessageView>,
    pub has_older: bool,
    pub has_newer: bool,
}

/// The `per_page` messages of a room just after `after`, oldest first (reading forward from a
/// linked message), and whether newer ones exist.
pub async fn newer(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    after_id: i64,
    per_page: u64,
) -> Result<Page<MessageView>, DbErr> {
    Ok(Page::from_overfetch(after(db, room, after_id, per_page + 1).await?, per_page))
}

/// A room's messages newer than `after`, oldest first, at most `limit` (what a reconnecting tab
/// missed).
pub async fn after(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    after: i64,
    limit: u64,
) -> Result<Vec<MessageView>, DbErr> {
    let query = Messages::find()
        .filter(messages::Column::RoomId.eq(room.id))
        .filter(messages::Column::Id.gt(after))
        .order_by_asc(messages::Column::Id)
        .limit(limit);
    views(db, query).await
}

/// A message with its author's and room's names: what a reader is shown, read in one statement
/// (never the author's whole row, which holds the password hash).
#[derive(Debug, FromQueryResult)]
struct Shown {
    id: i64,
    body: String,
    created_at: i64,
    version: i64,
    edited_at: Option<i64>,
    deleted_at: Option<i64>,
    pinned_at: Option<i64>,
    reply_to: Option<i64>,
    author: Option<String>,
    room: Option<String>,
}

/// `query` with each message's author and room names beside it.
fn shown(query: Select<Messages>) -> Selector<SelectModel<Shown>> {
    query
        .select_only()
        .columns([
            messages::Column::Id,
            messages::Column::Body,
            messages::Column::CreatedAt,
            messages::Column::Version,
            messages::Column::EditedAt,
            messages::Column::DeletedAt,
            messages::Column::PinnedAt,
            messages::Column::ReplyTo,
        ])
        .column_as(users::Column::Username, "author")
        .column_as(rooms::Column::Name, "room")
        .left_join(Users)
        .left_join(Rooms)
        .into_model::<Shown>()
}

impl From<Shown> for MessageView {
    fn from(shown: Shown) -> Self {
        MessageView {
            id: shown.id,
            // The foreign keys cascade, so a message always has its room and author; the
            // fallbacks only guard against a database edited by hand.
            room: shown.room.unwrap_or_default(),
            author: shown.author.unwrap_or_else(|| "unknown".into()),
            body: shown.body,
            sent_at_ms: shown.created_at,
            version: shown.version,
            edited: shown.edited_at.is_some(),
            deleted: shown.deleted_at.is_some(),
            pinned: shown.pinned_at.is_some(),
            reactions: Vec::new(),
            reply: shown.reply_to.map(ReplyQuote::removed),
            mentions: Vec::new(),
        }
    }
}

/// The messages `query` selects, as readers see them: with their reactions, read by a second
/// query only when some message on the page has ever changed (a reaction is a change), and the
/// quotes of the messages they answer, read only when some are replies; so a page of plain
/// messages costs one query as before.
async fn views(db: &impl ConnectionTrait, query: Select<Messages>) -> Result<Vec<MessageView>, DbErr> {
    let mut views: Vec<MessageView> =
        shown(query).all(db).await?.into_iter().map(MessageView::from).collect();
    let changed: Vec<i64> = views.iter().filter(|view| view.version != 0).map(|view| view.id).collect();
    let mut reactions = reactions::of(db, &changed).await?;
    let answered: Vec<i64> =
        views.iter().filter_map(|view| view.reply.as_ref().map(|quote| quote.id)).collect();
    let originals = quotable(db, &answered).await?;
    for view in &mut views {
        if let Some(given) = reactions.remove(&view.id) {
            view.reactions = given;
        }
        // A reply whose original is no longer stored keeps the "removed" quote it was read with.
        if let Some(quote) = &mut view.reply {
            if let Some(original) = originals.get(&quote.id).filter(|original| original.room == view.room) {
                *quote = ReplyQuote::of(original);
            }
        }
    }
    mentions::show(db, &mut views).await?;
    Ok(views)
}

/// These messages as a quote shows them (no reactions, no quotes of their own), by id.
pub async fn quotable(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, MessageView>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = Messages::find().filter(messages::Column::Id.is_in(ids.iter().copied()));
    let mut originals: Vec<MessageView> =
        shown(query).all(db).await?.into_iter().map(MessageView::from).collect();
    // Quoted as the original shows now: "@name" of whoever was renamed since.
    mentions::show(db, &mut originals).await?;
    Ok(originals.into_iter().map(|original| (original.id, original)).collect())
}

/// These messages as readers see them, in id order.
pub async fn shown_by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<MessageView>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = Messages::find()
        .filter(messages::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(messages::Column::Id);
    views(db, query).await
}

/// Latest messages across all rooms for the admin screen, filtered by body or author.
pub async fn search(
    db: &impl ConnectionTrait,
    term: &str,
    page: u64,
    per_page: u64,
) -> Result<Page<MessageView>, DbErr> {
    let mut query = Messages::find().order_by_desc(messages::Column::Id);
    let term = term.trim();
    if !term.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains_ignoring_case((messages::Entity, messages::Column::Body), term))
                .add(contains_ignoring_case((users::Entity, users::Column::UsernameKey), term)),
        );
    }
    let rows = shown(query.offset(page.saturating_mul(per_page)).limit(per_page + 1)).all(db).await?;
    // The admin list shows each message on its own, without what it answers.
    let views = rows.into_iter().map(|row| MessageView { reply: None, ..MessageView::from(row) }).collect();
    Ok(Page::from_overfetch(views, per_page))
}

/// A stored message as the policy needs it: where it is and who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: i64,
    pub room_id: i64,
    /// The room's name: its topic.
    pub room: String,
    pub author_id: i64,
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<MessageRow>, DbErr> {
    let found = Messages::find_by_id(id).find_also_related(Rooms).one(db).await?;
    Ok(found.map(|(message, room)| MessageRow {
        id: message.id,
        room_id: message.room_id,
        room: room.map(|room| room.name).unwrap_or_default(),
        author_id: message.user_id,
    }))
}

/// Deletes a message; false when there was none.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(Messages::delete_by_id(id).exec(db).await?.rows_affected > 0)
}

/// The newest message id stored before `time_ms` (0 if none): where readers who may have missed
/// everything since then should replay from.
pub async fn last_id_before(db: &impl ConnectionTrait, time_ms: i64) -> Result<i64, DbErr> {
    let newest = Messages::find()
        .filter(messages::Column::CreatedAt.lt(time_ms))
        .order_by_desc(messages::Column::Id)
        .one(db)
        .await?;
    Ok(newest.map_or(0, |message| message.id))
}
