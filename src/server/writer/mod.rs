//! The message writer: validate, store, then publish, so nothing reaches a reader that is not
//! in the history.
//!
//! One task does all the storing, with group commit: whatever messages arrive while a
//! transaction is being written go into the next one, so a burst costs one commit, not one per
//! message. Each sender's socket gets its `ack` before the batch is published, so a tab knows its
//! own message by nonce when it arrives. Publishing happens after the commit and in id order, so
//! every reader sees a room's messages in the one order of their ids, and a reconnecting tab that
//! asks for "after id N" never skips one.
//!
//! With several instances, storing goes through [`Numbering`] (see `cluster::numbering`), and the
//! bus puts each room back in number order at every instance. With SQLite and power-cut safety,
//! committed batches are made durable beside the next batch's insert (see `durable`).

pub(in crate::server) mod durable;
mod timings;

use std::time::Instant;

use sea_orm::{DatabaseConnection, DbErr, SqlErr, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use self::timings::{BatchClock, Timings};
use super::{
    chat::ChatError,
    cluster::numbering::{Numbered, Numbering},
    config::Config,
    db::{
        mentions::Mentioned,
        messages::{self, NewMessage, Stored},
        rooms::Room,
        users::Author,
        SqliteDurability,
    },
    hub::{encode, Hub},
    subscribers::Outbox,
};
use crate::shared::{
    protocol::ServerFrame,
    timings::ACK_DEADLINE,
    validate,
    views::{MessageView, ReplyQuote},
};

struct Job {
    room: Room,
    author: Author,
    body: String,
    nonce: String,
    refers: References,
    /// The sending socket, told before anyone else.
    ack_to: Option<Outbox>,
    answer_to: oneshot::Sender<Result<MessageView, ChatError>>,
    queued_at: Instant,
}

/// What a new message points at, checked before it is queued.
#[derive(Debug, Default)]
pub struct References {
    /// The message it answers (in the same room), as quoted.
    pub reply: Option<ReplyQuote>,
    /// The people its text names.
    pub mentions: Vec<Mentioned>,
}

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

/// Where the writer stores messages, and what makes them durable.
pub enum Storage {
    /// The shared pool, each commit as durable as the database is configured.
    Shared,
    /// SQLite, with acknowledged messages on disk: a connection of its own to this URL, and
    /// the log synced beside the next batch (`durable`).
    DurableSqlite(String),
    /// This instance shares rooms with others: PostgreSQL numbers the messages.
    Numbered(Numbering),
}

impl Storage {
    /// The storage `config` asks for; `numbering` when instances share rooms.
    pub fn chosen(config: &Config, numbering: Option<Numbering>) -> Self {
        match numbering {
            Some(numbering) => Self::Numbered(numbering),
            None if config.sqlite_durability == SqliteDurability::Full
                && config.database_url.starts_with("sqlite:") =>
            {
                Self::DurableSqlite(config.database_url.clone())
            }
            None => Self::Shared,
        }
    }
}

impl Writer {
    /// Starts the writer task; `max_batch` bounds how many messages share one transaction.
    pub fn spawn(db: DatabaseConnection, hub: Hub, storage: Storage, max_batch: usize) -> Self {
        let (jobs, queue) = mpsc::channel(max_batch.max(1) * 8);
        let writing = run(db, hub, storage, queue, max_batch.max(1));
        // The writer gets a thread of its own: on the shared runtime, each wake-up (a job
        // queued, a commit answered) waited its turn behind thousands of socket tasks, and under
        // load that queueing, not the database, was most of a message's delay
        // (docs/BENCHMARKS.md, "Where the time goes"). It ends when the last `Writer` is dropped.
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(writing)));
        let taken = slot.clone();
        let thread = tokio::runtime::Builder::new_current_thread().enable_all().build().and_then(|runtime| {
            std::thread::Builder::new().name("message-writer".into()).spawn(move || {
                if let Some(writing) = taken.lock().ok().and_then(|mut slot| slot.take()) {
                    runtime.block_on(writing);
                }
            })
        });
        if let Err(err) = thread {
            tracing::warn!(error = %err, "no thread for the message writer; it shares the runtime");
            if let Some(writing) = slot.lock().ok().and_then(|mut slot| slot.take()) {
                tokio::spawn(writing);
            }
        }
        Self { jobs }
    }

    /// Stores a message, then publishes it to the room. `nonce` is the author's own id for it:
    /// a resend of a nonce already stored returns the stored message without publishing it again.
    pub async fn post(
        &self,
        room: &Room,
        author: Author,
        body: &str,
        nonce: &str,
        refers: References,
        ack_to: Option<&Outbox>,
    ) -> Result<MessageView, ChatError> {
        let body = message_text(body)?;
        validate::nonce(nonce)?;
        let (answer_to, answer) = oneshot::channel();
        let job = Job {
            room: room.clone(),
            author,
            body,
            nonce: nonce.to_owned(),
            refers,
            ack_to: ack_to.cloned(),
            answer_to,
            queued_at: Instant::now(),
        };
        self.jobs.send(job).await.map_err(|_| ChatError::NotSaved)?;
        // A database that stopped answering must not hold the sender forever. If the message is
        // stored after all, the sender's resend (same nonce) gets the stored one back.
        match tokio::time::timeout(ACK_DEADLINE, answer).await {
            Ok(answer) => answer.map_err(|_| ChatError::NotSaved)?,
            Err(_) => Err(ChatError::NotSaved),
        }
    }
}

/// A message's text as stored, new or edited: trimmed, checked (`validate::message_body`), NFC.
pub fn message_text(body: &str) -> Result<String, validate::InvalidInput> {
    let body = normalized(validate::message_body(body)?);
    Ok(validate::message_body(&body)?.to_owned())
}

/// One spelling per text (NFC): "é" typed as one character and as "e" plus an accent is the same
/// message, shown and found alike. Most text is NFC already and is only copied.
fn normalized(body: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    match is_nfc_quick(body.chars()) {
        IsNormalized::Yes => body.to_owned(),
        _ => body.nfc().collect(),
    }
}

/// How the writer loop stores each batch (a [`Storage`] once opened).
enum Mode {
    Alone(DatabaseConnection),
    /// Committed batches go to the durable stage, which acknowledges and publishes them.
    Durable(DatabaseConnection, durable::Stage),
    Numbered(Numbering),
}

async fn run(
    db: DatabaseConnection,
    hub: Hub,
    storage: Storage,
    mut queue: mpsc::Receiver<Job>,
    max_batch: usize,
) {
    let mut mode = match storage {
        Storage::Shared => Mode::Alone(db.clone()),
        Storage::DurableSqlite(url) => match durable::open(&url, hub.clone()).await {
            Ok((own, stage)) => Mode::Durable(own, stage),
            Err(err) => {
                // The shared pool commits with SQLite's own fsync: as safe, only slower.
                tracing::warn!(error = %err, "no connection of the writer's own; it commits through the pool");
                Mode::Alone(db.clone())
            }
        },
        Storage::Numbered(numbering) => {
            numbering.connect().await;
            Mode::Numbered(numbering)
        }
    };
    let mut batch = Vec::with_capacity(max_batch);
    let mut timings = Timings::new();
    while queue.recv_many(&mut batch, max_batch).await > 0 {
        if matches!(&mode, Mode::Durable(_, stage) if stage.stopped()) {
            tracing::error!(
                "the message writer's durable stage stopped; it commits through the pool from now on"
            );
            mode = Mode::Alone(db.clone());
        }
        let mut clock = timings.clock(|| batch.iter().map(|job| job.queued_at).min());
        let answers = match &mode {
            Mode::Numbered(numbering) => write_numbered(numbering, &hub, &batch, clock.as_mut()).await,
            Mode::Alone(db) => {
                let stored = store_alone(db, &batch, clock.as_mut()).await;
                publish_alone(&hub, &batch, stored, true).await
            }
            Mode::Durable(db, stage) => {
                let stored = store_alone(db, &batch, clock.as_mut()).await;
                let jobs = std::mem::replace(&mut batch, Vec::with_capacity(max_batch));
                if let Err(lost) = stage.send(durable::Committed { jobs, stored, clock }).await {
                    tracing::error!("the durable stage of the message writer has stopped");
                    let answers = lost.jobs.iter().map(|_| Err(ChatError::NotSaved)).collect();
                    answer(lost.jobs, answers);
                }
                continue;
            }
        };
        timings.finished(clock, batch.len());
        answer(batch.drain(..), answers);
    }
    if let Mode::Durable(_, stage) = mode {
        stage.finish().await;
    }
}

/// Gives each waiting sender its message's outcome.
fn answer(jobs: impl IntoIterator<Item = Job>, answers: Vec<Result<MessageView, ChatError>>) {
    for (job, answer) in jobs.into_iter().zip(answers) {
        // The sender may have disconnected meanwhile; the message is stored all the same.
        let _ = job.answer_to.send(answer);
    }
}

/// Tells each sender's socket which id its message got, ahead of the message itself.
fn acknowledge(jobs: &[Job], answers: &[Result<MessageView, ChatError>]) {
    for (job, answer) in jobs.iter().zip(answers) {
        // A sender that gave up waiting has been told the message was not saved; its retry
        // (same nonce) gets the ack instead.
        if job.answer_to.is_closed() {
            continue;
        }
        if let (Some(outbox), Ok(message)) = (&job.ack_to, answer) {
            outbox.offer(&encode(&ServerFrame::Ack { nonce: job.nonce.clone(), id: message.id }));
        }
    }
}

/// A batch stored by the only writer of its rooms: each message's outcome, and whether the batch
/// had to be retried one by one.
struct StoredBatch {
    results: Vec<Result<Stored, ChatError>>,
    retried: bool,
}

/// The only writer of its rooms: store.
async fn store_alone(db: &DatabaseConnection, jobs: &[Job], clock: Option<&mut BatchClock>) -> StoredBatch {
    let (results, retried) = store(db, jobs).await;
    if let Some(clock) = clock {
        clock.stored();
    }
    StoredBatch { results, retried }
}

/// The only writer of its rooms, after storing: acknowledge, then publish in id order. A batch
/// that is stored but not known to be `durable` (an fsync of the log failed) is neither: its
/// senders are told it was not saved.
async fn publish_alone(
    hub: &Hub,
    jobs: &[Job],
    StoredBatch { results, retried }: StoredBatch,
    durable: bool,
) -> Vec<Result<MessageView, ChatError>> {
    if !durable {
        return results.into_iter().map(|result| Err(result.err().unwrap_or(ChatError::NotSaved))).collect();
    }
    let mut fresh: Vec<MessageView> = results
        .iter()
        .filter_map(|result| match result {
            Ok(Stored::New(message)) => Some(message.clone()),
            // After a failed batch, a "duplicate" may be a message that batch stored before its
            // answer was lost, and so never published: publish it (readers drop ids they have).
            Ok(Stored::Duplicate(message)) if retried => Some(message.clone()),
            _ => None,
        })
        .collect();
    let answers: Vec<Result<MessageView, ChatError>> = results
        .into_iter()
        .map(|result| match result {
            Ok(Stored::New(message) | Stored::Duplicate(message)) => Ok(message),
            Err(err) => Err(err),
        })
        .collect();
    acknowledge(jobs, &answers);
    // The database hands out ids in batch order, but readers rely on id order: publish by id
    // whatever the engine did.
    fresh.sort_by_key(|message| message.id);
    hub.publish_batch(
        fresh.into_iter().map(|message| (message.room.clone(), ServerFrame::Message { message })),
    )
    .await;
    answers
}

/// One of several writers sharing rooms: store and number, then publish with the numbers.
async fn write_numbered(
    numbering: &Numbering,
    hub: &Hub,
    jobs: &[Job],
    clock: Option<&mut BatchClock>,
) -> Vec<Result<MessageView, ChatError>> {
    let outcomes = numbering.store(&new_messages(jobs)).await;
    if let Some(clock) = clock {
        clock.stored();
    }
    // A message a failed statement stored before its answer was lost is not published here:
    // its number is missing at every reader, which fetches it from the database after a moment.
    let mut fresh: Vec<(i64, i64, MessageView)> = jobs
        .iter()
        .zip(&outcomes)
        .filter_map(|(job, outcome)| match outcome {
            Ok(Numbered::New { message, seq }) => Some((job.room.id, *seq, message.clone())),
            _ => None,
        })
        .collect();
    let answers: Vec<Result<MessageView, ChatError>> = jobs
        .iter()
        .zip(outcomes)
        .map(|(job, outcome)| match outcome {
            Ok(Numbered::New { message, .. } | Numbered::Duplicate(message)) => Ok(message),
            Ok(Numbered::RoomGone) => Err(ChatError::RoomGone),
            Err(err) => Err(classify(err, &job.room)),
        })
        .collect();
    acknowledge(jobs, &answers);
    fresh.sort_by_key(|(_, _, message)| message.id);
    hub.publish_numbered(fresh).await;
    answers
}

fn new_messages(jobs: &[Job]) -> Vec<NewMessage<'_>> {
    jobs.iter()
        .map(|job| NewMessage {
            room: &job.room,
            author: &job.author,
            body: &job.body,
            nonce: &job.nonce,
            reply: job.refers.reply.as_ref(),
            mentions: &job.refers.mentions,
        })
        .collect()
}

/// Stores a batch; each message succeeds or fails on its own. Also says whether the batch had
/// to be retried one by one.
async fn store(db: &DatabaseConnection, jobs: &[Job]) -> (Vec<Result<Stored, ChatError>>, bool) {
    // The fast path: the whole batch in one statement, which commits on its own (one statement
    // is atomic), so no round trips for BEGIN and COMMIT.
    match messages::insert_batch(db, &new_messages(jobs)).await {
        Ok(stored) => (stored.into_iter().map(Ok).collect(), false),
        // One refused row (a room deleted while its message was queued) fails the whole
        // statement; one at a time, only that message fails.
        Err(err) => {
            tracing::debug!(error = %err, "batch insert refused, storing one by one");
            (store_one_by_one(db, jobs).await, true)
        }
    }
}

async fn store_one_by_one(db: &DatabaseConnection, jobs: &[Job]) -> Vec<Result<Stored, ChatError>> {
    let txn = match db.begin().await {
        Ok(txn) => txn,
        Err(err) => {
            tracing::error!(error = %err, "starting a message transaction failed");
            return jobs.iter().map(|_| Err(ChatError::NotSaved)).collect();
        }
    };
    let mut results = Vec::with_capacity(jobs.len());
    for (job, message) in jobs.iter().zip(new_messages(jobs)) {
        let stored = messages::insert_new(&txn, &message).await;
        results.push(stored.map_err(|err| classify(err, &job.room)));
    }
    if let Err(err) = txn.commit().await {
        tracing::error!(error = %err, "committing messages failed");
        return jobs.iter().map(|_| Err(ChatError::NotSaved)).collect();
    }
    results
}

fn classify(err: DbErr, room: &Room) -> ChatError {
    match err.sql_err() {
        // The room was deleted while the author was typing.
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => ChatError::RoomGone,
        _ => {
            tracing::error!(error = %err, room = %room.name, "storing a message failed");
            ChatError::NotSaved
        }
    }
}
