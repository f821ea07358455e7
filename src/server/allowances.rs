//! What one account may do per second, across all its connections and, with several instances,
//! across instances: messages, and every other action (reactions, edits, deletions, pins,
//! moderation), each a token bucket with a sustained rate and a burst (`Limits`).
//!
//! In one process the buckets live in memory. With several instances the buckets of record live
//! in Redis, and each instance keeps a copy of the ones it has seen. While an account is well
//! within its allowance (a spend would leave at least half its burst, by this instance's copy)
//! the instance decides at once and counts it in Redis afterwards (every `REPORT_EVERY`, one count
//! per account), so the message path does not wait for a round trip; nearer the limit, and for an
//! account it has not seen yet, it asks Redis and waits. Every answer from Redis brings the copy down to the shared count, so spending on
//! another instance shows here within a round trip. The checks waiting at any moment go out
//! together in one script call, as the writer's group commit does for messages. If Redis does not
//! answer, this instance's own buckets decide (each instance then allows the rate on its own).

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
/// How often what an instance decided alone is counted in Redis.
const REPORT_EVERY: Duration = Duration::from_millis(100);
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
        let alone = Self::in_memory(limits);
        // Its own connection: its script calls must not hold back the messages published on the
        // shared one.
        let commands = link.another_connection().unwrap_or_else(|_| link.commands.clone());
        tokio::spawn(check_in_batches(commands, waiting, alone.local.clone()));
        tokio::spawn(report_spent(checks.downgrade(), alone.local.clone()));
        Self { shared: Some(checks), ..alone }
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
        let Some(shared) = &self.shared else { return self.local.take(user, kind, rate, Instant::now()) };
        if self.local.take_well_within(user, kind, Instant::now()) {
            // Counted in Redis with this instance's other spends, every `REPORT_EVERY`.
            return Ok(());
        }
        let spent_before = self.local.unreported(user, kind);
        match take_shared(shared, Check::new(user, kind, rate, spent_before)).await {
            Ok(answer) => answer,
            Err(why) => {
                deciding_alone(why);
                self.local.take(user, kind, rate, Instant::now())
            }
        }
    }
}

/// Asks Redis; `Err` says why it could not answer in time (this instance then decides).
async fn take_shared(
    shared: &mpsc::Sender<Check>,
    check: Check,
) -> Result<Result<(), Duration>, &'static str> {
    let (answer, answered) = oneshot::channel();
    // A full queue means Redis is not keeping up: waiting for it would hold every message back.
    shared.try_send(Check { answer: Some(answer), ..check }).map_err(|_| "too many checks waiting")?;
    match tokio::time::timeout(SHARED_WAIT, answered).await {
        Ok(Ok(Ok(0))) => Ok(Ok(())),
        Ok(Ok(Ok(wait_ms))) => Ok(Err(Duration::from_millis(wait_ms))),
        Ok(Ok(Err(_))) => Err("Redis refused the check"),
        Ok(Err(_)) => Err("the checking task stopped"),
        Err(_) => Err("Redis is slow"),
    }
}

/// Sends Redis, every `REPORT_EVERY`, what this instance let accounts spend on its own since the
/// last time: one count per account, not one per message. Ends with the allowances.
async fn report_spent(checks: mpsc::WeakSender<Check>, local: Arc<LocalBuckets>) {
    let mut every = tokio::time::interval(REPORT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        let Some(checks) = checks.upgrade() else { return };
        for (user, kind, rate, spent) in local.drain_unreported() {
            // Full: Redis is not keeping up, and the next report would not get through either.
            if checks.try_send(Check::new(user, kind, rate, spent)).is_err() {
                break;
            }
        }
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
    /// Spent here without asking Redis, not yet counted there.
    unreported: HashMap<(i64, Kind), (Rate, u32)>,
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
    /// Spends one token if the account has a bucket here and would keep at least half its burst:
    /// far enough from the limit that spending on other instances, not yet seen here, cannot
    /// have used it up. False: ask Redis.
    fn take_well_within(&self, user: i64, kind: Kind, now: Instant) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else { return false };
        let Some(bucket) = buckets.by_owner.get_mut(&(user, kind)) else { return false };
        *bucket = bucket.refilled(now);
        if bucket.tokens - 1.0 < f64::from(bucket.rate.burst) / 2.0 {
            return false;
        }
        bucket.tokens -= 1.0;
        let rate = bucket.rate;
        buckets.unreported.entry((user, kind)).or_insert((rate, 0)).1 += 1;
        true
    }

    /// What this instance let the account spend alone since Redis last heard, no longer owed.
    fn unreported(&self, user: i64, kind: Kind) -> u32 {
        let Ok(mut buckets) = self.buckets.lock() else { return 0 };
        buckets.unreported.remove(&(user, kind)).map_or(0, |(_, spent)| spent)
    }

    fn drain_unreported(&self) -> Vec<(i64, Kind, Rate, u32)> {
        let Ok(mut buckets) = self.buckets.lock() else { return Vec::new() };
        buckets.unreported.drain().map(|((user, kind), (rate, spent))| (user, kind, rate, spent)).collect()
    }

    /// What Redis says is left of the account's shared bucket: this copy never holds more.
    fn learn(&self, user: i64, kind: Kind, rate: Rate, shared_tokens: f64, now: Instant) {
        let Ok(mut buckets) = self.buckets.lock() else { return };
        let bucket = buckets.by_owner.entry((user, kind)).or_insert_with(|| Bucket::full(rate, now));
        let mine = bucket.refilled(now);
        *bucket = Bucket { tokens: mine.tokens.min(shared_tokens), ..mine };
    }

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
    user: i64,
    kind: Kind,
    rate: Rate,
    /// Spent on this instance without asking, counted before anything is decided.
    spent_before: u32,
    /// Someone waits for a decision; `None`: Redis only counts `spent_before`.
    answer: Option<oneshot::Sender<redis::RedisResult<u64>>>,
}

impl Check {
    fn new(user: i64, kind: Kind, rate: Rate, spent_before: u32) -> Self {
        Self { user, kind, rate, spent_before, answer: None }
    }

    fn key(&self) -> String {
        format!("{KEY_PREFIX}allowance:{}:{}", self.kind.name(), self.user)
    }

    fn answer(self, result: redis::RedisResult<u64>) {
        if let Some(answer) = self.answer {
            let _ = answer.send(result);
        }
    }
}

/// KEYS: the buckets (hashes of `tokens` and `at`, Redis's own clock in ms, so instances' clocks
/// do not matter). ARGV: per key, its rate per second, its burst, the tokens an instance already
/// spent on its own (counted even into debt, never deeper than a burst), and 1 to decide on one
/// more or 0 not to. Returns, per key, two numbers: 0 when a token was spent (or none was asked
/// for), else the ms until one is there; then the tokens left, in thousandths. A key twice in a
/// call is counted twice, in order.
static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
local answers = {}
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[4 * i - 3])
  local burst = tonumber(ARGV[4 * i - 2])
  local spent = tonumber(ARGV[4 * i - 1])
  local decide = ARGV[4 * i] == '1'
  local bucket = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(bucket[1]) or burst
  local at = tonumber(bucket[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
  tokens = math.max(-burst, tokens - spent)
  local wait = 0
  if decide then
    if tokens >= 1 then
      tokens = tokens - 1
    else
      wait = math.ceil((1 - tokens) * 1000 / rate)
    end
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', now)
  redis.call('PEXPIRE', key, math.ceil((2 * burst) * 1000 / rate) + 1000)
  answers[2 * i - 1] = wait
  answers[2 * i] = math.floor(tokens * 1000)
end
return answers
",
    )
});

async fn check_in_batches(
    commands: ConnectionManager,
    mut waiting: mpsc::Receiver<Check>,
    local: Arc<LocalBuckets>,
) {
    let mut batch = Vec::with_capacity(CHECKS_PER_CALL);
    while waiting.recv_many(&mut batch, CHECKS_PER_CALL).await > 0 {
        let mut call = TAKE.prepare_invoke();
        for check in &batch {
            call.key(check.key())
                .arg(check.rate.per_second)
                .arg(check.rate.burst)
                .arg(check.spent_before)
                .arg(u8::from(check.answer.is_some()));
        }
        match call.invoke_async::<Vec<i64>>(&mut commands.clone()).await {
            Ok(answers) if answers.len() == 2 * batch.len() => {
                let now = Instant::now();
                for (check, answer) in batch.drain(..).zip(answers.chunks_exact(2)) {
                    let (wait_ms, tokens_milli) = (answer[0], answer[1]);
                    local.learn(check.user, check.kind, check.rate, tokens_milli as f64 / 1000.0, now);
                    check.answer(Ok(u64::try_from(wait_ms).unwrap_or(0)));
                }
            }
            Ok(_) => {
                for check in batch.drain(..) {
                    check.answer(Err(redis::RedisError::from((
                        redis::ErrorKind::UnexpectedReturnType,
                        "allowances: two numbers per check expected",
                    ))));
                }
            }
            Err(err) => {
                for check in batch.drain(..) {
                    check.answer(Err(err.clone()));
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
    fn an_instance_decides_alone_only_well_within_the_allowance_and_learns_what_others_spent() {
        let rate = Rate { per_second: 1, burst: 10 };
        let buckets = LocalBuckets::default();
        let now = Instant::now();
        // An account this instance has not seen: Redis decides.
        assert!(!buckets.take_well_within(1, Kind::Message, now));
        buckets.learn(1, Kind::Message, rate, 9.0, now);
        // 9 → 8, 7, 6, 5: each spend leaves half the burst or more; the next would not.
        for _ in 0..4 {
            assert!(buckets.take_well_within(1, Kind::Message, now));
        }
        assert!(!buckets.take_well_within(1, Kind::Message, now));
        // What it spent alone is owed to Redis once: with its next question, or the next report.
        assert_eq!(buckets.unreported(1, Kind::Message), 4);
        assert_eq!(buckets.unreported(1, Kind::Message), 0);
        // Spending elsewhere brings the copy down to the shared count, never up.
        buckets.learn(1, Kind::Message, rate, 2.0, now);
        buckets.learn(1, Kind::Message, rate, 7.0, now);
        assert_eq!(buckets.take(1, Kind::Message, rate, now), Ok(()));
        assert_eq!(buckets.take(1, Kind::Message, rate, now), Ok(()));
        assert!(buckets.take(1, Kind::Message, rate, now).is_err());
    }

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
