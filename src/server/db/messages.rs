//! Queries on messages. History is always "a room's messages by id", served by the
//! (room_id, id) index.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};

use super::{
    entities::{
        messages::{self, Entity as Messages},
        rooms::{self, Entity as Rooms},
        users::{self, Entity as Users},
    },
    contains_ignoring_case, now_ms, Page,
};
use crate::shared::views::MessageView;

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
    author: &users::Model,
    body: &str,
    nonce: Option<&str>,
) -> Result<Stored, DbErr> {
    let row = messages::ActiveModel {
        room_id: Set(room.id),
        user_id: Set(author.id),
        body: Set(body.to_owned()),
        created_at: Set(now_ms()),
        nonce: Set(nonce.map(str::to_owned)),
        ..Default::default()
    };
    // A failed statement poisons a whole PostgreSQL transaction; a savepoint confines it to
    // this one message, so one duplicate or deleted room does not fail a batch.
    let attempt = db.begin().await?;
    let inserted = row.insert(&attempt).await;
    match inserted {
        Ok(row) => {
            attempt.commit().await?;
            Ok(Stored::New(view(row, room.name.clone(), Some(author.clone()))))
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
    pub author: &'a users::Model,
    pub body: &'a str,
    pub nonce: &'a str,
}

/// Stores a batch with one statement: the writer's fast path, one round trip for everything
/// that arrived together instead of three per message. A nonce its author already used (even
/// earlier in the same batch) stores nothing and answers with the earlier message. If any row
/// is refused (its room was deleted meanwhile) the whole statement fails, and the caller falls
/// back to [`insert`], one message at a time.
pub async fn insert_batch(db: &impl ConnectionTrait, batch: &[NewMessage<'_>]) -> Result<Vec<Stored>, DbErr> {
    use sea_orm::sea_query::{Expr, OnConflict, Query};
    use messages::Column;

    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let now = now_ms();
    let mut statement = Query::insert();
    statement
        .into_table(Messages)
        .columns([Column::RoomId, Column::UserId, Column::Body, Column::CreatedAt, Column::Nonce]);
    for message in batch {
        statement
            .values([
                Expr::val(message.room.id),
                Expr::val(message.author.id),
                Expr::val(message.body),
                Expr::val(now),
                Expr::val(message.nonce),
            ])
            .map_err(|err| DbErr::Custom(err.to_string()))?;
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
            Some(id) => Stored::New(MessageView {
                id,
                room: message.room.name.clone(),
                author: message.author.username.clone(),
                body: message.body.to_owned(),
                sent_at_ms: now,
            }),
            None => Stored::Duplicate(earlier(db, message.author, message.nonce).await?),
        };
        stored.push(view);
    }
    Ok(stored)
}

/// What [`insert_numbered`] did with one message of its batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Numbered {
    /// Stored now, as the `seq`-th message numbered in its room.
    New { message: MessageView, seq: i64 },
    /// The author already sent this nonce: the message stored then (it took no number now).
    Duplicate(MessageView),
    /// The room was deleted before the message could be stored.
    RoomGone,
}

/// Stores a batch in one PostgreSQL statement and numbers each new message in its room, for
/// instances that share rooms. The statement bumps each room's `last_seq` (taking the room rows'
/// locks; over several rooms in ascending id, so two writers never wait for each other in a
/// circle) before drawing the messages' ids, and numbers them in id order; so in every room,
/// numbers and ids rise together across all instances, and a reader that is missing number N
/// knows that message is stored already (its statement committed before the room's lock passed
/// on) or was never stored (a nonce raced by another instance). Fails as a whole only if the
/// statement does (a user deleted meanwhile, the database gone): the caller then stores one
/// message at a time.
pub async fn insert_numbered(db: &DatabaseConnection, batch: &[NewMessage<'_>]) -> Result<Vec<Numbered>, DbErr> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let now = now_ms();
    let rooms: Vec<i64> = batch.iter().map(|message| message.room.id).collect();
    let authors: Vec<i64> = batch.iter().map(|message| message.author.id).collect();
    let bodies: Vec<&str> = batch.iter().map(|message| message.body).collect();
    let nonces: Vec<&str> = batch.iter().map(|message| message.nonce).collect();
    let statement = if rooms.iter().all(|room| *room == rooms[0]) { NUMBERED_INSERT_ONE_ROOM } else { NUMBERED_INSERT };
    let rows = sea_orm::sqlx::query_as::<_, (i64, i64, String, i64)>(statement)
        .bind(&rooms)
        .bind(&authors)
        .bind(&bodies)
        .bind(&nonces)
        .bind(now)
        .fetch_all(db.get_postgres_connection_pool())
        .await
        .map_err(query_error)?;
    // Matched to the batch by (author, nonce), which is unique.
    let mut numbered: HashMap<(i64, String), (i64, i64)> =
        rows.into_iter().map(|(id, user_id, nonce, seq)| ((user_id, nonce), (id, seq))).collect();
    let mut outcomes = Vec::with_capacity(batch.len());
    for message in batch {
        let outcome = match numbered.remove(&(message.author.id, message.nonce.to_owned())) {
            Some((id, seq)) => Numbered::New {
                message: MessageView {
                    id,
                    room: message.room.name.clone(),
                    author: message.author.username.clone(),
                    body: message.body.to_owned(),
                    sent_at_ms: now,
                },
                seq,
            },
            // Not stored now: either its nonce was used before, or its room has no row left.
            None => match earlier(db, message.author, message.nonce).await {
                Ok(earlier) => Numbered::Duplicate(earlier),
                Err(DbErr::RecordNotFound(_)) => Numbered::RoomGone,
                Err(err) => return Err(err),
            },
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Builds the numbering statement around how it locks the room rows (`$locking`, a CTE or
/// nothing) and what its `UPDATE` joins (`$bumping`). A nonce already used (stored before, or
/// earlier in this batch) takes no number. `nextval` runs over rows sorted after the `UPDATE` has
/// locked their rooms, so a room's ids are drawn under its lock; numbering follows the ids.
///
/// The resend check ends in `OFFSET 0` so that PostgreSQL cannot turn it into a join: it stays one
/// probe of the `(user_id, nonce)` index per message. As a join, the plan PostgreSQL caches for a
/// connection while `messages` is still small (a new database, before its first `ANALYZE`) hashes
/// the whole table on every call until the next `ANALYZE` makes it plan again: after 50,000
/// messages, 19 ms a statement against 0.4 ms for the probe (docs/BENCHMARKS.md).
macro_rules! numbered_insert {
    ($locking:literal, $bumping:literal) => {
        concat!(
            r#"
WITH incoming AS (
    SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[]) WITH ORDINALITY
        AS t(room_id, user_id, body, nonce, ord)
),
fresh AS (
    SELECT DISTINCT ON (i.user_id, i.nonce) i.*
    FROM incoming i
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.user_id = i.user_id AND m.nonce = i.nonce OFFSET 0)
    ORDER BY i.user_id, i.nonce, i.ord
),
counted AS (
    SELECT room_id, count(*) AS n FROM fresh GROUP BY room_id
),
"#,
            $locking,
            r#"
bumped AS (
    UPDATE rooms r SET last_seq = r.last_seq + c.n
    "#,
            $bumping,
            r#"
    RETURNING r.id AS room_id, r.last_seq - c.n AS base
),
drawn AS (
    SELECT ready.*, nextval(pg_get_serial_sequence('messages', 'id')) AS id
    FROM (
        SELECT f.room_id, f.user_id, f.body, f.nonce, b.base
        FROM fresh f JOIN bumped b ON b.room_id = f.room_id
        ORDER BY f.ord
    ) AS ready
),
numbered AS (
    SELECT drawn.*, base + row_number() OVER (PARTITION BY room_id ORDER BY id) AS seq FROM drawn
),
stored AS (
    INSERT INTO messages (id, room_id, user_id, body, created_at, nonce)
    SELECT id, room_id, user_id, body, $5, nonce FROM numbered
    ON CONFLICT (user_id, nonce) DO NOTHING
    RETURNING id
)
SELECT n.id, n.user_id, n.nonce, n.seq FROM numbered n JOIN stored s ON s.id = n.id
"#
        )
    };
}

/// The statement behind [`insert_numbered`], for a batch whose messages are all in one room (the
/// usual case): one room row to lock, which its `UPDATE` does.
const NUMBERED_INSERT_ONE_ROOM: &str = numbered_insert!("", "FROM counted c WHERE r.id = c.room_id");

/// The statement behind [`insert_numbered`], for a batch over several rooms: their rows are
/// locked first, in ascending id, so two writers never wait for each other in a circle (an
/// `UPDATE … FROM` locks in whatever order its join runs). The locks are those the `UPDATE`
/// would take (no key update), so others can still check the rows as foreign keys (a read marker
/// being saved). Locking first costs: with two writers in one room it cut the statements per
/// second about in half (`pgbench`, docs/BENCHMARKS.md), hence the one-room statement.
const NUMBERED_INSERT: &str = numbered_insert!(
    "locked AS MATERIALIZED (
        SELECT r.id FROM rooms r WHERE r.id IN (SELECT room_id FROM counted) ORDER BY r.id FOR NO KEY UPDATE
    ),",
    "FROM locked l JOIN counted c ON c.room_id = l.id WHERE r.id = l.id"
);

/// Where each room's numbering stands ([`insert_numbered`]): `(room id, name, last number, id of
/// its newest message)`, read in one snapshot so the two agree.
pub async fn numbered_so_far(db: &DatabaseConnection) -> Result<Vec<(i64, String, i64, i64)>, DbErr> {
    sea_orm::sqlx::query_as(
        "SELECT r.id, r.name, r.last_seq, \
                COALESCE((SELECT max(m.id) FROM messages m WHERE m.room_id = r.id), 0) \
         FROM rooms r",
    )
    .fetch_all(db.get_postgres_connection_pool())
    .await
    .map_err(query_error)
}

/// A query sent through sqlx directly failed, said as sea-orm says it.
fn query_error(err: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Query(sea_orm::RuntimeErr::SqlxError(err.into()))
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
    let rows = Messages::find()
        .filter(messages::Column::RoomId.eq(room_id))
        .filter(messages::Column::Id.gt(after))
        .filter(messages::Column::Id.lt(before))
        .order_by_asc(messages::Column::Id)
        .limit(limit)
        .find_also_related(Users)
        .find_also_related(Rooms)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(message, author, room)| view(message, room.map(|room| room.name).unwrap_or_default(), author))
        .collect())
}

/// The message an author already stored under a nonce.
async fn earlier(db: &impl ConnectionTrait, author: &users::Model, nonce: &str) -> Result<MessageView, DbErr> {
    let (message, room) = Messages::find()
        .filter(messages::Column::UserId.eq(author.id))
        .filter(messages::Column::Nonce.eq(nonce))
        .find_also_related(Rooms)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("message with nonce {nonce}")))?;
    let room = room.map(|room| room.name).unwrap_or_default();
    Ok(view(message, room, Some(author.clone())))
}

/// The latest `limit` messages of a room, oldest first (the order they are shown in).
pub async fn recent(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    limit: u64,
) -> Result<Vec<MessageView>, DbErr> {
    let rows = Messages::find()
        .filter(messages::Column::RoomId.eq(room.id))
        .order_by_desc(messages::Column::Id)
        .limit(limit)
        .find_also_related(Users)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .rev()
        .map(|(message, author)| view(message, room.name.clone(), author))
        .collect())
}

/// The `limit` messages of a room just before `before`, oldest first (one page further back).
pub async fn before(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    before: i64,
    limit: u64,
) -> Result<Vec<MessageView>, DbErr> {
    let rows = Messages::find()
        .filter(messages::Column::RoomId.eq(room.id))
        .filter(messages::Column::Id.lt(before))
        .order_by_desc(messages::Column::Id)
        .limit(limit)
        .find_also_related(Users)
        .all(db)
        .await?;
    Ok(rows.into_iter().rev().map(|(message, author)| view(message, room.name.clone(), author)).collect())
}

/// A room's messages newer than `after`, oldest first, at most `limit` (what a reconnecting tab
/// missed).
pub async fn after(
    db: &impl ConnectionTrait,
    room: &rooms::Model,
    after: i64,
    limit: u64,
) -> Result<Vec<MessageView>, DbErr> {
    let rows = Messages::find()
        .filter(messages::Column::RoomId.eq(room.id))
        .filter(messages::Column::Id.gt(after))
        .order_by_asc(messages::Column::Id)
        .limit(limit)
        .find_also_related(Users)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(message, author)| view(message, room.name.clone(), author)).collect())
}

fn view(message: messages::Model, room: String, author: Option<users::Model>) -> MessageView {
    MessageView {
        id: message.id,
        room,
        // The foreign key cascades, so a message always has its author; the fallback only
        // guards against a database edited by hand.
        author: author.map(|user| user.username).unwrap_or_else(|| "unknown".into()),
        body: message.body,
        sent_at_ms: message.created_at,
    }
}

/// Latest messages across all rooms for the admin screen, filtered by body or author.
pub async fn search(
    db: &impl ConnectionTrait,
    term: &str,
    page: u64,
    per_page: u64,
) -> Result<Page<MessageView>, DbErr> {
    let mut query = Messages::find()
        .order_by_desc(messages::Column::Id)
        .find_also_related(Users);
    let term = term.trim();
    if !term.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains_ignoring_case((messages::Entity, messages::Column::Body), term))
                .add(contains_ignoring_case((users::Entity, users::Column::UsernameKey), term)),
        );
    }
    let rows = query.offset(page.saturating_mul(per_page)).limit(per_page + 1).all(db).await?;
    let room_ids: Vec<i64> = rows.iter().map(|(message, _)| message.room_id).collect();
    let names: HashMap<i64, String> = Rooms::find()
        .filter(rooms::Column::Id.is_in(room_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|room| (room.id, room.name))
        .collect();
    let items = rows
        .into_iter()
        .map(|(message, author)| {
            let room = names.get(&message.room_id).cloned().unwrap_or_default();
            view(message, room, author)
        })
        .collect();
    Ok(Page::from_overfetch(items, per_page))
}

/// Deletes a message; returns the name of its room so its readers can be told.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<Option<String>, DbErr> {
    let Some((message, room)) = Messages::find_by_id(id).find_also_related(Rooms).one(db).await?
    else {
        return Ok(None);
    };
    Messages::delete_by_id(message.id).exec(db).await?;
    Ok(room.map(|room| room.name))
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
