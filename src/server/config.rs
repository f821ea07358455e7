//! Runtime configuration: Leptos.toml (site address, site root, …, and our own
//! `[package.metadata.mini-discord]` section), overridden by the standard environment variables
//! (`LEPTOS_SITE_ADDR`, `DATABASE_URL`, …) and the command line.

use std::path::{Path, PathBuf};

use leptos::config::LeptosOptions;
use serde::Deserialize;

use super::db;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the Leptos configuration from {path}: {message}")]
    Leptos { path: PathBuf, message: String },
    #[error("could not read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not valid TOML: {source}")]
    Parse { path: PathBuf, source: toml::de::Error },
    #[error("MINI_DISCORD_TRUSTED_PROXIES: {entry:?} is not an IP address")]
    TrustedProxy { entry: String },
    #[error("public-origin {origin:?} is not an origin: write scheme and host (and port), e.g. https://chat.example")]
    PublicOrigin { origin: String },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub leptos: LeptosOptions,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Several instances share rooms and presence through this Redis; `None` is one process.
    pub redis_url: Option<String>,
    /// The address people type to reach the site (`https://chat.example`), when it is not the
    /// address the server listens on (behind a proxy): requests from other origins are refused.
    pub public_origin: Option<String>,
    /// Mark the session cookie Secure (only sent over HTTPS); `None`: yes unless on loopback.
    pub secure_cookies: Option<bool>,
    /// Proxies whose `X-Forwarded-For` names the client; any other peer is the client itself.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub sqlite_durability: db::SqliteDurability,
    pub limits: Limits,
}

/// Bounds that keep one client from costing the server more than its share.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct Limits {
    /// Messages rendered with the room page.
    pub history_page: u64,
    /// Rooms on one page of the room list.
    pub rooms_page: u64,
    /// Frames a connection may have waiting to be written before it counts as too slow.
    pub outgoing_queue: usize,
    /// Largest WebSocket message accepted from a client, in bytes.
    pub max_frame_bytes: usize,
    /// Largest HTTP request body (forms, server function calls), in bytes: more is answered 413.
    pub max_request_bytes: usize,
    /// Tungstenite's read buffer per socket: 128 KiB by default, which dominates the memory of
    /// an idle connection; chat frames are small.
    pub read_buffer_bytes: usize,
    /// Sustained frames per second a client may send, and the burst above it.
    pub frames_per_second: u32,
    pub frame_burst: u32,
    pub ping_interval_secs: u64,
    /// A connection that sends nothing (not even a pong) for this long is dead and is dropped,
    /// which also removes it from presence.
    pub idle_timeout_secs: u64,
    /// Most messages replayed to a rejoining tab; past that it is told to reload instead.
    pub replay_limit: u64,
    /// Most messages stored in one transaction (group commit).
    pub write_batch: usize,
    /// Log-in attempts allowed before each further one must wait (1 s, then doubling to a
    /// minute, forgotten 15 minutes after the last): for one account name from one address, for
    /// one name from every address together, and for one address across all names. A success
    /// clears its name's counts.
    pub login_failures_per_account: u32,
    pub login_failures_per_account_everywhere: u32,
    pub login_failures_per_address: u32,
    pub signups_per_address_per_hour: u32,
    /// Password checks waiting for a hashing thread; past that a log-in is answered 503 at once.
    pub hashing_queue: usize,
    /// Open sockets (tabs, devices) one account may have on one instance.
    pub sockets_per_user: usize,
    /// Rooms one socket may have joined at once.
    pub rooms_per_connection: usize,
    pub rooms_created_per_hour: u32,
    /// Messages one account may send per second across all its connections (and instances),
    /// and the burst above that (at least 1); then the same for its other actions (reactions,
    /// edits, deletions, pins, moderation: `server::allowances`). A rate of 0: no limit.
    pub messages_per_second: u32,
    pub message_burst: u32,
    pub actions_per_second: u32,
    pub action_burst: u32,
    /// Longest time any HTTP request may take before it is answered 408.
    pub request_timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            history_page: 50,
            rooms_page: 50,
            outgoing_queue: 1024,
            max_frame_bytes: 16 * 1024,
            max_request_bytes: 64 * 1024,
            read_buffer_bytes: 4 * 1024,
            frames_per_second: 50,
            frame_burst: 200,
            ping_interval_secs: 10,
            idle_timeout_secs: 30,
            replay_limit: 500,
            write_batch: 256,
            login_failures_per_account: 5,
            login_failures_per_account_everywhere: 100,
            login_failures_per_address: 50,
            signups_per_address_per_hour: 20,
            hashing_queue: 32,
            sockets_per_user: 16,
            rooms_per_connection: 50,
            rooms_created_per_hour: 10,
            messages_per_second: 5,
            message_burst: 20,
            actions_per_second: 10,
            action_burst: 50,
            request_timeout_secs: 30,
        }
    }
}

/// Our section of Leptos.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
struct AppSection {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    redis_url: Option<String>,
    public_origin: Option<String>,
    secure_cookies: Option<bool>,
    trusted_proxies: Vec<std::net::IpAddr>,
    sqlite_durability: db::SqliteDurability,
    limits: Limits,
}

#[derive(Debug, Default, Deserialize)]
struct FileRoot {
    #[serde(default)]
    package: FilePackage,
}
#[derive(Debug, Default, Deserialize)]
struct FilePackage {
    #[serde(default)]
    metadata: FileMetadata,
}
#[derive(Debug, Default, Deserialize)]
struct FileMetadata {
    #[serde(default, rename = "mini-discord")]
    mini_discord: AppSection,
}

/// Overrides from the command line or environment, which win over the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
}

/// `http(s)://host[:port]`, nothing after: what a browser sends as `Origin`.
fn is_origin(origin: &str) -> bool {
    let origin = origin.trim().trim_end_matches('/');
    let Some((scheme, authority)) = origin.split_once("://") else { return false };
    matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https")
        && !authority.is_empty()
        && !authority.contains(['/', '?', '#', '@', ' '])
}

impl Config {
    /// Reads `path`; without that file, the defaults and the environment alone (so the binary
    /// also runs outside the source tree).
    pub fn load(path: &Path, overrides: Overrides) -> Result<Self, ConfigError> {
        let file = path.exists().then(|| path.to_string_lossy().into_owned());
        let leptos = leptos_config::get_configuration(file.as_deref())
            .map_err(|err| ConfigError::Leptos { path: path.to_owned(), message: err.to_string() })?
            .leptos_options;
        let section = match file {
            Some(_) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
                toml::from_str::<FileRoot>(&text)
                    .map_err(|source| ConfigError::Parse { path: path.to_owned(), source })?
                    .package
                    .metadata
                    .mini_discord
            }
            None => AppSection::default(),
        };
        let secure_cookies = std::env::var("MINI_DISCORD_SECURE_COOKIES")
            .ok()
            .map(|value| matches!(value.as_str(), "1" | "true" | "yes"))
            .or(section.secure_cookies);
        // The benchmark compares both settings with one binary.
        let sqlite_durability = match std::env::var("MINI_DISCORD_SQLITE_DURABILITY").as_deref() {
            Ok("normal") => db::SqliteDurability::Normal,
            Ok("full") => db::SqliteDurability::Full,
            _ => section.sqlite_durability,
        };
        let trusted_proxies = match std::env::var("MINI_DISCORD_TRUSTED_PROXIES") {
            Ok(list) => list
                .split(',')
                .filter(|entry| !entry.trim().is_empty())
                .map(|entry| {
                    entry
                        .trim()
                        .parse()
                        .map_err(|_| ConfigError::TrustedProxy { entry: entry.trim().to_owned() })
                })
                .collect::<Result<_, _>>()?,
            Err(_) => section.trusted_proxies,
        };
        let public_origin = std::env::var("MINI_DISCORD_PUBLIC_ORIGIN")
            .ok()
            .or(section.public_origin)
            .filter(|origin| !origin.is_empty());
        if let Some(origin) = &public_origin {
            if !is_origin(origin) {
                return Err(ConfigError::PublicOrigin { origin: origin.clone() });
            }
        }
        let data_dir = overrides.data_dir.or(section.data_dir).unwrap_or_else(|| PathBuf::from("data"));
        let database_url =
            overrides.database_url.or(section.database_url).unwrap_or_else(|| db::sqlite_url(&data_dir));
        let redis_url = overrides.redis_url.or(section.redis_url).filter(|url| !url.is_empty());
        Ok(Self {
            leptos,
            data_dir,
            database_url,
            redis_url,
            public_origin,
            secure_cookies,
            trusted_proxies,
            sqlite_durability,
            limits: section.limits,
        })
    }

    /// A configuration for tests: defaults, a given database, no file.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        let database_url = db::sqlite_url(&data_dir);
        Self {
            leptos: LeptosOptions::builder().output_name("mini-discord").build(),
            data_dir,
            database_url,
            redis_url: None,
            public_origin: None,
            secure_cookies: None,
            trusted_proxies: Vec::new(),
            sqlite_durability: db::SqliteDurability::default(),
            // Tests send bursts from one account; the allowances' own tests set them low.
            limits: Limits {
                messages_per_second: 1_000,
                message_burst: 1_000,
                actions_per_second: 1_000,
                action_burst: 1_000,
                ..Limits::default()
            },
        }
    }
}
