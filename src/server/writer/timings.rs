//! Where the writer's time goes, batch by batch: how long messages waited in its queue, how long
//! storing, syncing and publishing took. Summarised every second of traffic in the log at `debug` level
//! (`RUST_LOG=mini_discord::server::writer=debug`), and not measured at all otherwise, so the
//! message path pays for it only when someone is looking.

use std::time::{Duration, Instant};

/// How often a summary is logged while messages flow: a load run's seconds, one line each.
const SUMMARY_EVERY: Duration = Duration::from_secs(1);

/// The phases of one batch, timed as the writer goes through them.
pub struct BatchClock {
    started: Instant,
    /// The longest any message of the batch waited before the batch started.
    waited: Duration,
    stored: Option<Instant>,
    /// On disk, when the writer syncs SQLite's log itself (`durable`).
    synced: Option<Instant>,
}

impl BatchClock {
    /// A batch starting now, whose oldest message was queued at `oldest`.
    pub fn start(oldest: Option<Instant>) -> Self {
        let started = Instant::now();
        let waited = oldest.map(|queued| started.saturating_duration_since(queued)).unwrap_or_default();
        Self { started, waited, stored: None, synced: None }
    }

    /// The batch is committed (its acks and publishing come next).
    pub fn stored(&mut self) {
        self.stored = Some(Instant::now());
    }

    /// The batch is on disk (its acks and publishing come next).
    pub fn synced(&mut self) {
        self.synced = Some(Instant::now());
    }
}

/// Accumulates batches and logs a summary every [`SUMMARY_EVERY`] of traffic.
pub struct Timings {
    enabled: bool,
    since: Instant,
    sizes: Vec<u32>,
    waited: Vec<Duration>,
    storing: Vec<Duration>,
    /// From the commit to the fsync's return; zero unless the writer syncs the log itself.
    syncing: Vec<Duration>,
    publishing: Vec<Duration>,
}

impl Timings {
    pub fn new() -> Self {
        Self {
            enabled: tracing::enabled!(tracing::Level::DEBUG),
            since: Instant::now(),
            sizes: Vec::new(),
            waited: Vec::new(),
            storing: Vec::new(),
            syncing: Vec::new(),
            publishing: Vec::new(),
        }
    }

    /// A clock for the next batch, or none when nobody reads the summaries.
    pub fn clock(&self, oldest: impl FnOnce() -> Option<Instant>) -> Option<BatchClock> {
        self.enabled.then(|| BatchClock::start(oldest()))
    }

    /// Records a finished batch of `size` messages (published now).
    pub fn finished(&mut self, clock: Option<BatchClock>, size: usize) {
        let Some(clock) = clock else { return };
        let now = Instant::now();
        let stored = clock.stored.unwrap_or(now);
        let synced = clock.synced.unwrap_or(stored);
        // A summary covers the seconds messages flowed, not the quiet before them.
        if self.sizes.is_empty() {
            self.since = clock.started;
        }
        self.sizes.push(u32::try_from(size).unwrap_or(u32::MAX));
        self.waited.push(clock.waited);
        self.storing.push(stored.saturating_duration_since(clock.started));
        self.syncing.push(synced.saturating_duration_since(stored));
        self.publishing.push(now.saturating_duration_since(synced));
        if self.since.elapsed() >= SUMMARY_EVERY {
            self.log();
        }
    }

    fn log(&mut self) {
        let messages: u64 = self.sizes.iter().map(|&size| u64::from(size)).sum();
        self.sizes.sort_unstable();
        tracing::debug!(
            batches = self.sizes.len(),
            messages,
            seconds = format_args!("{:.1}", self.since.elapsed().as_secs_f64()),
            size_p50 = percentile(&self.sizes, 50),
            size_max = self.sizes.last().copied().unwrap_or_default(),
            waited_ms = %Spread::of(&mut self.waited),
            storing_ms = %Spread::of(&mut self.storing),
            syncing_ms = %Spread::of(&mut self.syncing),
            publishing_ms = %Spread::of(&mut self.publishing),
            "writer batches"
        );
        self.since = Instant::now();
        self.sizes.clear();
        self.waited.clear();
        self.storing.clear();
        self.syncing.clear();
        self.publishing.clear();
    }
}

fn percentile<T: Copy + Default>(sorted: &[T], pct: usize) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    sorted[(sorted.len() - 1) * pct / 100]
}

/// p50 / p99 / max of a phase, in milliseconds.
struct Spread([Duration; 3]);

impl Spread {
    fn of(durations: &mut [Duration]) -> Self {
        durations.sort_unstable();
        let max = durations.last().copied().unwrap_or_default();
        Self([percentile(durations, 50), percentile(durations, 99), max])
    }
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [p50, p99, max] = self.0.map(|d| d.as_secs_f64() * 1000.0);
        write!(f, "{p50:.2}/{p99:.2}/{max:.2}")
    }
}
