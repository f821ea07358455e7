//! What the server tells the browser about users, rooms and messages: never a password hash,
//! never an internal row.

use serde::{Deserialize, Serialize};

/// A message as every reader sees it. `id` is the room's total order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub room: String,
    pub author: String,
    pub body: String,
    /// Milliseconds since the Unix epoch, UTC; the browser shows it in local time.
    pub sent_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub username: String,
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    pub name: String,
    pub online: u32,
}
