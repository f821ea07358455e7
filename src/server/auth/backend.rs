//! The axum-login backend over the `users` table.

use axum_login::{AuthUser, AuthnBackend, UserId};
use password_auth::{generate_hash, verify_password};
use sea_orm::{DatabaseConnection, DbErr};

use crate::server::db::users::{self, User};

/// The logged-in user as the session layer sees it. The password hash doubles as the session
/// auth hash, so changing a password ends every other session of that account.
#[derive(Clone)]
pub struct SessionUser(pub User);

impl std::fmt::Debug for SessionUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl AuthUser for SessionUser {
    type Id = i64;

    fn id(&self) -> Self::Id {
        self.0.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        self.0.password_hash.as_bytes()
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Hashing(#[from] HashingUnavailable),
}

#[derive(Clone, Debug)]
pub struct Backend {
    db: DatabaseConnection,
}

impl Backend {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The hashing pool stopped (it only does if a hash panicked); the request fails cleanly.
#[derive(Debug, thiserror::Error)]
#[error("password hashing is unavailable")]
pub struct HashingUnavailable;

type HashJob = Box<dyn FnOnce() + Send>;

/// Threads that do nothing but argon2. Each hash takes about 19 MiB and a core for tens of
/// milliseconds, and the allocator keeps freed memory in a per-thread arena: hashing on tokio's
/// blocking pool (dozens of threads) left over a GiB resident after a burst of log-ins, while a
/// couple of dedicated threads keep it to a couple of arenas, and a burst simply queues.
struct HashingPool {
    jobs: std::sync::mpsc::Sender<HashJob>,
}

const HASHING_THREADS: usize = 2;

static POOL: std::sync::LazyLock<HashingPool> = std::sync::LazyLock::new(|| {
    let (jobs, queue) = std::sync::mpsc::channel::<HashJob>();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
    for n in 0..HASHING_THREADS {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || loop {
            let job = match queue.lock() {
                Ok(queue) => queue.recv(),
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
    HashingPool { jobs }
});

/// Runs one hash or verification on the hashing threads and waits for it without blocking.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashingUnavailable> {
    let (done, result) = tokio::sync::oneshot::channel();
    let job: HashJob = Box::new(move || {
        // Whoever asked may have gone (a closed tab, a timed-out request): skip 19 MiB and
        // tens of milliseconds of work nobody will read.
        if done.is_closed() {
            return;
        }
        let _ = done.send(work());
    });
    POOL.jobs.send(job).map_err(|_| HashingUnavailable)?;
    result.await.map_err(|_| HashingUnavailable)
}

/// Hashing is deliberately slow (argon2), so it runs off the async threads.
pub async fn hash_password(password: String) -> Result<String, HashingUnavailable> {
    hashing(move || generate_hash(password)).await
}

/// A hash of a password nobody has, checked when the username is unknown so that a wrong name
/// takes as long as a wrong password and does not reveal which accounts exist.
static DECOY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| generate_hash("decoy password that matches nothing"));

impl AuthnBackend for Backend {
    type User = SessionUser;
    type Credentials = Credentials;
    type Error = BackendError;

    /// Returns the account when the password matches, disabled or not: the caller tells a
    /// disabled account apart so the user learns why they cannot log in.
    async fn authenticate(&self, creds: Self::Credentials) -> Result<Option<Self::User>, Self::Error> {
        // An oversized password cannot match (sign-up refuses them) and would only burn CPU.
        if crate::shared::validate::password(&creds.password).is_err() {
            return Ok(None);
        }
        let user = users::by_name(&self.db, &creds.username).await?;
        let hash = user.as_ref().map(|user| user.password_hash.clone());
        let matches = hashing(move || {
            let hash = hash.as_deref().unwrap_or(DECOY_HASH.as_str());
            verify_password(creds.password, hash).is_ok()
        })
        .await?;
        Ok(user.filter(|_| matches).map(SessionUser))
    }

    /// A disabled account has no user behind its sessions, so every page and socket treats it as
    /// logged out from the next request on.
    async fn get_user(&self, user_id: &UserId<Self>) -> Result<Option<Self::User>, Self::Error> {
        let user = users::by_id(&self.db, *user_id).await?;
        Ok(user.filter(|user| !user.disabled).map(SessionUser))
    }
}

pub type AuthSession = axum_login::AuthSession<Backend>;
