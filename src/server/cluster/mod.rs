//! Several instances serving one set of rooms, through Redis and one PostgreSQL: the bus that
//! carries every frame to every instance, presence kept where all instances see it, and the
//! numbering that lets every instance deliver each room in id order. Only used when `REDIS_URL` is
//! set; one process needs neither.
//!
//! An outage never stops an instance: it keeps serving and storing, delivers to its own sockets,
//! logs the outage once, and reconnects with backoff (see `redis_bus` and `redis_presence`).

pub mod numbering;
pub mod order;
pub mod postgres;
pub mod redis_bus;
pub mod redis_presence;

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// Everything this app keeps in Redis starts with this, so it can share a server.
pub const KEY_PREFIX: &str = "md:";

/// The connection shared by all commands, and the name this instance goes by in shared keys.
#[derive(Clone)]
pub struct RedisLink {
    pub client: redis::Client,
    pub commands: ConnectionManager,
    pub instance: String,
}

impl RedisLink {
    /// Connects lazily: an instance starts (and serves) while Redis is still down.
    pub fn open(url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let commands = client.get_connection_manager_lazy(manager_config())?;
        Ok(Self { client, commands, instance: instance_name() })
    }

    /// A connection of its own, for a caller whose commands must not queue in front of the
    /// others' (Redis answers one connection's commands in order: a slow script there would hold
    /// every message published after it).
    pub fn another_connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        self.client.get_connection_manager_lazy(manager_config())
    }
}

/// Short timeouts: a command to a dead Redis must fail fast so the caller can fall back to local
/// delivery instead of holding a room's messages.
fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_secs(5))
}

/// Unique per process start: a restarted instance does not inherit its predecessor's entries.
fn instance_name() -> String {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or_default();
    format!("{}-{:x}", std::process::id(), started)
}

/// Reconnect delays: a quarter of a second doubling to five seconds.
pub(crate) fn backoff(failures: u32) -> Duration {
    Duration::from_millis(125u64.saturating_mul(1 << failures.min(6)).min(5_000))
}
