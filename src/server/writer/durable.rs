//! Power-cut safety without making every batch wait for the disk in turn.
//!
//! With `sqlite-durability = "full"`, SQLite would fsync its log inside every commit, and the
//! writer could not start storing the next batch until that fsync returned: under load each
//! fsync's wake-up waited for a busy core, and the median delivery tripled (docs/BENCHMARKS.md,
//! "Power-cut safety at the storage floor"). Instead the writer commits on a connection of its
//! own that does not wait for the disk, hands the committed batch to this stage, and goes on
//! storing. This stage makes everything committed so far durable with one fsync of the log,
//! then acknowledges and publishes each batch in commit order. An acknowledged or published
//! message is on disk, as with SQLite's own `FULL`. (A history page read between a commit and
//! its fsync, a millisecond or two under load, may show a message before it is durable.)

use std::{fs::File, future::Future, os::unix::fs::MetadataExt, path::PathBuf, sync::Arc};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use tokio::sync::mpsc;

use super::{
    answer, publish_alone,
    timings::{BatchClock, Timings},
    Job, StoredBatch,
};
use crate::server::{db, hub::Hub};

/// Batches committed but not yet on disk that may wait for this stage before the writer itself
/// waits: a few fsyncs' worth at the largest batch size.
const COMMITTED_WAITING: usize = 64;

/// A batch the writer has committed, on its way to disk and then to its readers.
pub(super) struct Committed {
    pub(super) jobs: Vec<Job>,
    pub(super) stored: StoredBatch,
    pub(super) clock: Option<BatchClock>,
}

/// SQLite's write-ahead log: the file whose fsync makes a commit durable. One descriptor for the
/// app's life, as SQLite keeps its own: Linux reports a failed write-back to the descriptors
/// open when it happened, so a descriptor opened later could sync "successfully" over data that
/// never reached the disk.
pub(in crate::server) struct Log {
    path: PathBuf,
    file: Arc<File>,
}

impl Log {
    /// The log of the database `own` is connected to, named by SQLite itself (it resolves
    /// symbolic links; the URL may not name the real file). Synced once here, so a log that cannot
    /// be synced is found at start-up, not at the first message.
    pub(in crate::server) async fn of(own: &DatabaseConnection) -> Result<Self, DbErr> {
        let main = own
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA database_list"))
            .await?
            .into_iter()
            .find(|row| row.try_get::<String>("", "name").is_ok_and(|name| name == "main"))
            .and_then(|row| row.try_get::<String>("", "file").ok())
            .filter(|file| !file.is_empty())
            .ok_or_else(|| DbErr::Custom("the database is not a file".into()))?;
        let path = PathBuf::from(format!("{main}-wal"));
        let opened = path.clone();
        let file = tokio::task::spawn_blocking(move || -> std::io::Result<File> {
            let file = File::open(&opened)?;
            file.sync_data()?;
            Ok(file)
        })
        .await
        .map_err(|err| DbErr::Custom(err.to_string()))?
        .map_err(|err| DbErr::Custom(format!("the SQLite log {}: {err}", path.display())))?;
        Ok(Self { path, file: Arc::new(file) })
    }

    /// Everything written to the log before this call is on disk when the future resolves. The
    /// log must still be the file opened at start-up: SQLite never replaces it while a
    /// connection (the writer's, never closed) has it open, and syncing a replaced file would
    /// prove nothing.
    pub(in crate::server) fn sync(&self) -> impl Future<Output = std::io::Result<()>> + Send + 'static {
        let (path, file) = (self.path.clone(), self.file.clone());
        async move {
            tokio::task::spawn_blocking(move || {
                let syncing = || {
                    if std::fs::metadata(&path)?.ino() != file.metadata()?.ino() {
                        return Err(std::io::Error::other("the file was replaced"));
                    }
                    file.sync_data()
                };
                syncing().map_err(|err| std::io::Error::new(err.kind(), format!("{}: {err}", path.display())))
            })
            .await
            .map_err(std::io::Error::other)?
        }
    }
}

/// The stage committed batches go through on their way to disk and to their readers.
pub(super) struct Stage {
    committed: mpsc::Sender<Committed>,
    running: tokio::task::JoinHandle<()>,
}

impl Stage {
    /// Hands a committed batch over, waiting while the stage is [`COMMITTED_WAITING`] behind.
    /// Gives the batch back if the stage has stopped.
    pub(super) async fn send(&self, batch: Committed) -> Result<(), Committed> {
        self.committed.send(batch).await.map_err(|mpsc::error::SendError(batch)| batch)
    }

    /// The stage ended (it panicked): batches handed over now would never be answered.
    pub(super) fn stopped(&self) -> bool {
        self.committed.is_closed()
    }

    /// Lets every batch already handed over reach the disk and its readers.
    pub(super) async fn finish(self) {
        drop(self.committed);
        let _ = self.running.await;
    }
}

/// The writer's connection and the stage its committed batches go through. Fails when the
/// database is not a file SQLite keeps a log for (the writer then commits through the shared
/// pool, whose own `FULL` commits are durable).
pub(super) async fn open(url: &str, hub: Hub) -> Result<(DatabaseConnection, Stage), DbErr> {
    let own = db::writer_connection(url).await?;
    let log = Log::of(&own).await?;
    let (committed, arriving) = mpsc::channel(COMMITTED_WAITING);
    let running = tokio::spawn(announce_when_durable(move || log.sync(), hub, arriving));
    Ok((own, Stage { committed, running }))
}

/// Syncs (`sync`: the log's fsync), then acknowledges and publishes, batch after batch.
async fn announce_when_durable<Synced>(
    sync: impl Fn() -> Synced,
    hub: Hub,
    mut arriving: mpsc::Receiver<Committed>,
) where
    Synced: Future<Output = std::io::Result<()>>,
{
    let mut timings = Timings::new();
    let mut ready = Vec::with_capacity(COMMITTED_WAITING);
    // After one failed fsync no later success proves anything (the failed pages may have been
    // dropped as if written), so nothing is acknowledged or published again until a restart;
    // the messages stay in the history and their senders are told they were not delivered.
    let mut failed = false;
    while arriving.recv_many(&mut ready, COMMITTED_WAITING).await > 0 {
        // One fsync for every batch committed before it: under load, the batches that arrive
        // while one fsync runs share the next.
        if !failed {
            if let Err(err) = sync().await {
                tracing::error!(
                    error = %err,
                    "syncing the SQLite log failed: no message is acknowledged until a restart"
                );
                failed = true;
            }
        }
        for Committed { jobs, stored, mut clock } in ready.drain(..) {
            if let Some(clock) = clock.as_mut() {
                clock.synced();
            }
            let answers = publish_alone(&hub, &jobs, stored, !failed).await;
            timings.finished(clock, jobs.len());
            answer(jobs, answers);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::{oneshot, Mutex};

    use super::*;
    use crate::{
        server::{
            chat::ChatError,
            db::{messages::Stored, users::Author},
            hub::Connection,
            subscribers::Inbox,
            writer::References,
        },
        shared::{protocol::ServerFrame, views::MessageView},
    };

    #[tokio::test]
    async fn the_writer_syncs_the_log_sqlite_names_for_its_database() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = db::sqlite_url(dir.path());
        let _pool = db::connect(&url).await.expect("database opens");
        let own = db::writer_connection(&url).await.expect("the writer connects");
        let log = Log::of(&own).await.expect("the log is found and synced");
        let expected = dir.path().canonicalize().expect("real path").join("mini-discord.sqlite-wal");
        assert_eq!(log.path, expected);
        log.sync().await.expect("synced again");
    }

    #[tokio::test]
    async fn nothing_is_acknowledged_or_published_before_the_log_is_on_disk_nor_after_a_failed_fsync() {
        // A disk whose fsyncs the test answers one at a time.
        let (disk, answers) = tokio::sync::mpsc::unbounded_channel::<std::io::Result<()>>();
        let answers = Arc::new(Mutex::new(answers));
        let syncs = Arc::new(AtomicUsize::new(0));
        let sync = {
            let (answers, syncs) = (answers.clone(), syncs.clone());
            move || {
                let (answers, syncs) = (answers.clone(), syncs.clone());
                async move {
                    syncs.fetch_add(1, Ordering::SeqCst);
                    answers.lock().await.recv().await.unwrap_or(Ok(()))
                }
            }
        };
        let hub = Hub::local(64);
        let (reader, mut heard) = hub.connect(1, "reader", None);
        hub.join(&reader, "general", true).await;
        drain(&mut heard);
        let (sender, mut told) = hub.connect(2, "sender", None);
        let (committed, arriving) = mpsc::channel(COMMITTED_WAITING);
        tokio::spawn(announce_when_durable(sync, hub.clone(), arriving));

        let (first, answered) = committed_message(&sender, 1);
        assert!(committed.send(first).await.is_ok(), "the stage runs");
        settle().await;
        assert_eq!(syncs.load(Ordering::SeqCst), 1, "the batch waits for an fsync");
        assert!(drain(&mut told).is_empty(), "acknowledged before it was on disk");
        assert!(drain(&mut heard).is_empty(), "published before it was on disk");
        disk.send(Ok(())).expect("the fsync is waiting");
        assert_eq!(answered.await.expect("answered").expect("saved").id, 1);
        assert!(matches!(drain(&mut told)[..], [ServerFrame::Ack { id: 1, .. }]));
        assert!(matches!(&drain(&mut heard)[..], [ServerFrame::Message { message }] if message.id == 1));

        let (second, answered) = committed_message(&sender, 2);
        assert!(committed.send(second).await.is_ok(), "the stage runs");
        settle().await;
        disk.send(Err(std::io::Error::other("the disk is gone"))).expect("the fsync is waiting");
        assert!(matches!(answered.await.expect("answered"), Err(ChatError::NotSaved)));
        // A later fsync proves nothing after a failed one: no more are asked for.
        let (third, answered) = committed_message(&sender, 3);
        assert!(committed.send(third).await.is_ok(), "the stage runs");
        assert!(matches!(answered.await.expect("answered"), Err(ChatError::NotSaved)));
        assert_eq!(syncs.load(Ordering::SeqCst), 2);
        assert!(
            drain(&mut told).is_empty() && drain(&mut heard).is_empty(),
            "nothing told after a failed fsync"
        );
    }

    /// A one-message batch, committed, from `sender`, and where its outcome will be answered.
    fn committed_message(
        sender: &Connection,
        id: i64,
    ) -> (Committed, oneshot::Receiver<Result<MessageView, ChatError>>) {
        let (answer_to, answered) = oneshot::channel();
        let room = db::rooms::Room {
            id: 1,
            name: "general".into(),
            created_by: None,
            created_at: 0,
            last_seq: 0,
            private: false,
            topic: String::new(),
        };
        let message = MessageView {
            id,
            room: "general".into(),
            author: "sender".into(),
            body: format!("message {id}"),
            ..Default::default()
        };
        let job = Job {
            room,
            author: Author { id: sender.user_id, username: sender.username.clone() },
            body: message.body.clone(),
            nonce: format!("n-{id}"),
            refers: References::default(),
            ack_to: Some(sender.outbox.clone()),
            answer_to,
            queued_at: std::time::Instant::now(),
        };
        let stored = StoredBatch { results: vec![Ok(Stored::New(message))], retried: false };
        (Committed { jobs: vec![job], stored, clock: None }, answered)
    }

    /// Lets the stage run as far as it can on this (single-threaded) test runtime.
    async fn settle() {
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
    }

    /// The frames a connection has been sent so far.
    fn drain(inbox: &mut Inbox) -> Vec<ServerFrame> {
        std::iter::from_fn(|| inbox.frames.try_recv().ok())
            .map(|frame| serde_json::from_str(frame.text().as_str()).expect("a server frame"))
            .collect()
    }
}
