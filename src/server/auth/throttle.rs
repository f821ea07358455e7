//! Log-in and sign-up attempts, counted per account name and per client address, so guessing a
//! password costs the guesser time. Counters live in memory for one process and in Redis for
//! several instances, which then share them.
//!
//! A name is counted whether or not an account has it, so the refusal says nothing about which
//! accounts exist. A success clears its account's count, never its address's: one valid account
//! must not wash an address's guesses at others.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use redis::aio::ConnectionManager;

use crate::{
    error::AppError,
    server::{
        cluster::{RedisLink, KEY_PREFIX},
        config::Limits,
    },
};

/// Failures are remembered this long after the last one.
const FAILURE_MEMORY: Duration = Duration::from_secs(15 * 60);
/// Sign-ups are counted per address over this window.
const SIGNUP_WINDOW: Duration = Duration::from_secs(3600);
/// The longest wait a run of failures can cause: guessing stays slow without letting someone
/// lock a person out of their account for long.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// Entries kept in memory before expired ones are swept.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Clone)]
pub struct Throttle {
    counters: Arc<dyn Counters>,
    limits: ThrottleLimits,
}

#[derive(Debug, Clone, Copy)]
struct ThrottleLimits {
    failures_per_account: u32,
    failures_per_address: u32,
    signups_per_address_per_hour: u32,
}

impl Throttle {
    pub fn in_memory(limits: &Limits) -> Self {
        Self::with(Arc::new(MemoryCounters::default()), limits)
    }

    pub fn in_redis(link: &RedisLink, limits: &Limits) -> Self {
        Self::with(Arc::new(RedisCounters { commands: link.commands.clone() }), limits)
    }

    fn with(counters: Arc<dyn Counters>, limits: &Limits) -> Self {
        let limits = ThrottleLimits {
            failures_per_account: limits.login_failures_per_account,
            failures_per_address: limits.login_failures_per_address,
            signups_per_address_per_hour: limits.signups_per_address_per_hour,
        };
        Self { counters, limits }
    }

    /// Refuses a log-in while either its account name or its address must wait.
    pub async fn may_log_in(&self, address: IpAddr, username: &str) -> Result<(), AppError> {
        let account = self.wait(&account_key(username), self.limits.failures_per_account).await;
        let from = self.wait(&address_key("login", address), self.limits.failures_per_address).await;
        refuse_for(account.max(from))
    }

    pub async fn log_in_failed(&self, address: IpAddr, username: &str) {
        for key in [account_key(username), address_key("login", address)] {
            self.counters.hit(&key, FAILURE_MEMORY, Renew::EveryHit).await;
        }
    }

    pub async fn logged_in(&self, username: &str) {
        self.counters.clear(&account_key(username)).await;
    }

    /// Counts a sign-up attempt from `address`, refusing it past the hourly allowance.
    pub async fn sign_up(&self, address: IpAddr) -> Result<(), AppError> {
        let key = address_key("signup", address);
        let (count, left) = self.counters.hit(&key, SIGNUP_WINDOW, Renew::FirstHit).await;
        if count > u64::from(self.limits.signups_per_address_per_hour) {
            return refuse_for(left);
        }
        Ok(())
    }

    /// How long `key` must wait: nothing for its first `free` failures, then a second doubling
    /// with each further one, counted from the last failure.
    async fn wait(&self, key: &str, free: u32) -> Duration {
        let (failures, left) = self.counters.get(key).await;
        let over = failures.saturating_sub(u64::from(free));
        if over == 0 {
            return Duration::ZERO;
        }
        let wait = Duration::from_secs(1u64 << (over - 1).min(16)).min(LONGEST_WAIT);
        let since_last = FAILURE_MEMORY.saturating_sub(left);
        wait.saturating_sub(since_last)
    }
}

fn refuse_for(wait: Duration) -> Result<(), AppError> {
    if wait.is_zero() {
        return Ok(());
    }
    Err(AppError::TooManyAttempts { retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0) })
}

fn account_key(username: &str) -> String {
    format!("{KEY_PREFIX}throttle:account:{}", username.trim().to_lowercase())
}

/// An IPv6 client usually holds a whole /64: counting single addresses would let it rotate.
fn address_key(kind: &str, address: IpAddr) -> String {
    let address = match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
        v4 => v4,
    };
    format!("{KEY_PREFIX}throttle:{kind}:{address}")
}

/// When a counter's time to live starts.
#[derive(Clone, Copy)]
enum Renew {
    /// From the latest hit: a memory of recent failures.
    EveryHit,
    /// From the first: a fixed window.
    FirstHit,
}

/// Counters that expire. Errors are logged and count as zero: an outage of the shared store
/// must not lock everyone out.
#[async_trait::async_trait]
trait Counters: Send + Sync {
    /// Adds one; returns the count and how long it has left to live.
    async fn hit(&self, key: &str, ttl: Duration, renew: Renew) -> (u64, Duration);
    async fn get(&self, key: &str) -> (u64, Duration);
    async fn clear(&self, key: &str);
}

#[derive(Default)]
struct MemoryCounters {
    entries: Mutex<HashMap<String, (u64, Instant)>>,
}

#[async_trait::async_trait]
impl Counters for MemoryCounters {
    async fn hit(&self, key: &str, ttl: Duration, renew: Renew) -> (u64, Duration) {
        let now = Instant::now();
        let Ok(mut entries) = self.entries.lock() else { return (0, Duration::ZERO) };
        if entries.len() > SWEEP_ABOVE {
            entries.retain(|_, (_, expires)| *expires > now);
        }
        let entry = entries.entry(key.to_owned()).or_insert((0, now + ttl));
        if entry.1 <= now {
            *entry = (0, now + ttl);
        }
        entry.0 += 1;
        if matches!(renew, Renew::EveryHit) {
            entry.1 = now + ttl;
        }
        (entry.0, entry.1 - now)
    }

    async fn get(&self, key: &str) -> (u64, Duration) {
        let now = Instant::now();
        let Ok(entries) = self.entries.lock() else { return (0, Duration::ZERO) };
        match entries.get(key) {
            Some(&(count, expires)) if expires > now => (count, expires - now),
            _ => (0, Duration::ZERO),
        }
    }

    async fn clear(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

struct RedisCounters {
    commands: ConnectionManager,
}

fn logged<T: Default>(result: redis::RedisResult<T>) -> T {
    result.unwrap_or_else(|err| {
        tracing::warn!(error = %err, "log-in throttle counters unavailable");
        T::default()
    })
}

fn from_millis(pttl: i64) -> Duration {
    Duration::from_millis(u64::try_from(pttl).unwrap_or(0))
}

#[async_trait::async_trait]
impl Counters for RedisCounters {
    async fn hit(&self, key: &str, ttl: Duration, renew: Renew) -> (u64, Duration) {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let mut pipe = redis::pipe();
        pipe.atomic().incr(key, 1u64);
        match renew {
            Renew::EveryHit => pipe.cmd("PEXPIRE").arg(key).arg(millis).ignore(),
            Renew::FirstHit => pipe.cmd("PEXPIRE").arg(key).arg(millis).arg("NX").ignore(),
        };
        pipe.cmd("PTTL").arg(key);
        let (count, pttl): (u64, i64) = logged(pipe.query_async(&mut self.commands.clone()).await);
        (count, from_millis(pttl))
    }

    async fn get(&self, key: &str) -> (u64, Duration) {
        let mut pipe = redis::pipe();
        pipe.get(key).cmd("PTTL").arg(key);
        let (count, pttl): (Option<u64>, i64) = logged(pipe.query_async(&mut self.commands.clone()).await);
        (count.unwrap_or(0), from_millis(pttl))
    }

    async fn clear(&self, key: &str) {
        let _: () = logged(redis::cmd("DEL").arg(key).query_async(&mut self.commands.clone()).await);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle::in_memory(&Limits {
            login_failures_per_account: 3,
            login_failures_per_address: 10,
            signups_per_address_per_hour: 2,
            ..Limits::default()
        })
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const ELSEWHERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));

    #[tokio::test]
    async fn failures_past_the_free_ones_make_the_account_wait() {
        let throttle = throttle();
        for _ in 0..3 {
            assert_eq!(throttle.may_log_in(HOME, "alice").await, Ok(()));
            throttle.log_in_failed(HOME, "alice").await;
        }
        assert_eq!(throttle.may_log_in(HOME, "alice").await, Ok(()), "three failures are free");
        throttle.log_in_failed(HOME, "Alice").await;
        assert_eq!(
            throttle.may_log_in(ELSEWHERE, "ALICE").await,
            Err(AppError::TooManyAttempts { retry_after_secs: 1 }),
            "the fourth failure makes the name wait, from anywhere, whatever its case"
        );
        assert_eq!(throttle.may_log_in(HOME, "bob").await, Ok(()), "other names are not held up");
        throttle.log_in_failed(HOME, "alice").await;
        assert_eq!(
            throttle.may_log_in(HOME, "alice").await,
            Err(AppError::TooManyAttempts { retry_after_secs: 2 }),
            "each further failure doubles the wait"
        );
        throttle.logged_in("alice").await;
        assert_eq!(throttle.may_log_in(ELSEWHERE, "alice").await, Ok(()), "a success clears the name");
    }

    #[tokio::test]
    async fn an_address_guessing_many_names_waits_too() {
        let throttle = throttle();
        for n in 0..11 {
            throttle.log_in_failed(HOME, &format!("user{n}")).await;
        }
        assert!(matches!(throttle.may_log_in(HOME, "someone").await, Err(AppError::TooManyAttempts { .. })));
        assert_eq!(throttle.may_log_in(ELSEWHERE, "someone").await, Ok(()));
    }

    #[tokio::test]
    async fn sign_ups_are_counted_per_address_and_hour() {
        let throttle = throttle();
        assert_eq!(throttle.sign_up(HOME).await, Ok(()));
        assert_eq!(throttle.sign_up(HOME).await, Ok(()));
        let Err(AppError::TooManyAttempts { retry_after_secs }) = throttle.sign_up(HOME).await else {
            panic!("the third sign-up in an hour is refused");
        };
        assert!((3500..=3600).contains(&retry_after_secs), "{retry_after_secs}");
        assert_eq!(throttle.sign_up(ELSEWHERE).await, Ok(()));
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_network() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("address");
        let other: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("address");
        assert_eq!(address_key("login", one), address_key("login", other));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("address");
        assert_eq!(address_key("login", mapped), address_key("login", HOME));
    }
}
