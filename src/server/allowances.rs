//! What one account may do per second, across all its connections and, with several instances,
//! across instances: messages, and every other action (reactions, edits, deletions, pins,
//! moderation), each a token bucket with a sustained rate and a burst (`Limits`).
//!
//! In one process the buckets live in memory. With several instances they live in Redis, where
//! the checks waiting at any moment go out together in one script call, as the writer's group
//! commit does for messages: under load a batch of checks costs one round trip, not one per
//! message. If Redis does not answer, this instance's own buckets decide (each instance then
//! allows the rate on its own).

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, LazyLock, Mutex,
    },
    time::{Duration, Instant},
};

use redis::{aio::ConnectionManager, Script};
use tokio::sync::{mpsc, oneshot};

use super::{
    cluster::{RedisLink, KEY_PREFIX},
    config::Limits,
};

/// What an allowance is spent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Message,
    /// Anything else that changes something: reacting, editing, deleting, pinning, moderating.
    Action,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Action => "action",
        }
    }
}

/// A sustained rate and the burst above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// 0: no limit.
    pub per_second: u32,
    pub burst: u32,
}

impl Rate {
    /// A burst of 0 would refuse everything while saying "try again in a second": one at least.
    fn new(per_second: u32, burst: u32) -> Self {
        Self { per_second, burst: burst.max(1) }
    }
}

/// Checks waiting for one Redis call at most: a round trip's worth under any load this app meets.
const CHECKS_PER_CALL: usize = 512;
/// Buckets kept in memory before the full ones (whose owners have been quiet) are swept.
const SWEEP_ABOVE: usize = 10_000;
/// How long a check waits for Redis before this instance decides alone.
const SHARED_WAIT: Duration = Duration::from_millis(250);
const WARN_EVERY_SECS: u64 = 10;

#[derive(Clone)]
pub struct Allowances {
    local: Arc<LocalBuckets>,
    shared: Option<mpsc::Sender<Check>>,
    message: Rate,
    action: Rate,
}

impl Allowances {
    pub fn in_memory(limits: &Limits) -> Self {
        Self {
            local: Arc::default(),
            shared: None,
            message: Rate::new(limits.messages_per_second, limits.message_burst),
            action: Rate::new(limits.actions_per_second, limits.action_burst),
        }
    }

    /// Shared by every instance using `link`. Spawns the task that batches the checks.
    pub fn in_redis(link: &RedisLink, limits: &Limits) -> Self {
        let (checks, waiting) = mpsc::channel(CHECKS_PER_CALL * 4);
        tokio::spawn(check_in_batches(link.commands.clone(), waiting));
        Self { shared: Some(checks), ..Self::in_memory(limits) }
    }

    fn rate(&self, kind: Kind) -> Rate {
        match kind {
            Kind::Message => self.message,
            Kind::Action => self.action,
        }
    }

    /// Spends one of `user`'s allowance for `kind`, or says how long until there is one (nothing
    /// is spent then).
    pub async fn take(&self, user: i64, kind: Kind) -> Result<(), Duration> {
        let rate = self.rate(kind);
        if rate.per_second == 0 {
            return Ok(());
        }
        if let Some(shared) = &self.shared {
            match take_shared(shared, user, kind, rate).await {
                Ok(answer) => return answer,
                Err(why) => deciding_alone(why),
            }
        }
        self.local.take(user, kind, rate, Instant::now())
    }
}

/// Asks Redis; `Err` says why it could not answer in time (this instance then decides).
async fn take_shared(
    shared: &mpsc::Sender<Check>,
    user: i64,
    kind: Kind,
    rate: Rate,
) -> Result<Result<(), Duration>, &'static str> {
    let (answer, answered) = oneshot::channel();
    let key = format!("{KEY_PREFIX}allowance:{}:{user}", kind.name());
    // A full queue means Redis is not keeping up: waiting for it would hold every message back.
    shared.try_send(Check { key, rate, answer }).map_err(|_| "too many checks waiting")?;
    match tokio::time::timeout(SHARED_WAIT, answered).await {
        Ok(Ok(Ok(0))) => Ok(Ok(())),
        Ok(Ok(Ok(wait_ms))) => Ok(Err(Duration::from_millis(wait_ms))),
        Ok(Ok(Err(_))) => Err("Redis refused the check"),
        Ok(Err(_)) => Err("the checking task stopped"),
        Err(_) => Err("Redis is slow"),
    }
}

/// Logs, at most once per `WARN_EVERY_SECS`, that shared allowances are unavailable: during an
/// outage every message would otherwise log a line.
fn deciding_alone(why: &'static str) {
    static LAST_WARNED: AtomicU64 = AtomicU64::new(0);
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |since| since.as_secs());
    let last = LAST_WARNED.load(Ordering::Relaxed);
    if now >= last + WARN_EVERY_SECS
        && LAST_WARNED.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    {
        tracing::warn!(why, "shared allowances unavailable: each instance decides on its own");
    }
}

/// This process's buckets.
#[derive(Default)]
struct LocalBuckets {
    buckets: Mutex<Buckets>,
}

#[derive(Default)]
struct Buckets {
    by_owner: HashMap<(i64, Kind), Bucket>,
    /// Sweeps when there are more: twice what the last sweep left (at least `SWEEP_ABOVE`), so a
    /// map of many busy owners is not scanned on every check.
    sweep_above: usize,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
    rate: Rate,
}

impl Bucket {
    fn full(rate: Rate, now: Instant) -> Self {
        Self { tokens: f64::from(rate.burst), at: now, rate }
    }

    fn refilled(self, now: Instant) -> Self {
        let gained = now.saturating_duration_since(self.at).as_secs_f64() * f64::from(self.rate.per_second);
        Self { tokens: (self.tokens + gained).min(f64::from(self.rate.burst)), at: now, rate: self.rate }
    }

    fn is_full(&self) -> bool {
        self.tokens >= f64::from(self.rate.burst)
    }
}

impl LocalBuckets {
    fn take(&self, user: i64, kind: Kind, rate: Rate, now: Instant) -> Result<(), Duration> {
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        if buckets.by_owner.len() > buckets.sweep_above.max(SWEEP_ABOVE) {
            // A full bucket is the same as none.
            buckets.by_owner.retain(|_, bucket| !bucket.refilled(now).is_full());
            buckets.sweep_above = buckets.by_owner.len() * 2;
        }
        let bucket = buckets.by_owner.entry((user, kind)).or_insert_with(|| Bucket::full(rate, now));
        *bucket = bucket.refilled(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / f64::from(rate.per_second)))
        }
    }
}

/// One check waiting for the next Redis call.
struct Check {
    key: String,
    rate: Rate,
    answer: oneshot::Sender<redis::RedisResult<u64>>,
}

/// KEYS: the buckets (hashes of `tokens` and `at`, Redis's own clock in ms, so instances' clocks
/// do not matter). ARGV: each key's rate per second and burst, in pairs. Returns, per key, 0
/// when one token was spent, else the ms until one is there. A key twice in a call is spent
/// twice, in order.
static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
local waits = {}
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local bucket = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(bucket[1]) or burst
  local at = tonumber(bucket[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
  if tokens >= 1 then
    tokens = tokens - 1
    waits[i] = 0
  else
    waits[i] = math.ceil((1 - tokens) * 1000 / rate)
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', now)
  redis.call('PEXPIRE', key, math.ceil(burst * 1000 / rate) + 1000)
end
return waits
",
    )
});

async fn check_in_batches(commands: ConnectionManager, mut waiting: mpsc::Receiver<Check>) {
    let mut batch = Vec::with_capacity(CHECKS_PER_CALL);
    while waiting.recv_many(&mut batch, CHECKS_PER_CALL).await > 0 {
        let mut call = TAKE.prepare_invoke();
        for check in &batch {
            call.key(&check.key).arg(check.rate.per_second).arg(check.rate.burst);
        }
        match call.invoke_async::<Vec<u64>>(&mut commands.clone()).await {
            Ok(waits) if waits.len() == batch.len() => {
                for (check, wait) in batch.drain(..).zip(waits) {
                    let _ = check.answer.send(Ok(wait));
                }
            }
            Ok(_) => {
                for check in batch.drain(..) {
                    let _ = check.answer.send(Err(redis::RedisError::from((
                        redis::ErrorKind::UnexpectedReturnType,
                        "allowances: one answer per check expected",
                    ))));
                }
            }
            Err(err) => {
                for check in batch.drain(..) {
                    let _ = check.answer.send(Err(err.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate { per_second: 2, burst: 3 };

    #[test]
    fn a_burst_then_the_rate_and_a_refusal_says_how_long_to_wait() {
        let buckets = LocalBuckets::default();
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(buckets.take(1, Kind::Message, RATE, start), Ok(()));
        }
        let wait = buckets.take(1, Kind::Message, RATE, start).expect_err("the burst is spent");
        assert_eq!(wait, Duration::from_millis(500));
        // Another person, and another kind, have their own allowances.
        assert_eq!(buckets.take(2, Kind::Message, RATE, start), Ok(()));
        assert_eq!(buckets.take(1, Kind::Action, RATE, start), Ok(()));
        // Half a second later one more message is allowed, and only one.
        let later = start + Duration::from_millis(500);
        assert_eq!(buckets.take(1, Kind::Message, RATE, later), Ok(()));
        assert!(buckets.take(1, Kind::Message, RATE, later).is_err());
        // A quiet minute refills the burst, never more.
        let much_later = later + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(buckets.take(1, Kind::Message, RATE, much_later), Ok(()));
        }
        assert!(buckets.take(1, Kind::Message, RATE, much_later).is_err());
    }
}
