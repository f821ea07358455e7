//! Command line: `mini-discord [serve]`, `mini-discord admin grant|revoke NAME` and
//! `mini-discord storage-floor`.

use std::{path::PathBuf, process::ExitCode};

use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tower_sessions::ExpiredDeletion;
use tracing_subscriber::EnvFilter;

use super::{
    cluster::{postgres::Postgres, RedisLink},
    config::{Config, Overrides},
    db::{self, users},
    router,
    state::AppState,
    storage_floor,
};

#[derive(Parser)]
#[command(name = "mini-discord", version, about = "A small self-hosted group chat")]
struct Cli {
    /// The runtime configuration file (a `[package.metadata.leptos]` section and ours).
    #[arg(long, global = true, env = "MINI_DISCORD_CONFIG", default_value = "Leptos.toml")]
    config: PathBuf,
    /// Where the SQLite database lives (overrides Leptos.toml).
    #[arg(long, global = true, env = "MINI_DISCORD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// A database URL, e.g. postgres://… (overrides the data directory's SQLite file).
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// A Redis URL, e.g. redis://127.0.0.1:6379: instances sharing it (and one PostgreSQL) serve
    /// one set of rooms.
    #[arg(long, global = true, env = "REDIS_URL")]
    redis_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default).
    Serve,
    /// Manage administrators.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Time committing batches of messages on this machine's database, as the app configures
    /// it, with nothing else running: the floor under the message path's delivery times. Works
    /// in a scratch directory or database; the app's own data is not touched.
    StorageFloor {
        /// Commits timed per batch size (the report gives their median and 90th percentile).
        #[arg(long, default_value_t = 30)]
        repeat: usize,
    },
}

#[derive(Subcommand)]
enum AdminAction {
    /// Make a user an administrator.
    Grant { username: String },
    /// Take administrator rights away from a user.
    Revoke { username: String },
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Config(#[from] super::config::ConfigError),
    #[error("could not create the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("REDIS_URL: {0}")]
    Redis(redis::RedisError),
    #[error("REDIS_URL is set, so instances share rooms: they must share one database too; set DATABASE_URL=postgres://…")]
    RedisWithoutPostgres,
    #[error("no user named {0:?}")]
    NoSuchUser(String),
}

pub async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("mini-discord: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let overrides =
        Overrides { data_dir: cli.data_dir, database_url: cli.database_url, redis_url: cli.redis_url };
    let config = Config::load(&cli.config, overrides)?;
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|source| CliError::DataDir { path: config.data_dir.clone(), source })?;
    }
    let connect = || db::connect_with(&config.database_url, config.sqlite_durability);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let db = connect().await?;
            serve(config, db).await
        }
        Command::Admin { action } => admin(&connect().await?, action).await,
        // Works beside the app's database, never in it: nothing to connect to or migrate.
        Command::StorageFloor { repeat } => storage_floor(&config, repeat).await,
    }
}

async fn admin(db: &sea_orm::DatabaseConnection, action: AdminAction) -> Result<(), CliError> {
    let (name, grant) = match action {
        AdminAction::Grant { username } => (username, true),
        AdminAction::Revoke { username } => (username, false),
    };
    if !users::set_admin(db, &name, grant).await? {
        return Err(CliError::NoSuchUser(name));
    }
    println!("{name} is {} an administrator", if grant { "now" } else { "no longer" });
    Ok(())
}

async fn storage_floor(config: &Config, repeat: usize) -> Result<(), CliError> {
    let rows = storage_floor::measure(&config.data_dir, &config.database_url, repeat).await?;
    println!("{:<48} {:>8} {:>10} {:>10} {:>14}", "database", "batch", "p50 ms", "p90 ms", "per message µs");
    for row in rows {
        println!(
            "{:<48} {:>8} {:>10.3} {:>10.3} {:>14.1}",
            row.database,
            row.size,
            row.p50.as_secs_f64() * 1e3,
            row.p90.as_secs_f64() * 1e3,
            row.per_message().as_secs_f64() * 1e6
        );
    }
    Ok(())
}

async fn serve(config: Config, db: sea_orm::DatabaseConnection) -> Result<(), CliError> {
    let addr = config.leptos.site_addr;
    let state = match config.redis_url.clone() {
        Some(url) => {
            // Instances with a database each would hand out the same message ids.
            let pg = Postgres::of(&db).ok_or(CliError::RedisWithoutPostgres)?;
            let link = RedisLink::open(&url).map_err(CliError::Redis)?;
            AppState::with_redis(config, pg, &link)
        }
        None => AppState::new(config, db),
    };
    spawn_session_cleanup(state.sessions.clone());
    let app = router::build(state);
    let listener = TcpListener::bind(addr).await.map_err(|source| CliError::Bind { addr, source })?;
    // A chat frame is small and wanted now: without this, Nagle's algorithm holds a frame back
    // until the previous one is acknowledged, and a delayed ACK makes that 40 ms.
    let listener = listener.tap_io(|stream| {
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "TCP_NODELAY refused");
        }
    });
    tracing::info!("mini-discord listening on http://{addr}");
    // The peer address is what log-in attempts are counted by (`client_address`).
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(CliError::Serve)
}

fn spawn_session_cleanup(store: super::auth::DbSessionStore) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(err) = store.delete_expired().await {
                tracing::warn!(error = %err, "deleting expired sessions failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
