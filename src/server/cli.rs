//! Command line: `mini-discord [serve]` and `mini-discord admin grant|revoke NAME`.

use std::{path::PathBuf, process::ExitCode};

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
    let db = db::connect_with(&config.database_url, config.sqlite_durability).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, db).await,
        Command::Admin { action } => {
            let (name, grant) = match action {
                AdminAction::Grant { username } => (username, true),
                AdminAction::Revoke { username } => (username, false),
            };
            if !users::set_admin(&db, &name, grant).await? {
                return Err(CliError::NoSuchUser(name));
            }
            println!("{name} is {} an administrator", if grant { "now" } else { "no longer" });
            Ok(())
        }
    }
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
