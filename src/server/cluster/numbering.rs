//! Numbering: with several instances there are several message writers, and PostgreSQL hands
//! out the ids. No writer waits for another: each stores its batch in one statement that also
//! numbers the messages in their rooms (1, 2, 3… in id order), and publishes them with their
//! numbers ([`NumberedFrame`]); every instance puts each room back in number order before its
//! sockets see it ([`super::order`]), and fetches from the database a number that does not come.

use std::collections::HashMap;

use sea_orm::DbErr;

use super::{
    order::NumberedSoFar,
    postgres::{query_error, Postgres},
};
use crate::{
    server::{
        db::{
            messages::{self, NewMessage},
            now_ms,
        },
        subscribers::Frame,
    },
    shared::views::MessageView,
};

/// A stored message on its way to readers, with its place in its room. Writers of several
/// instances store at the same time, so their messages can reach Redis in another order than
/// their ids; a reader holding number N+1 without N knows to wait for it.
#[derive(Debug, Clone)]
pub struct NumberedFrame {
    /// The room's name: its topic.
    pub topic: String,
    pub room_id: i64,
    /// Dense per room: 1, 2, 3… in id order.
    pub seq: i64,
    pub id: i64,
    pub frame: Frame,
}

/// The message writer's side of numbering: its own connection, planned once
/// ([`Postgres::planned_once`]).
#[derive(Clone)]
pub struct Numbering {
    pg: Postgres,
}

impl Numbering {
    pub fn new(pg: &Postgres) -> Self {
        Self { pg: pg.planned_once() }
    }

    /// Connects now, so the first message does not wait for it.
    pub async fn connect(&self) {
        if let Err(err) = self.pg.ping().await {
            tracing::warn!(error = %err, "the message writer cannot reach PostgreSQL yet; it tries again with the next message");
        }
    }

    /// Stores and numbers a batch; each message succeeds or fails on its own.
    pub async fn store(&self, batch: &[NewMessage<'_>]) -> Vec<Result<Numbered, DbErr>> {
        match insert_numbered(&self.pg, batch).await {
            Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
            // One refused row (its author deleted meanwhile) fails the whole statement; one at a
            // time, only that message fails.
            Err(err) => {
                tracing::debug!(error = %err, "batch insert refused, storing one by one");
                let mut outcomes = Vec::with_capacity(batch.len());
                for message in batch {
                    let one = insert_numbered(&self.pg, std::slice::from_ref(message)).await;
                    outcomes.push(
                        one.and_then(|mut one| one.pop().ok_or_else(|| DbErr::Custom("no outcome".into()))),
                    );
                }
                outcomes
            }
        }
    }
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
/// message at a time. The messages' mentions are stored by the same statement.
pub async fn insert_numbered(pg: &Postgres, batch: &[NewMessage<'_>]) -> Result<Vec<Numbered>, DbErr> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let now = now_ms();
    let rooms: Vec<i64> = batch.iter().map(|message| message.room.id).collect();
    let authors: Vec<i64> = batch.iter().map(|message| message.author.id).collect();
    let bodies: Vec<&str> = batch.iter().map(|message| message.body).collect();
    let nonces: Vec<&str> = batch.iter().map(|message| message.nonce).collect();
    let replies: Vec<Option<i64>> = batch.iter().map(|message| message.reply.map(|quote| quote.id)).collect();
    // Each mention beside the place of its message in the batch (counted from 1, as ORDINALITY).
    let mut mention_ords: Vec<i64> = Vec::new();
    let mut mentioned: Vec<i64> = Vec::new();
    let mut written: Vec<&str> = Vec::new();
    for (ord, message) in (1..).zip(batch) {
        for one in message.mentions {
            mention_ords.push(ord);
            mentioned.push(one.user_id);
            written.push(&one.written);
        }
    }
    let statement =
        if rooms.iter().all(|room| *room == rooms[0]) { NUMBERED_INSERT_ONE_ROOM } else { NUMBERED_INSERT };
    let rows = sea_orm::sqlx::query_as::<_, (i64, i64, String, i64)>(statement)
        .bind(&rooms)
        .bind(&authors)
        .bind(&bodies)
        .bind(&nonces)
        .bind(now)
        .bind(&replies)
        .bind(&mention_ords)
        .bind(&mentioned)
        .bind(&written)
        .fetch_all(pg.pool())
        .await
        .map_err(query_error)?;
    // Matched to the batch by (author, nonce), which is unique.
    let mut numbered: HashMap<(i64, String), (i64, i64)> =
        rows.into_iter().map(|(id, user_id, nonce, seq)| ((user_id, nonce), (id, seq))).collect();
    let mut outcomes = Vec::with_capacity(batch.len());
    for message in batch {
        let outcome = match numbered.remove(&(message.author.id, message.nonce.to_owned())) {
            Some((id, seq)) => Numbered::New { message: message.view(id, now), seq },
            // Not stored now: either its nonce was used before, or its room has no row left.
            None => match messages::earlier(pg.db(), message.author, message.nonce).await {
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
    SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $6::int8[]) WITH ORDINALITY
        AS t(room_id, user_id, body, nonce, reply_to, ord)
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
        SELECT f.room_id, f.user_id, f.body, f.nonce, f.reply_to, f.ord, b.base
        FROM fresh f JOIN bumped b ON b.room_id = f.room_id
        ORDER BY f.ord
    ) AS ready
),
numbered AS (
    SELECT drawn.*, base + row_number() OVER (PARTITION BY room_id ORDER BY id) AS seq FROM drawn
),
stored AS (
    INSERT INTO messages (id, room_id, user_id, body, created_at, nonce, reply_to)
    SELECT id, room_id, user_id, body, $5, nonce, reply_to FROM numbered
    ON CONFLICT (user_id, nonce) DO NOTHING
    RETURNING id
),
mentioned AS (
    INSERT INTO message_mentions (message_id, user_id, room_id, name)
    SELECT n.id, m.user_id, n.room_id, m.name
    FROM unnest($7::int8[], $8::int8[], $9::text[]) AS m(ord, user_id, name)
    JOIN numbered n ON n.ord = m.ord
    JOIN stored s ON s.id = n.id
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
pub async fn numbered_so_far(pg: &Postgres) -> Result<Vec<NumberedSoFar>, DbErr> {
    sea_orm::sqlx::query_as::<_, (i64, String, i64, i64)>(
        "SELECT r.id, r.name, r.last_seq, \
                COALESCE((SELECT max(m.id) FROM messages m WHERE m.room_id = r.id), 0) \
         FROM rooms r",
    )
    .fetch_all(pg.pool())
    .await
    .map(|rooms| {
        rooms
            .into_iter()
            .map(|(room_id, topic, last_seq, last_id)| NumberedSoFar { room_id, topic, last_seq, last_id })
            .collect()
    })
    .map_err(query_error)
}
