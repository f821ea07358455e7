//! Presence shared by all instances, kept in Redis.
//!
//! Each room has a sorted set whose members are `instance|user id|username` and whose scores
//! are the time (ms) each entry expires. An instance counts its own tabs locally and writes one
//! entry per user and room, renewed by `upkeep` every few seconds; a user is online in a room
//! while any live entry names them, so tabs on two instances count once. An instance that dies
//! (even `kill -9`) stops renewing, and the next upkeep anywhere drops its entries and
//! announces the new lists: at most TTL + upkeep period later.
//!
//! Redis down: answers come from this instance's own connections (the local view), the outage is
//! logged once, and the next upkeep after it is back writes this instance's entries again.
//!
//! Expiry times come from each instance's clock: instances must keep their clocks in sync (NTP),
//! within a few seconds of each other.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        atomic::{AtomicBool, Ordering},
        LazyLock,
    },
    time::Duration,
};

use async_trait::async_trait;
use redis::{aio::ConnectionManager, AsyncCommands, Script};

use super::{RedisLink, KEY_PREFIX};
use crate::server::{
    db::now_ms,
    presence::{Change, LocalPresence, Presence},
};

/// Counts the live entries of user ARGV[4] other than member ARGV[3], then adds or renews
/// ARGV[3]. Atomic, so two instances admitting one user at once cannot both miss each other.
static ENTER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local others = 0
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')) do
  local _, _, user = string.find(member, '^[^|]*|([^|]*)|')
  if user == ARGV[4] and member ~= ARGV[3] then others = others + 1 end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[5])
return others
",
    )
});

/// Removes member ARGV[2] and counts the live entries of user ARGV[3] left.
static EXIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('ZREM', KEYS[1], ARGV[2])
local left = 0
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')) do
  local _, _, user = string.find(member, '^[^|]*|([^|]*)|')
  if user == ARGV[3] then left = left + 1 end
end
return left
",
    )
});

/// Drops a room's expired entries (forgetting the room once it is empty); returns how many.
static SWEEP: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local removed = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return removed
",
    )
});

pub struct RedisPresence {
    local: LocalPresence,
    commands: ConnectionManager,
    instance: String,
    ttl: Duration,
    reachable: AtomicBool,
}

impl RedisPresence {
    /// `ttl`: how long an entry lives without renewal; upkeep must run well within it.
    pub fn new(link: &RedisLink, ttl: Duration) -> Self {
        Self {
            local: LocalPresence::default(),
            commands: link.commands.clone(),
            instance: link.instance.clone(),
            ttl,
            reachable: AtomicBool::new(true),
        }
    }

    fn member(&self, user_id: i64, username: &str) -> String {
        format!("{}|{user_id}|{username}", self.instance)
    }

    fn expiry(&self, now: i64) -> i64 {
        now + self.ttl.as_millis() as i64
    }

    /// Logs the first failure of an outage, and the recovery, not every failed call.
    fn note<T>(&self, result: redis::RedisResult<T>) -> Option<T> {
        match result {
            Ok(value) => {
                if !self.reachable.swap(true, Ordering::Relaxed) {
                    tracing::info!("Redis presence is reachable again");
                }
                Some(value)
            }
            Err(err) => {
                if self.reachable.swap(false, Ordering::Relaxed) {
                    tracing::error!(error = %err, "Redis presence unreachable: online lists show this instance's users only until it is back");
                }
                None
            }
        }
    }

    async fn live_members(&self, room: &str) -> redis::RedisResult<Vec<String>> {
        self.commands.clone().zrangebyscore(room_key(room), now_ms(), "+inf").await
    }
}

fn room_key(room: &str) -> String {
    format!("{KEY_PREFIX}presence:room:{room}")
}

fn rooms_key() -> String {
    format!("{KEY_PREFIX}presence:rooms")
}

/// One name per user, however many instances list them, in the order the lists use.
fn distinct_users(members: &[String]) -> Vec<String> {
    let users: BTreeMap<&str, &str> = members
        .iter()
        .filter_map(|member| {
            let mut parts = member.splitn(3, '|');
            let _instance = parts.next()?;
            Some((parts.next()?, parts.next()?))
        })
        .collect();
    let mut names: Vec<String> = users.into_values().map(str::to_owned).collect();
    names.sort_by_key(|name| name.to_ascii_lowercase());
    names
}

#[async_trait]
impl Presence for RedisPresence {
    async fn enter(&self, room: &str, user_id: i64, username: &str) -> Change {
        // Only a user's first tab here touches Redis; the rest are counted locally.
        if self.local.enter(room, user_id, username).await != Change::Arrived {
            return Change::Unchanged;
        }
        let now = now_ms();
        let mut call = ENTER.prepare_invoke();
        call.key(room_key(room))
            .key(rooms_key())
            .arg(now)
            .arg(self.expiry(now))
            .arg(self.member(user_id, username))
            .arg(user_id)
            .arg(room);
        match self.note(call.invoke_async::<i64>(&mut self.commands.clone()).await) {
            Some(0) | None => Change::Arrived,
            Some(_) => Change::Unchanged,
        }
    }

    async fn exit(&self, room: &str, user_id: i64) -> Change {
        let username = self.local.username(room, user_id);
        if self.local.exit(room, user_id).await != Change::Departed {
            return Change::Unchanged;
        }
        let Some(username) = username else { return Change::Departed };
        let mut call = EXIT.prepare_invoke();
        call.key(room_key(room)).arg(now_ms()).arg(self.member(user_id, &username)).arg(user_id);
        match self.note(call.invoke_async::<i64>(&mut self.commands.clone()).await) {
            Some(0) | None => Change::Departed,
            Some(_) => Change::Unchanged,
        }
    }

    async fn online(&self, room: &str) -> Vec<String> {
        match self.note(self.live_members(room).await) {
            Some(members) => distinct_users(&members),
            None => self.local.online(room).await,
        }
    }

    async fn counts(&self) -> HashMap<String, u32> {
        let fetched: redis::RedisResult<HashMap<String, u32>> = async {
            let rooms: Vec<String> = self.commands.clone().smembers(rooms_key()).await?;
            if rooms.is_empty() {
                return Ok(HashMap::new());
            }
            let now = now_ms();
            let mut pipe = redis::pipe();
            for room in &rooms {
                pipe.zrangebyscore(room_key(room), now, "+inf");
            }
            let lists: Vec<Vec<String>> = pipe.query_async(&mut self.commands.clone()).await?;
            Ok(rooms
                .into_iter()
                .zip(lists)
                .map(|(room, members)| (room, distinct_users(&members).len() as u32))
                .filter(|(_, online)| *online > 0)
                .collect())
        }
        .await;
        match self.note(fetched) {
            Some(counts) => counts,
            None => self.local.counts().await,
        }
    }

    async fn forget_room(&self, room: &str) {
        self.local.forget_room(room).await;
        let mut pipe = redis::pipe();
        pipe.del(room_key(room)).ignore().srem(rooms_key(), room).ignore();
        self.note(pipe.query_async::<()>(&mut self.commands.clone()).await);
    }

    async fn upkeep(&self) -> Vec<String> {
        let now = now_ms();
        // Renew (or write again: Redis may have restarted, or the first write failed) this
        // instance's entries. A user who left while this ran is removed again just below.
        let renewed = self.local.entries();
        if !renewed.is_empty() {
            let mut pipe = redis::pipe();
            for (room, user_id, username) in &renewed {
                pipe.zadd(room_key(room), self.member(*user_id, username), self.expiry(now)).ignore();
            }
            // Once per room, not per entry: a busy room has hundreds of entries here.
            let rooms: std::collections::BTreeSet<&String> =
                renewed.iter().map(|(room, _, _)| room).collect();
            for room in rooms {
                pipe.sadd(rooms_key(), room).ignore();
            }
            if self.note(pipe.query_async::<()>(&mut self.commands.clone()).await).is_none() {
                return Vec::new();
            }
            let still_here: std::collections::HashSet<(String, i64)> =
                self.local.entries().into_iter().map(|(room, user_id, _)| (room, user_id)).collect();
            let mut gone = redis::pipe();
            let mut any_gone = false;
            for (room, user_id, username) in &renewed {
                if !still_here.contains(&(room.clone(), *user_id)) {
                    gone.zrem(room_key(room), self.member(*user_id, username)).ignore();
                    any_gone = true;
                }
            }
            if any_gone {
                self.note(gone.query_async::<()>(&mut self.commands.clone()).await);
            }
        }
        let Some(rooms) = self.note(self.commands.clone().smembers::<_, Vec<String>>(rooms_key()).await)
        else {
            return Vec::new();
        };
        let mut changed = Vec::new();
        for room in rooms {
            let mut call = SWEEP.prepare_invoke();
            call.key(room_key(&room)).key(rooms_key()).arg(now).arg(&room);
            match self.note(call.invoke_async::<i64>(&mut self.commands.clone()).await) {
                Some(removed) if removed > 0 => changed.push(room),
                Some(_) => {}
                None => break,
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::distinct_users;

    #[test]
    fn a_user_listed_by_two_instances_counts_once() {
        let members = vec![
            "a|1|alice".to_owned(),
            "b|1|alice".to_owned(),
            "b|2|Bob".to_owned(),
            "malformed".to_owned(),
        ];
        assert_eq!(distinct_users(&members), vec!["alice", "Bob"]);
    }
}
