//! Who is asking: accounts checked with argon2, sessions kept in the database.

pub mod backend;
pub mod session_store;

pub use backend::{AuthSession, Backend, Credentials, SessionUser};
pub use session_store::DbSessionStore;
