//! The message writer: validate, store, then publish, so nothing reaches a reader that is not
//! in the history.
//!
//! One task does all the storing, with group commit: whatever messages arrive while a
//! transaction is being written go into the next one, so a burst costs one commit, not one per
//! message. Publishing happens after the commit and in id order, so every reader sees a room's
//! messages in the one order of their ids, and a reconnecting tab that asks for "after id N"
//! never skips one.
//!
//! With several instances there are several writers, and PostgreSQL hands out the ids. Each
//! writer holds an advisory lock on every room of its batch from its insert until its publish is
//! done, so no instance can publish a later id of a room before an earlier one is out: every
//! reader sees each room in the one id order. Rooms are locked one by one in ascending id, so
//! two writers never wait for each other in a circle, and writers of different rooms never wait
//! at all (no lock is shared by all rooms). The locks are session locks on a connection the
//! writer keeps, so taking turns costs two round trips per batch, and a writer that dies gives
//! its turns back with its connection.

use sea_orm::{
    sqlx::{pool::PoolConnection, PgPool, Postgres},
    DatabaseConnection, DbBackend, DbErr, SqlErr, TransactionTrait,
};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::{
    db::{
        messages::{self, NewMessage, Stored},
        rooms::Room,
        users::User,
    },
    hub::Hub,
};
use crate::shared::{protocol::ServerFrame, validate, views::MessageView};

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error(transparent)]
    Invalid(#[from] validate::InvalidInput),
    #[error("This room no longer exists")]
    RoomGone,
    #[error("Your message could not be saved. Please try again.")]
    Storage,
}

struct Job {
    room: Room,
    author: User,
    body: String,
    nonce: String,
    reply: oneshot::Sender<Result<MessageView, PostError>>,
}

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task; `max_batch` bounds how many messages share one transaction.
    pub fn spawn(db: DatabaseConnection, hub: Hub, max_batch: usize) -> Self {
        let (jobs, queue) = mpsc::channel(max_batch.max(1) * 8);
        tokio::spawn(run(db, hub, queue, max_batch.max(1)));
        Self { jobs }
    }

    /// Stores a message, then publishes it to the room. `nonce` is the author's own id for it:
    /// a resend of a nonce already stored returns the stored message without publishing it again.
    pub async fn post(
        &self,
        room: &Room,
        author: &User,
        body: &str,
        nonce: &str,
    ) -> Result<MessageView, PostError> {
        let body = validate::message_body(body)?;
        validate::nonce(nonce)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            room: room.clone(),
            author: author.clone(),
            body: body.to_owned(),
            nonce: nonce.to_owned(),
            reply,
        };
        self.jobs.send(job).await.map_err(|_| PostError::Storage)?;
        // A database that stopped answering must not hold the sender forever. If the message is
        // stored after all, the sender's resend (same nonce) gets the stored one back.
        match tokio::time::timeout(POST_TIMEOUT, answer).await {
            Ok(answer) => answer.map_err(|_| PostError::Storage)?,
            Err(_) => Err(PostError::Storage),
        }
    }
}

/// How long a sender waits for its message to be stored before being told to try again.
const POST_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a writer waits for its turn before publishing without it (10 s): an instance frozen
/// while holding the lock must not stop every other instance's messages.
const BOUND_TURN_WAIT: &str = "SET lock_timeout = '10s'";

/// Any fixed number: the first half of each room's advisory lock key (the room id is the second),
/// so the writers' locks never collide with other advisory locks of the database.
const PUBLISH_TURN_SPACE: i32 = 0x6d77; // "mw"

async fn run(db: DatabaseConnection, hub: Hub, mut queue: mpsc::Receiver<Job>, max_batch: usize) {
    let mut turns = (hub.spans_instances() && db.get_database_backend() == DbBackend::Postgres)
        .then(|| Turns { pool: db.get_postgres_connection_pool().clone(), connection: None });
    let mut batch = Vec::with_capacity(max_batch);
    while queue.recv_many(&mut batch, max_batch).await > 0 {
        let holding = match turns.as_mut() {
            Some(turns) => turns.take(batch.iter().map(|job| job.room.id)).await,
            None => false,
        };
        let (results, retried) = store(&db, &batch).await;
        let mut done: Vec<_> = batch.drain(..).zip(results).collect();
        // The database hands out ids in batch order, but readers rely on id order: publish by id
        // whatever the engine did.
        done.sort_by_key(|(_, result)| match result {
            Ok(Stored::New(message)) => message.id,
            _ => 0,
        });
        let fresh = done.iter().filter_map(|(_, result)| match result {
            Ok(Stored::New(message)) => {
                Some((message.room.clone(), ServerFrame::Message { message: message.clone() }))
            }
            // After a failed batch, a "duplicate" may be a message that batch stored before its
            // answer was lost, and so never published: publish it (readers drop ids they have).
            Ok(Stored::Duplicate(message)) if retried => {
                Some((message.room.clone(), ServerFrame::Message { message: message.clone() }))
            }
            _ => None,
        });
        hub.publish_batch(fresh.collect::<Vec<_>>()).await;
        if let (true, Some(turns)) = (holding, turns.as_mut()) {
            turns.give_back().await;
        }
        for (job, result) in done {
            let answer = result.map(|stored| match stored {
                Stored::New(message) | Stored::Duplicate(message) => message,
            });
            // The sender may have disconnected meanwhile; the message is stored all the same.
            let _ = job.reply.send(answer);
        }
    }
}

/// The rooms' locks the writers of all instances take turns on, held on a connection of its own.
struct Turns {
    pool: PgPool,
    connection: Option<PoolConnection<Postgres>>,
}

impl Turns {
    /// Waits for this writer's turn in every room of the batch. False if the database could not
    /// be asked: the batch then goes on without it (its insert most likely fails too, and says so
    /// to the senders).
    async fn take(&mut self, rooms: impl Iterator<Item = i64>) -> bool {
        let mut keys: Vec<i32> = rooms.map(room_key).collect();
        // Ascending, so writers locking overlapping sets of rooms cannot deadlock.
        keys.sort_unstable();
        keys.dedup();
        if self.connection.is_none() {
            match self.pool.acquire().await {
                Ok(mut connection) => {
                    // Never back into the pool: a connection that might still hold a lock must
                    // end with its session, which releases it.
                    connection.close_on_drop();
                    let bounded = sea_orm::sqlx::query(BOUND_TURN_WAIT).execute(&mut *connection).await;
                    if let Err(err) = bounded {
                        tracing::error!(error = %err, "could not prepare the publish locks; publishing without them");
                        return false;
                    }
                    self.connection = Some(connection);
                }
                Err(err) => {
                    tracing::error!(error = %err, "no connection for the publish locks; publishing without them");
                    return false;
                }
            }
        }
        let Some(connection) = self.connection.as_mut() else { return false };
        // One round trip for the whole batch; `unnest` yields the keys in the array's order, and
        // each lock is taken as its row is produced.
        let taken = sea_orm::sqlx::query("SELECT pg_advisory_lock($1, key) FROM unnest($2::int4[]) AS key")
            .bind(PUBLISH_TURN_SPACE)
            .bind(&keys)
            .execute(&mut **connection)
            .await;
        match taken {
            Ok(_) => true,
            Err(err) => {
                // Closing the connection gives back whichever of the locks it got.
                tracing::error!(error = %err, "could not take the publish locks; publishing without them");
                self.connection = None;
                false
            }
        }
    }

    async fn give_back(&mut self) {
        let Some(connection) = self.connection.as_mut() else { return };
        // The connection holds nothing else, so releasing everything releases exactly the turns.
        let released = sea_orm::sqlx::query("SELECT pg_advisory_unlock_all()").execute(&mut **connection).await;
        if let Err(err) = released {
            tracing::warn!(error = %err, "releasing the publish locks failed; closing their connection releases them");
            self.connection = None;
        }
    }
}

/// A room's half of its lock key. Room ids fit in 31 bits in any real deployment; past that two
/// rooms may share a lock, which only makes them take turns with each other.
fn room_key(room_id: i64) -> i32 {
    i32::try_from(room_id).unwrap_or((room_id.rem_euclid(i64::from(i32::MAX))) as i32)
}

/// Stores a batch; each message succeeds or fails on its own. Also says whether the batch had
/// to be retried one by one.
async fn store(db: &DatabaseConnection, jobs: &[Job]) -> (Vec<Result<Stored, PostError>>, bool) {
    match store_together(db, jobs).await {
        Ok(stored) => (stored.into_iter().map(Ok).collect(), false),
        // One refused row (a room deleted while its message was queued) fails the whole
        // statement; one at a time, only that message fails.
        Err(err) => {
            tracing::debug!(error = %err, "batch insert refused, storing one by one");
            (store_one_by_one(db, jobs).await, true)
        }
    }
}

/// The fast path: the whole batch in one statement, which commits on its own (one statement is
/// atomic), so no round trips for BEGIN and COMMIT.
async fn store_together(db: &DatabaseConnection, jobs: &[Job]) -> Result<Vec<Stored>, DbErr> {
    let batch: Vec<NewMessage<'_>> = jobs
        .iter()
        .map(|job| NewMessage { room: &job.room, author: &job.author, body: &job.body, nonce: &job.nonce })
        .collect();
    messages::insert_batch(db, &batch).await
}

async fn store_one_by_one(db: &DatabaseConnection, jobs: &[Job]) -> Vec<Result<Stored, PostError>> {
    let txn = match db.begin().await {
        Ok(txn) => txn,
        Err(err) => {
            tracing::error!(error = %err, "starting a message transaction failed");
            return jobs.iter().map(|_| Err(PostError::Storage)).collect();
        }
    };
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        let stored = messages::insert(&txn, &job.room, &job.author, &job.body, Some(&job.nonce)).await;
        results.push(stored.map_err(|err| classify(err, &job.room)));
    }
    if let Err(err) = txn.commit().await {
        tracing::error!(error = %err, "committing messages failed");
        return jobs.iter().map(|_| Err(PostError::Storage)).collect();
    }
    results
}

fn classify(err: DbErr, room: &Room) -> PostError {
    match err.sql_err() {
        // The room was deleted while the author was typing.
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => PostError::RoomGone,
        _ => {
            tracing::error!(error = %err, room = %room.name, "storing a message failed");
            PostError::Storage
        }
    }
}
