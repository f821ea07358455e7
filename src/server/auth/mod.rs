//! Who is asking: accounts checked with argon2, sessions kept in the database.

pub mod backend;
pub mod hashing;
pub mod session_store;
pub mod throttle;

pub use backend::{AuthSession, Backend, Credentials, SessionUser};
pub use session_store::DbSessionStore;

use super::hub::Hub;

/// Ends this browser's session and the sockets it opened (other devices stay logged in).
pub async fn log_out(auth: &mut AuthSession, hub: &Hub) -> Result<(), axum_login::Error<Backend>> {
    let session_id = auth.session.id();
    if let (Some(user), Some(session_id)) = (auth.logout().await?, session_id) {
        hub.end_session(user.0.id, &session_id.to_string(), "You logged out").await;
    }
    Ok(())
}
