//! A handle on the database that exists only when the database is PostgreSQL: what the
//! multi-instance code needs (raw statements through sqlx's pool) cannot be reached on SQLite,
//! because no value of this type can be made there.

use std::time::Duration;

use sea_orm::{
    sqlx::{postgres::PgPoolOptions, Executor, PgPool},
    DatabaseConnection, DbBackend, DbErr, SqlxPostgresConnector,
};

#[derive(Clone)]
pub struct Postgres {
    db: DatabaseConnection,
}

impl Postgres {
    /// `None` unless `db` is a PostgreSQL connection.
    pub fn of(db: &DatabaseConnection) -> Option<Self> {
        (db.get_database_backend() == DbBackend::Postgres).then(|| Self { db: db.clone() })
    }

    /// The connection, for sea-orm queries.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The sqlx pool behind it, for statements sea-orm cannot build (arrays, `unnest`).
    pub fn pool(&self) -> &PgPool {
        // Cannot panic: `of` only wraps PostgreSQL connections.
        self.db.get_postgres_connection_pool()
    }

    /// A connection of its own to the same server on which each statement is planned once: the
    /// message writer's. Left to choose, PostgreSQL planned the numbering statement anew on every
    /// call (a generic plan's estimate assumes ten messages a batch, so it never looked cheaper),
    /// and planning cost more than running it: a third of PostgreSQL's time with two instances
    /// (docs/BENCHMARKS.md). The shared pool keeps PostgreSQL's choice, so a page of history is
    /// still planned for its own `LIMIT`. A `SET` rather than a start-up option, which poolers
    /// may refuse.
    pub fn planned_once(&self) -> Self {
        let options = (*self.pool().connect_options()).clone();
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(|connection, _| {
                Box::pin(async move {
                    connection.execute("SET plan_cache_mode = force_generic_plan").await.map(drop)
                })
            })
            .connect_lazy_with(options);
        Self { db: SqlxPostgresConnector::from_sqlx_postgres_pool(pool) }
    }

    /// Connects now (a lazily opened pool otherwise waits for its first statement).
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.db.ping().await
    }
}

/// A query sent through sqlx directly failed, said as sea-orm says it.
pub fn query_error(err: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Query(sea_orm::RuntimeErr::SqlxError(err.into()))
}
