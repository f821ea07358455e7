//! Who is acting, as the chat service sees them: enough to decide and to sign a message, never
//! the password hash (that stays in the auth layer's `SessionUser`).

use crate::server::db::users::{Author, User};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
}

impl From<&User> for Actor {
    fn from(user: &User) -> Self {
        Self { id: user.id, username: user.username.clone(), is_admin: user.is_admin }
    }
}

impl Actor {
    /// The actor as the author of a message.
    pub fn author(&self) -> Author {
        Author { id: self.id, username: self.username.clone() }
    }
}
