//! `mini-discord storage-floor`: what committing a batch of messages costs on this machine, with
//! the database configured exactly as the app configures it and through the writer's own
//! statement, but with nothing else running. The message path cannot deliver a stored message
//! sooner than this; docs/BENCHMARKS.md compares the app's delivery times with it.
//!
//! It never touches the app's own data: on SQLite it works in a scratch directory beside the
//! database (same disk), on PostgreSQL in a scratch database it creates and drops.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr};

use super::{
    db::{self, messages, rooms, users, SqliteDurability},
    writer::durable::Log,
};

/// Messages already in the history when timing starts: an index of some depth, as a live
/// site has.
const PREFILLED: u64 = 200_000;

/// Batch sizes timed: one message (a quiet room) up to a thousand (a burst).
pub const BATCH_SIZES: [usize; 4] = [1, 10, 100, 1_000];

/// A message body of the size the load generator sends.
const BODY: &str =
    "a message of about the size the load generator sends, to time what a real one costs to store: 112 b";

/// One line of the report: committing batches of `size` messages with one setting.
pub struct FloorRow {
    pub database: String,
    pub size: usize,
    /// Median and 90th percentile over the repeats.
    pub p50: Duration,
    pub p90: Duration,
}

impl FloorRow {
    pub fn per_message(&self) -> Duration {
        self.p50 / u32::try_from(self.size).unwrap_or(u32::MAX)
    }
}

/// Times `repeat` commits of each batch size. `database_url`: the app's database; on SQLite the
/// timing happens in a scratch directory in `data_dir`, with each durability setting.
pub async fn measure(data_dir: &Path, database_url: &str, repeat: usize) -> Result<Vec<FloorRow>, DbErr> {
    if !database_url.starts_with("sqlite:") {
        return measure_postgres(database_url, repeat).await;
    }
    let scratch = data_dir.join(format!(".storage-floor-{}", std::process::id()));
    let timed = measure_sqlite(&scratch, repeat).await;
    let _ = std::fs::remove_dir_all(&scratch);
    timed
}

/// How a commit is made durable, for each row of the report.
#[derive(Clone, Copy)]
enum Fsync {
    /// `sqlite-durability = "normal"`: none.
    Never,
    /// `sqlite-durability = "full"` as the writer does it: a commit that does not wait for the
    /// disk, then one fsync of the log (`writer::durable`).
    AfterTheCommit,
    /// SQLite's own `synchronous = FULL`, the fsync inside the commit (the writer's way before).
    InsideTheCommit,
}

async fn measure_sqlite(scratch: &Path, repeat: usize) -> Result<Vec<FloorRow>, DbErr> {
    let mut rows = Vec::new();
    for (fsync, setting, name) in [
        (Fsync::Never, "normal", "SQLite, \"normal\""),
        (Fsync::AfterTheCommit, "full", "SQLite, \"full\" (commit, then the log's fsync)"),
        (Fsync::InsideTheCommit, "full-inside", "SQLite, synchronous = FULL (fsync in the commit)"),
    ] {
        let dir = scratch.join(setting);
        std::fs::create_dir_all(&dir).map_err(|err| DbErr::Custom(format!("{}: {err}", dir.display())))?;
        let url = db::sqlite_url(&dir);
        let durability = match fsync {
            Fsync::Never => SqliteDurability::Normal,
            Fsync::AfterTheCommit | Fsync::InsideTheCommit => SqliteDurability::Full,
        };
        let pool = db::connect_with(&url, durability).await?;
        match fsync {
            Fsync::AfterTheCommit => {
                let own = db::writer_connection(&url).await?;
                let log = Log::of(&own).await?;
                rows.extend(time_batches(&own, name, repeat, Some(&log)).await?);
                own.close().await?;
            }
            Fsync::Never | Fsync::InsideTheCommit => {
                rows.extend(time_batches(&pool, name, repeat, None).await?)
            }
        }
        pool.close().await?;
    }
    Ok(rows)
}

async fn measure_postgres(url: &str, repeat: usize) -> Result<Vec<FloorRow>, DbErr> {
    let scratch = format!("mini_discord_floor_{}", std::process::id());
    let admin = sea_orm::Database::connect(url).await?;
    admin.execute_unprepared(&format!("CREATE DATABASE {scratch}")).await?;
    let timed = async {
        let db = db::connect(&with_database(url, &scratch)).await?;
        let rows = time_batches(&db, "PostgreSQL", repeat, None).await;
        db.close().await?;
        rows
    }
    .await;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {scratch}")).await?;
    timed
}

/// The same server and credentials, another database.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(base, query)| (base, Some(query)));
    let authority_end = base.find("://").map_or(0, |scheme| scheme + 3);
    let server = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

/// `log`: synced after each commit, as the writer does with `sqlite-durability = "full"`.
async fn time_batches(
    db: &DatabaseConnection,
    name: &str,
    repeat: usize,
    log: Option<&Log>,
) -> Result<Vec<FloorRow>, DbErr> {
    let user = users::create(db, "floor", "not a password hash".to_owned())
        .await
        .map_err(|err| DbErr::Custom(err.to_string()))?;
    let author = users::Author::from(&user);
    let (room, _) = rooms::get_or_create(db, "floor", user.id).await?;
    prefill(db, room.id, user.id).await?;
    let mut rows = Vec::new();
    let mut sent = 0usize;
    for size in BATCH_SIZES {
        let mut times = Vec::with_capacity(repeat);
        for _ in 0..repeat.max(1) {
            let nonces: Vec<String> = (sent..sent + size).map(|n| format!("floor-{n}")).collect();
            sent += size;
            let batch: Vec<messages::NewMessage<'_>> =
                nonces.iter().map(|nonce| messages::NewMessage::new(&room, &author, BODY, nonce)).collect();
            let started = Instant::now();
            messages::insert_batch(db, &batch).await?;
            if let Some(log) = log {
                log.sync().await.map_err(|err| DbErr::Custom(err.to_string()))?;
            }
            times.push(started.elapsed());
        }
        times.sort_unstable();
        rows.push(FloorRow {
            database: name.to_owned(),
            size,
            p50: times[(times.len() - 1) / 2],
            p90: times[(times.len() - 1) * 9 / 10],
        });
    }
    Ok(rows)
}

/// Fills the history in one statement (through the writer it would take minutes and time the
/// wrong thing).
async fn prefill(db: &DatabaseConnection, room: i64, user: i64) -> Result<(), DbErr> {
    let now = db::now_ms();
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => format!(
            "INSERT INTO messages (room_id, user_id, body, created_at) \
             SELECT {room}, {user}, '{BODY}', {now} FROM generate_series(1, {PREFILLED})"
        ),
        _ => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {PREFILLED}) \
             INSERT INTO messages (room_id, user_id, body, created_at) SELECT {room}, {user}, '{BODY}', {now} FROM n"
        ),
    };
    db.execute_unprepared(&sql).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn a_scratch_database_keeps_the_server_and_its_options() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:25432/postgres", "scratch"),
            "postgres://postgres@127.0.0.1:25432/scratch"
        );
        assert_eq!(
            with_database("postgres://u:p@db/app?sslmode=disable", "scratch"),
            "postgres://u:p@db/scratch?sslmode=disable"
        );
        assert_eq!(with_database("postgres://db", "scratch"), "postgres://db/scratch");
    }
}
