//! The threads that run argon2, and the bounded queue in front of them.
//!
//! Each hash takes about 19 MiB and a core for tens of milliseconds, and the allocator keeps freed
//! memory in a per-thread arena: hashing on tokio's blocking pool (dozens of threads) left over a
//! GiB resident after a burst of log-ins, while a couple of dedicated threads keep it to a couple
//! of arenas. A short burst queues; a flood finds the queue full and is answered at once, so it
//! cannot delay everyone behind it.

use std::{
    sync::{
        mpsc::{self, SyncSender, TrySendError},
        Arc, Mutex,
    },
    time::Duration,
};

use password_auth::generate_hash;

#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    /// Every thread is taken and the queue is full.
    #[error("password hashing is busy")]
    Busy,
    /// The threads stopped (they only do if one could not start); the request fails cleanly.
    #[error("password hashing is unavailable")]
    Stopped,
}

type HashJob = Box<dyn FnOnce() + Send>;

const HASHING_THREADS: usize = 2;
/// No one waits longer than this for a hash: past it the queue is stuck, not busy.
const LONGEST_WAIT: Duration = Duration::from_secs(10);

/// One per app; its threads end when the last handle is dropped.
#[derive(Clone)]
pub struct Hashing {
    jobs: SyncSender<HashJob>,
}

impl std::fmt::Debug for Hashing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hashing")
    }
}

impl Hashing {
    /// `queue`: jobs that may wait for a thread (`Limits::hashing_queue`).
    pub fn start(queue: usize) -> Self {
        let (jobs, waiting) = mpsc::sync_channel::<HashJob>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for n in 0..HASHING_THREADS {
            let waiting = waiting.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || loop {
                let job = match waiting.lock() {
                    Ok(waiting) => waiting.recv(),
                    Err(_) => return,
                };
                match job {
                    // A panicking hash must not take a hashing thread with it: its caller gets an
                    // error (its reply is dropped) and the thread goes on.
                    Ok(job) => {
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    }
                    Err(_) => return,
                }
            });
            if let Err(err) = spawned {
                tracing::error!(error = %err, "could not start a password hashing thread");
            }
        }
        Self { jobs }
    }

    /// Runs one hash or verification on the hashing threads and waits for it without blocking.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashingError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: HashJob = Box::new(move || {
            // Whoever asked may have gone (a closed tab, a timed-out request): skip 19 MiB and
            // tens of milliseconds of work nobody will read.
            if done.is_closed() {
                return;
            }
            let _ = done.send(work());
        });
        self.jobs.try_send(job).map_err(|err| match err {
            TrySendError::Full(_) => HashingError::Busy,
            TrySendError::Disconnected(_) => HashingError::Stopped,
        })?;
        match tokio::time::timeout(LONGEST_WAIT, result).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(HashingError::Stopped),
            Err(_) => Err(HashingError::Busy),
        }
    }

    /// A new password's hash.
    pub async fn hash(&self, password: String) -> Result<String, HashingError> {
        self.run(move || generate_hash(password)).await
    }
}
