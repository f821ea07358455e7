//! The axum-login backend over the `users` table.

use axum_login::{AuthUser, AuthnBackend, UserId};
use password_auth::{generate_hash, verify_password};
use sea_orm::{DatabaseConnection, DbErr};

use super::hashing::Hashing;
pub use super::hashing::HashingError;
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
    Hashing(#[from] HashingError),
}

#[derive(Clone, Debug)]
pub struct Backend {
    db: DatabaseConnection,
    hashing: Hashing,
}

impl Backend {
    pub fn new(db: DatabaseConnection, hashing: Hashing) -> Self {
        Self { db, hashing }
    }
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
        let matches = self
            .hashing
            .run(move || {
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
