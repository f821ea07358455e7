//! Log-in and sign-up attempts, counted so guessing a password costs the guesser time. Counters
//! live in memory for one process and in Redis for several instances, which then share them.
//!
//! Each log-in is counted before its password is checked, in one atomic step that also says how
//! long ago the previous attempt on the same counter was: concurrent guesses cannot all slip in
//! before the first failure is recorded. Three counters: the account name from this address
//! (the hard one: a few free attempts), the account name from everywhere (a much larger
//! allowance, so someone elsewhere cannot keep its owner locked out cheaply), and the address
//! across all names. A name is counted whether or not an account has it, so a refusal says
//! nothing about which accounts exist. A success clears its name's counters and gives its
//! attempt back to the address; it never wipes the address's count.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, LazyLock, Mutex},
    time::{Duration, Instant},
};

use redis::{aio::ConnectionManager, Script};

use crate::{
    error::AppError,
    server::{
        cluster::{RedisLink, KEY_PREFIX},
        config::Limits,
    },
};

/// Attempts are remembered this long after the last one.
const ATTEMPT_MEMORY: Duration = Duration::from_secs(15 * 60);
/// Sign-ups are counted per address over this window.
const SIGNUP_WINDOW: Duration = Duration::from_secs(3600);
/// The longest wait a run of attempts can cause.
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// Entries kept in memory before expired ones are first swept.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Clone)]
pub struct Throttle {
    counters: Arc<dyn Counters>,
    limits: ThrottleLimits,
}

#[derive(Debug, Clone, Copy)]
struct ThrottleLimits {
    per_account_and_address: u32,
    per_account: u32,
    per_address: u32,
    signups_per_address_per_hour: u32,
}

/// A log-in attempt counted before its password is checked; say how it ended.
pub struct Attempt {
    keys: [String; 3],
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
            per_account_and_address: limits.login_failures_per_account,
            per_account: limits.login_failures_per_account_everywhere,
            per_address: limits.login_failures_per_address,
            signups_per_address_per_hour: limits.signups_per_address_per_hour,
        };
        Self { counters, limits }
    }

    /// Counts a log-in attempt for `username` from `address`, refusing it while any of its
    /// counters must wait. `username` must be a valid name (others count against the address
    /// only, through [`Throttle::unknown_name`]).
    pub async fn log_in(&self, address: IpAddr, username: &str) -> Result<Attempt, AppError> {
        let name = username.trim().to_lowercase();
        let keys = [
            format!("{KEY_PREFIX}throttle:login:{name}:{}", network(address)),
            format!("{KEY_PREFIX}throttle:login:{name}"),
            address_key("login", address),
        ];
        let free = [self.limits.per_account_and_address, self.limits.per_account, self.limits.per_address];
        refuse_for(self.counters.attempt(&keys, &free).await)?;
        Ok(Attempt { keys })
    }

    /// A name that cannot be an account's: only the address pays for it.
    pub async fn unknown_name(&self, address: IpAddr) -> Result<(), AppError> {
        let key = address_key("login", address);
        refuse_for(self.counters.attempt(std::slice::from_ref(&key), &[self.limits.per_address]).await)
    }

    /// The password was right: the name starts afresh, and the address gets its attempt back.
    pub async fn logged_in(&self, attempt: Attempt) {
        let [pair, account, address] = attempt.keys;
        self.counters.clear(&pair).await;
        self.counters.clear(&account).await;
        self.counters.give_back(&address).await;
    }

    /// Counts a sign-up attempt from `address`, refusing it past the hourly allowance.
    pub async fn sign_up(&self, address: IpAddr) -> Result<(), AppError> {
        let key = address_key("signup", address);
        let (count, left) = self.counters.hit_in_window(&key, SIGNUP_WINDOW).await;
        if count > u64::from(self.limits.signups_per_address_per_hour) {
            return refuse_for(left);
        }
        Ok(())
    }
}

/// The wait attempt number `count` imposes on the next one: nothing for the first `free`, then a
/// second, doubling with each further attempt up to [`LONGEST_WAIT`].
fn wait_after(count: u64, free: u32) -> Duration {
    let over = count.saturating_sub(u64::from(free));
    if over == 0 {
        return Duration::ZERO;
    }
    Duration::from_secs(1u64 << (over - 1).min(16)).min(LONGEST_WAIT)
}

fn refuse_for(wait: Duration) -> Result<(), AppError> {
    if wait.is_zero() {
        return Ok(());
    }
    Err(AppError::TooManyAttempts(wait.as_secs() + u64::from(wait.subsec_nanos() > 0)))
}

fn address_key(kind: &str, address: IpAddr) -> String {
    format!("{KEY_PREFIX}throttle:{kind}:{}", network(address))
}

/// An IPv6 client usually holds a whole /64: counting single addresses would let it rotate.
fn network(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
        v4 => v4,
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Expiring counters. Errors of the shared store are logged and let the attempt through: an
/// outage must not lock everyone out.
#[async_trait::async_trait]
trait Counters: Send + Sync {
    /// Counts one attempt on every key at once, unless one of them must still wait: then nothing
    /// is counted and the longest wait is returned. Counting sets each key's next allowed time
    /// ([`wait_after`] its new count, `free` being its allowance) and remembers the key for
    /// [`ATTEMPT_MEMORY`].
    async fn attempt(&self, keys: &[String], free: &[u32]) -> Duration;
    /// Takes back one attempt (it succeeded).
    async fn give_back(&self, key: &str);
    async fn clear(&self, key: &str);
    /// Adds one to a counter that lives `window` from its first hit; the count and time left.
    async fn hit_in_window(&self, key: &str, window: Duration) -> (u64, Duration);
}

/// An attempt counter: how many within memory, and when the next may come.
struct Entry {
    count: u64,
    next: Instant,
    expires: Instant,
}

#[derive(Default)]
struct MemoryCounters {
    entries: Mutex<(HashMap<String, Entry>, usize)>,
}

impl MemoryCounters {
    /// Drops expired entries once the map has doubled since the last sweep, so a flood of new
    /// keys costs amortised constant time per key.
    fn sweep(entries: &mut HashMap<String, Entry>, swept_at: &mut usize, now: Instant) {
        if entries.len() > (*swept_at * 2).max(SWEEP_ABOVE) {
            entries.retain(|_, entry| entry.expires > now);
            *swept_at = entries.len();
        }
    }
}

#[async_trait::async_trait]
impl Counters for MemoryCounters {
    async fn attempt(&self, keys: &[String], free: &[u32]) -> Duration {
        let now = Instant::now();
        let Ok(mut guard) = self.entries.lock() else { return Duration::ZERO };
        let (entries, swept_at) = &mut *guard;
        Self::sweep(entries, swept_at, now);
        let wait = keys
            .iter()
            .filter_map(|key| entries.get(key))
            .filter(|entry| entry.expires > now)
            .map(|entry| entry.next.saturating_duration_since(now))
            .max()
            .unwrap_or(Duration::ZERO);
        if !wait.is_zero() {
            return wait;
        }
        for (key, free) in keys.iter().zip(free) {
            let entry = entries.entry(key.clone()).or_insert(Entry { count: 0, next: now, expires: now });
            if entry.expires <= now {
                entry.count = 0;
            }
            entry.count += 1;
            entry.next = now + wait_after(entry.count, *free);
            entry.expires = now + ATTEMPT_MEMORY;
        }
        Duration::ZERO
    }

    async fn give_back(&self, key: &str) {
        if let Ok(mut guard) = self.entries.lock() {
            if let Some(entry) = guard.0.get_mut(key) {
                entry.count = entry.count.saturating_sub(1);
            }
        }
    }

    async fn clear(&self, key: &str) {
        if let Ok(mut guard) = self.entries.lock() {
            guard.0.remove(key);
        }
    }

    async fn hit_in_window(&self, key: &str, window: Duration) -> (u64, Duration) {
        let now = Instant::now();
        let Ok(mut guard) = self.entries.lock() else { return (0, Duration::ZERO) };
        let (entries, swept_at) = &mut *guard;
        Self::sweep(entries, swept_at, now);
        let entry = entries.entry(key.to_owned()).or_insert(Entry { count: 0, next: now, expires: now });
        if entry.expires <= now {
            *entry = Entry { count: 0, next: now, expires: now + window };
        }
        entry.count += 1;
        (entry.count, entry.expires - now)
    }
}

struct RedisCounters {
    commands: ConnectionManager,
}

/// KEYS: the counters (hashes of `count` and `next`, a time in ms). ARGV[1]: now (ms);
/// ARGV[2]: memory (ms); ARGV[3]: the longest wait (ms); ARGV[4..]: each key's free attempts.
/// Returns 0 when the attempt was counted, else the ms to wait (nothing counted).
static ATTEMPT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local now = tonumber(ARGV[1])
local wait = 0
for _, key in ipairs(KEYS) do
  local next = tonumber(redis.call('HGET', key, 'next') or '0')
  if next - now > wait then wait = next - now end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local count = redis.call('HINCRBY', key, 'count', 1)
  local over = count - tonumber(ARGV[3 + i])
  local pause = 0
  if over > 0 then pause = math.min(1000 * 2 ^ math.min(over - 1, 16), tonumber(ARGV[3])) end
  redis.call('HSET', key, 'next', now + pause)
  redis.call('PEXPIRE', key, ARGV[2])
end
return 0
",
    )
});

/// Adds one to KEYS[1], which lives ARGV[1] ms from its first hit; returns the count and the
/// ms left.
static HIT_IN_WINDOW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
",
    )
});

fn logged<T: Default>(result: redis::RedisResult<T>) -> T {
    result.unwrap_or_else(|err| {
        tracing::warn!(error = %err, "log-in throttle counters unavailable");
        T::default()
    })
}

#[async_trait::async_trait]
impl Counters for RedisCounters {
    async fn attempt(&self, keys: &[String], free: &[u32]) -> Duration {
        let mut call = ATTEMPT.prepare_invoke();
        for key in keys {
            call.key(key);
        }
        let now = u64::try_from(crate::server::db::now_ms()).unwrap_or(0);
        call.arg(now).arg(millis(ATTEMPT_MEMORY)).arg(millis(LONGEST_WAIT));
        for free in free {
            call.arg(*free);
        }
        Duration::from_millis(logged(call.invoke_async::<u64>(&mut self.commands.clone()).await))
    }

    async fn give_back(&self, key: &str) {
        let mut commands = self.commands.clone();
        let _: () =
            logged(redis::cmd("HINCRBY").arg(key).arg("count").arg(-1).query_async(&mut commands).await);
    }

    async fn clear(&self, key: &str) {
        let _: () = logged(redis::cmd("DEL").arg(key).query_async(&mut self.commands.clone()).await);
    }

    async fn hit_in_window(&self, key: &str, window: Duration) -> (u64, Duration) {
        let mut call = HIT_IN_WINDOW.prepare_invoke();
        call.key(key).arg(millis(window));
        let (count, left): (u64, i64) = logged(call.invoke_async(&mut self.commands.clone()).await);
        (count, Duration::from_millis(u64::try_from(left).unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle::in_memory(&Limits {
            login_failures_per_account: 3,
            login_failures_per_account_everywhere: 6,
            login_failures_per_address: 10,
            signups_per_address_per_hour: 2,
            ..Limits::default()
        })
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const ELSEWHERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7));
    const THIRD: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 5));

    fn refused(result: Result<Attempt, AppError>) -> Option<u64> {
        match result {
            Err(AppError::TooManyAttempts(retry_after_secs)) => Some(retry_after_secs),
            Err(other) => panic!("{other}"),
            Ok(_) => None,
        }
    }

    #[tokio::test]
    async fn attempts_past_the_free_ones_wait_a_growing_time_and_only_counted_ones_count() {
        let throttle = throttle();
        for _ in 0..4 {
            assert_eq!(refused(throttle.log_in(HOME, "alice").await), None);
        }
        assert_eq!(refused(throttle.log_in(HOME, "Alice").await), Some(1), "the fifth waits a second");
        assert_eq!(refused(throttle.log_in(HOME, "ALICE").await), Some(1), "a refused attempt does not add");
        assert_eq!(refused(throttle.log_in(HOME, "bob").await), None, "other names are not held up");
        // The owner, elsewhere, is not locked out by guesses from home.
        assert_eq!(refused(throttle.log_in(ELSEWHERE, "alice").await), None);
    }

    #[tokio::test]
    async fn a_success_clears_the_name_but_not_the_address() {
        let throttle = throttle();
        for _ in 0..3 {
            let _ = throttle.log_in(HOME, "alice").await;
        }
        let attempt = throttle.log_in(HOME, "alice").await.expect("the fourth is allowed");
        throttle.logged_in(attempt).await;
        for _ in 0..4 {
            assert_eq!(refused(throttle.log_in(HOME, "alice").await), None, "the name starts afresh");
        }
    }

    #[tokio::test]
    async fn guesses_at_one_name_from_many_addresses_are_counted_together() {
        let throttle = throttle();
        for address in [HOME, HOME, ELSEWHERE, ELSEWHERE, THIRD, THIRD] {
            assert_eq!(refused(throttle.log_in(address, "alice").await), None);
        }
        let fourth: IpAddr = "192.0.2.99".parse().expect("address");
        assert_eq!(refused(throttle.log_in(fourth, "alice").await), None, "one past the allowance");
        assert!(refused(throttle.log_in(fourth, "alice").await).is_some(), "then the name waits, everywhere");
    }

    #[tokio::test]
    async fn an_address_guessing_many_names_waits_too() {
        let throttle = throttle();
        for n in 0..10 {
            assert_eq!(refused(throttle.log_in(HOME, &format!("user{n}")).await), None);
        }
        assert_eq!(refused(throttle.log_in(HOME, "someone").await), None, "the eleventh");
        assert!(refused(throttle.log_in(HOME, "someone-else").await).is_some());
        assert!(throttle.unknown_name(HOME).await.is_err(), "invalid names count against the address");
        assert_eq!(refused(throttle.log_in(ELSEWHERE, "someone").await), None);
    }

    #[tokio::test]
    async fn sign_ups_are_counted_per_address_and_hour() {
        let throttle = throttle();
        assert_eq!(throttle.sign_up(HOME).await, Ok(()));
        assert_eq!(throttle.sign_up(HOME).await, Ok(()));
        let Err(AppError::TooManyAttempts(retry_after_secs)) = throttle.sign_up(HOME).await else {
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
