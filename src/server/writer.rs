//! The message writer: validate, store, then publish, so nothing reaches a reader that is not
//! in the history.
//!
//! One task does all the storing, with group commit: whatever messages arrive while a
//! transaction is being written go into the next one, so a burst costs one commit, not one per
//! message. Publishing happens after the commit and in id order, so every reader sees a room's
//! messages in the one order of their ids, and a reconnecting tab that asks for "after id N"
//! never skips one.
//!
//! With several instances there are several writers, and PostgreSQL hands out the ids. No
//! writer waits for another: each stores its batch in one statement that also numbers the
//! messages in their rooms (under the room rows' locks, in id order), and publishes them with
//! their numbers; every instance's bus puts each room back in number order before its sockets
//! see it (`cluster::order`).

use sea_orm::{DatabaseConnection, DbErr, SqlErr, TransactionTrait};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::{
    db::{
        self,
        messages::{self, NewMessage, Numbered, Stored},
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

async fn run(db: DatabaseConnection, hub: Hub, mut queue: mpsc::Receiver<Job>, max_batch: usize) {
    let numbering = if hub.spans_instances() { db::numbering_connection(&db) } else { None };
    if let Some(numbering) = &numbering {
        // Connected now, so the first message does not wait for it.
        if let Err(err) = numbering.ping().await {
            tracing::warn!(error = %err, "the message writer cannot reach PostgreSQL yet; it tries again with the next message");
        }
    }
    let mut batch = Vec::with_capacity(max_batch);
    while queue.recv_many(&mut batch, max_batch).await > 0 {
        let answers = match &numbering {
            Some(numbering) => write_numbered(numbering, &hub, &batch).await,
            None => write_alone(&db, &hub, &batch).await,
        };
        for (job, answer) in batch.drain(..).zip(answers) {
            // The sender may have disconnected meanwhile; the message is stored all the same.
            let _ = job.reply.send(answer);
        }
    }
}

/// The only writer of its rooms: store, then publish in id order.
async fn write_alone(db: &DatabaseConnection, hub: &Hub, jobs: &[Job]) -> Vec<Result<MessageView, PostError>> {
    let (results, retried) = store(db, jobs).await;
    let mut fresh: Vec<&MessageView> = results
        .iter()
        .filter_map(|result| match result {
            Ok(Stored::New(message)) => Some(message),
            // After a failed batch, a "duplicate" may be a message that batch stored before its
            // answer was lost, and so never published: publish it (readers drop ids they have).
            Ok(Stored::Duplicate(message)) if retried => Some(message),
            _ => None,
        })
        .collect();
    // The database hands out ids in batch order, but readers rely on id order: publish by id
    // whatever the engine did.
    fresh.sort_by_key(|message| message.id);
    hub.publish_batch(fresh.into_iter().map(|message| (message.room.clone(), ServerFrame::Message { message: message.clone() })))
        .await;
    results
        .into_iter()
        .map(|result| result.map(|(Stored::New(message) | Stored::Duplicate(message))| message))
        .collect()
}

/// One of several writers sharing rooms: store and number, then publish with the numbers.
async fn write_numbered(db: &DatabaseConnection, hub: &Hub, jobs: &[Job]) -> Vec<Result<MessageView, PostError>> {
    let outcomes: Vec<Result<Numbered, DbErr>> = match messages::insert_numbered(db, &new_messages(jobs)).await {
        Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
        // One refused row (its author deleted meanwhile) fails the whole statement; one at a
        // time, only that message fails.
        Err(err) => {
            tracing::debug!(error = %err, "batch insert refused, storing one by one");
            let mut outcomes = Vec::with_capacity(jobs.len());
            for job in jobs {
                let one = messages::insert_numbered(db, &new_messages(std::slice::from_ref(job))).await;
                outcomes.push(one.and_then(|mut one| one.pop().ok_or_else(|| DbErr::Custom("no outcome".into()))));
            }
            outcomes
        }
    };
    // A message a failed statement stored before its answer was lost is not published here:
    // its number is missing at every reader, which fetches it from the database after a moment.
    let mut fresh: Vec<(i64, i64, &MessageView)> = jobs
        .iter()
        .zip(&outcomes)
        .filter_map(|(job, outcome)| match outcome {
            Ok(Numbered::New { message, seq }) => Some((job.room.id, *seq, message)),
            _ => None,
        })
        .collect();
    fresh.sort_by_key(|(_, _, message)| message.id);
    hub.publish_numbered(fresh.into_iter().map(|(room_id, seq, message)| (room_id, seq, message.clone()))).await;
    jobs.iter()
        .zip(outcomes)
        .map(|(job, outcome)| match outcome {
            Ok(Numbered::New { message, .. } | Numbered::Duplicate(message)) => Ok(message),
            Ok(Numbered::RoomGone) => Err(PostError::RoomGone),
            Err(err) => Err(classify(err, &job.room)),
        })
        .collect()
}

fn new_messages(jobs: &[Job]) -> Vec<NewMessage<'_>> {
    jobs.iter()
        .map(|job| NewMessage { room: &job.room, author: &job.author, body: &job.body, nonce: &job.nonce })
        .collect()
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
    messages::insert_batch(db, &new_messages(jobs)).await
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
