//! Who is online where, computed from live connections only, so it cannot go stale after a
//! crash the way a database flag does. One entry per user however many tabs they have open.
//! This is a seam: `cluster::redis_presence` keeps the same answers in Redis, with expiring entries, so
//! presence is global across instances.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Mutex,
};

use async_trait::async_trait;

/// What changed when a connection entered or left a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The user's first connection in the room: they came online there.
    Arrived,
    /// The user's last connection left: they went offline there.
    Departed,
    /// Another tab of someone already counted.
    Unchanged,
}

#[async_trait]
pub trait Presence: Send + Sync + 'static {
    async fn enter(&self, room: &str, user_id: i64, username: &str) -> Change;
    async fn exit(&self, room: &str, user_id: i64) -> Change;
    /// Usernames online in a room, alphabetical.
    async fn online(&self, room: &str) -> Vec<String>;
    /// How many users are online in one room.
    async fn count(&self, room: &str) -> u32 {
        self.online(room).await.len() as u32
    }
    /// Online counts of every room that has anyone in it.
    async fn counts(&self) -> HashMap<String, u32>;
    /// Drops a room's entries (the room was deleted).
    async fn forget_room(&self, room: &str);
    /// Periodic upkeep of shared presence: renews this instance's entries and drops those of
    /// instances that stopped renewing theirs (killed, cut off). Returns the rooms whose online
    /// lists changed, to be announced again. One process has nothing to do.
    async fn upkeep(&self) -> Vec<String> {
        Vec::new()
    }
}

#[derive(Default)]
struct Entry {
    username: String,
    connections: u32,
}

/// One process: a map guarded by a mutex that is never held across an await.
#[derive(Default)]
pub struct LocalPresence {
    rooms: Mutex<HashMap<String, BTreeMap<i64, Entry>>>,
}

impl LocalPresence {
    /// Every (room, user id, username) online through this process.
    pub fn entries(&self) -> Vec<(String, i64, String)> {
        self.rooms()
            .iter()
            .flat_map(|(room, users)| {
                users.iter().map(|(id, entry)| (room.clone(), *id, entry.username.clone()))
            })
            .collect()
    }

    /// The name a user is online under in a room, if they are.
    pub fn username(&self, room: &str, user_id: i64) -> Option<String> {
        self.rooms().get(room)?.get(&user_id).map(|entry| entry.username.clone())
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<String, BTreeMap<i64, Entry>>> {
        self.rooms.lock().unwrap_or_else(|poison| poison.into_inner())
    }
}

#[async_trait]
impl Presence for LocalPresence {
    async fn enter(&self, room: &str, user_id: i64, username: &str) -> Change {
        let mut rooms = self.rooms();
        let entry = rooms.entry(room.to_owned()).or_default().entry(user_id).or_default();
        entry.connections += 1;
        if entry.connections == 1 {
            entry.username = username.to_owned();
            Change::Arrived
        } else {
            Change::Unchanged
        }
    }

    async fn exit(&self, room: &str, user_id: i64) -> Change {
        let mut rooms = self.rooms();
        let Some(users) = rooms.get_mut(room) else {
            return Change::Unchanged;
        };
        let Some(entry) = users.get_mut(&user_id) else {
            return Change::Unchanged;
        };
        entry.connections = entry.connections.saturating_sub(1);
        if entry.connections > 0 {
            return Change::Unchanged;
        }
        users.remove(&user_id);
        if users.is_empty() {
            rooms.remove(room);
        }
        Change::Departed
    }

    async fn online(&self, room: &str) -> Vec<String> {
        let rooms = self.rooms();
        let mut names: Vec<String> = rooms
            .get(room)
            .map(|users| users.values().map(|entry| entry.username.clone()).collect())
            .unwrap_or_default();
        names.sort_by_key(|name| name.to_ascii_lowercase());
        names
    }

    async fn count(&self, room: &str) -> u32 {
        self.rooms().get(room).map_or(0, |users| users.len() as u32)
    }

    async fn counts(&self) -> HashMap<String, u32> {
        self.rooms().iter().map(|(room, users)| (room.clone(), users.len() as u32)).collect()
    }

    async fn forget_room(&self, room: &str) {
        self.rooms().remove(room);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn two_tabs_of_one_user_count_once() {
        let presence = LocalPresence::default();
        assert_eq!(presence.enter("general", 1, "alice").await, Change::Arrived);
        assert_eq!(presence.enter("general", 1, "alice").await, Change::Unchanged);
        assert_eq!(presence.enter("general", 2, "Bob").await, Change::Arrived);
        assert_eq!(presence.online("general").await, vec!["alice", "Bob"]);
        assert_eq!(presence.exit("general", 1).await, Change::Unchanged);
        assert_eq!(presence.online("general").await, vec!["alice", "Bob"]);
        assert_eq!(presence.exit("general", 1).await, Change::Departed);
        assert_eq!(presence.online("general").await, vec!["Bob"]);
        assert_eq!(presence.counts().await.get("general"), Some(&1));
        assert_eq!(presence.exit("general", 2).await, Change::Departed);
        assert!(presence.counts().await.is_empty());
    }

    #[tokio::test]
    async fn leaving_a_room_never_entered_changes_nothing() {
        let presence = LocalPresence::default();
        assert_eq!(presence.exit("nowhere", 9).await, Change::Unchanged);
    }
}
