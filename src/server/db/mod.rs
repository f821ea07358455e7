//! Storage: the connection, the entities, and small query units per table. Everything here is
//! portable between SQLite and PostgreSQL; SQLite-only tuning stays in `connect`.

pub mod bans;
pub mod changes;
pub mod entities;
pub mod invites;
pub mod members;
pub mod mentions;
pub mod messages;
pub mod moderation_log;
pub mod pins;
pub mod reactions;
pub mod read_markers;
pub mod rooms;
pub mod users;

use std::{path::Path, time::Duration};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, TransactionTrait,
};

/// The default database: one SQLite file inside the data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("mini-discord.sqlite").display())
}

/// When an acknowledged message is safe: SQLite's `synchronous` setting for the pool, and whether
/// the message writer syncs its log before acknowledging (`writer::durable`).
///
/// `Full` is the default since the writer overlaps each batch's fsync with storing the next: in
/// 100 rooms at 5,000 msg/s its median delivery showed no difference from `Normal`'s, where
/// SQLite's own fsync inside each commit had tripled it (docs/BENCHMARKS.md, "Power-cut safety at
/// the storage floor").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SqliteDurability {
    /// On disk: an acknowledged message survives a power cut. One fsync per batch of messages.
    #[default]
    Full,
    /// In the operating system's hands: an acknowledged message survives the process crashing,
    /// not the machine losing power.
    Normal,
}

/// Rows one SQLite statement may produce before it waits for them to be read: more than the
/// largest message batch (`write-batch` in Leptos.toml, 256 by default).
const ROWS_IN_FLIGHT: usize = 1024;

/// Opens the database and brings its schema up to date.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, SqliteDurability::default()).await
}

/// [`connect`], with SQLite's durability chosen (`sqlite-durability` in Leptos.toml).
pub async fn connect_with(url: &str, durability: SqliteDurability) -> Result<DatabaseConnection, DbErr> {
    let synchronous = match durability {
        SqliteDurability::Full => SqliteSynchronous::Full,
        SqliteDurability::Normal => SqliteSynchronous::Normal,
    };
    let mut options = options(url, synchronous);
    if url.starts_with("sqlite:") {
        // One SQLite file takes one writer at a time; a small pool avoids lock convoys.
        options.max_connections(4);
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // Instances started together would race to apply the same migration: they take turns,
        // and whoever comes second finds nothing left to do.
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")).await?;
        Migrator::up(&txn, None).await?;
        txn.commit().await?;
    } else {
        Migrator::up(&db, None).await?;
    }
    Ok(db)
}

/// Any fixed number: the advisory lock instances hold while migrating a PostgreSQL database.
const MIGRATION_LOCK: i64 = 0x6d64_6d67; // "mdmg"

/// The message writer's own SQLite connection when acknowledged messages must survive a power
/// cut. Its commits do not wait for the disk (`synchronous = NORMAL`): the writer makes each
/// batch durable itself, with one fsync of the log that overlaps the next batch's insert
/// (`writer::durable`). One connection, never closed, so the log file it syncs is the one
/// SQLite writes for as long as the app runs.
pub async fn writer_connection(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = options(url, SqliteSynchronous::Normal);
    options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None);
    Database::connect(options).await
}

fn options(url: &str, synchronous: SqliteSynchronous) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false).acquire_timeout(Duration::from_secs(10)).map_sqlx_sqlite_opts(move |opts| {
        // WAL lets readers (history, page loads) proceed while a message is being written.
        opts.journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Checkpoints (copying the log into the database file, with an fsync) would
            // otherwise run inside whichever commit crosses the threshold, stalling the
            // message writer; `spawn_checkpointer` runs them beside it instead.
            .pragma("wal_autocheckpoint", "0")
            // SQLite commits a statement only once its last row has been read, and sqlx
            // hands rows over one at a time through this channel: with the default 50, a batch
            // of a hundred stored messages waited, row by row, for the reader to be scheduled
            // before its commit (docs/BENCHMARKS.md, "Where the time goes").
            .row_buffer_size(ROWS_IN_FLIGHT)
            // A deleted message's text is overwritten where it lay, not left in a free page.
            .pragma("secure_delete", "on")
    });
    options
}

/// Folds SQLite's write-ahead log into the database once a second, on a connection other than
/// the writer's. PASSIVE never blocks readers or the writer; what it cannot copy yet it copies
/// next time. Does nothing on other databases.
pub fn spawn_checkpointer(db: DatabaseConnection) {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(err) = db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await {
                tracing::warn!(error = %err, "checkpointing the SQLite log failed");
            }
        }
    });
}

/// Milliseconds since the Unix epoch: how every row records when it happened.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// A page of results for the admin lists: the rows and whether another page follows.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
}

impl<T> Page<T> {
    /// Builds a page from a query that fetched one row more than the page size.
    pub fn from_overfetch(mut items: Vec<T>, per_page: u64) -> Self {
        let has_more = items.len() as u64 > per_page;
        items.truncate(per_page as usize);
        Page { items, has_more }
    }
}

/// `%term%` for a LIKE filter, with the user's own wildcards taken literally.
pub fn like_pattern(term: &str) -> String {
    format!("%{}%", like_escaped(term))
}

/// `term` with LIKE's wildcards escaped (by `\`), to be matched as it is.
pub fn like_escaped(term: &str) -> String {
    term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// `lower(column) LIKE '%term%'`: a case-insensitive "contains" that behaves the same on SQLite
/// (whose LIKE ignores ASCII case) and PostgreSQL (whose LIKE does not).
pub fn contains_ignoring_case(
    column: impl sea_orm::sea_query::IntoColumnRef,
    term: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    Expr::expr(Func::lower(Expr::col(column)))
        .like(LikeExpr::new(like_pattern(&term.to_lowercase())).escape('\\'))
}
