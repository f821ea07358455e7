//! This process's connections, by topic. Delivery never waits: each connection has a bounded
//! outgoing queue, and one that is full is told to close (it catches up when it reconnects)
//! instead of slowing its room down or growing without bound.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock},
};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{mpsc, watch};

/// A serialised server frame, shared by every recipient (cloning it is a reference count).
/// One pointer wide on purpose: each connection's queue allocates its first block of 32 slots
/// up front, so a 32-byte frame type would cost every idle socket a KiB instead of a quarter.
#[derive(Clone, Debug)]
pub struct Frame(Arc<Utf8Bytes>);

impl Frame {
    /// The text as the socket sends it (another reference to the same bytes).
    pub fn text(&self) -> Utf8Bytes {
        Utf8Bytes::clone(&self.0)
    }
}

impl From<String> for Frame {
    fn from(text: String) -> Self {
        Frame(Arc::new(Utf8Bytes::from(text)))
    }
}

impl From<&str> for Frame {
    fn from(text: &str) -> Self {
        Frame(Arc::new(Utf8Bytes::from(text)))
    }
}

impl std::ops::Deref for Frame {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// Why the server is ending a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// Its outgoing queue overflowed.
    TooSlow,
    /// It sent frames faster than the limit allows.
    Flooding,
    /// It may have missed messages after `after` and changes after `changes` (the shared bus was
    /// down): it should reconnect and replay from there.
    CatchUp { after: i64, changes: i64 },
    /// Its session ended (account disabled, logged out); the user should log in again.
    SignedOut(String),
    /// Its user's standing in `room` changed: it reconnects, and with `why` (they are no longer
    /// in it) leaves that room's page first.
    Evicted { room: String, why: Option<crate::shared::protocol::Gone> },
}

/// The sending side of one connection, as the hub holds it.
#[derive(Clone)]
pub struct Outbox {
    pub id: ConnId,
    /// The session the socket was opened with, so logging out ends that session's sockets only.
    pub session: Option<Arc<str>>,
    frames: mpsc::Sender<Frame>,
    close: Arc<watch::Sender<Option<CloseReason>>>,
}

/// The receiving side, owned by the connection's socket loop.
pub struct Inbox {
    pub frames: mpsc::Receiver<Frame>,
    pub close: watch::Receiver<Option<CloseReason>>,
}

impl Outbox {
    pub fn new(id: ConnId, session: Option<Arc<str>>, capacity: usize) -> (Outbox, Inbox) {
        let (frames_tx, frames_rx) = mpsc::channel(capacity);
        let (close_tx, close_rx) = watch::channel(None);
        (
            Outbox { id, session, frames: frames_tx, close: Arc::new(close_tx) },
            Inbox { frames: frames_rx, close: close_rx },
        )
    }

    /// Queues a frame without waiting; a full queue closes the connection.
    pub fn offer(&self, frame: &Frame) {
        match self.frames.try_send(frame.clone()) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => self.close(CloseReason::TooSlow),
            // The connection is already gone; its cleanup will unsubscribe it.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    /// Queues a frame for this connection alone (answers to its own requests), waiting for room.
    pub async fn send(&self, frame: Frame) {
        let _ = self.frames.send(frame).await;
    }

    pub fn close(&self, reason: CloseReason) {
        // The first reason wins: a connection closed as too slow stays closed as too slow.
        self.close.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(reason);
                true
            } else {
                false
            }
        });
    }
}

/// The topic that reaches every connection of one user (read markers reach all their devices
/// through it, on every instance). `#` keeps it apart from rooms. Nothing subscribes to it:
/// delivery goes through the connections by user, which every connection is in anyway, so it
/// costs an idle socket nothing.
pub fn user_topic(user_id: i64) -> String {
    format!("{USER_TOPIC_PREFIX}{user_id}")
}

const USER_TOPIC_PREFIX: &str = "#user:";

/// Topics are spread over this many independently locked maps, so rooms do not contend for one
/// lock on the message path.
const SHARDS: usize = 16;

type Topics = HashMap<String, HashMap<ConnId, Outbox>>;

/// Topic → connections subscribed to it in this process.
pub struct Subscribers {
    // A read lock per delivery; writers only on subscribe/unsubscribe. Locks are never held
    // across an await.
    shards: [RwLock<Topics>; SHARDS],
    // Every connection by user, so an account can be signed out everywhere at once.
    by_user: Mutex<HashMap<i64, HashMap<ConnId, Outbox>>>,
}

impl Default for Subscribers {
    fn default() -> Self {
        Self { shards: std::array::from_fn(|_| RwLock::default()), by_user: Mutex::default() }
    }
}

impl Subscribers {
    fn shard(&self, topic: &str) -> &RwLock<Topics> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(topic);
        &self.shards[(hash as usize) % SHARDS]
    }

    pub fn deliver(&self, topic: &str, frame: &Frame) -> usize {
        if let Some(user_id) = topic.strip_prefix(USER_TOPIC_PREFIX).and_then(|id| id.parse().ok()) {
            return self.deliver_to_user(user_id, frame);
        }
        let topics = self.shard(topic).read().unwrap_or_else(|poison| poison.into_inner());
        let Some(subscribers) = topics.get(topic) else {
            return 0;
        };
        for outbox in subscribers.values() {
            outbox.offer(frame);
        }
        subscribers.len()
    }

    fn deliver_to_user(&self, user_id: i64, frame: &Frame) -> usize {
        let by_user = self.by_user.lock().unwrap_or_else(|poison| poison.into_inner());
        let Some(conns) = by_user.get(&user_id) else {
            return 0;
        };
        for outbox in conns.values() {
            outbox.offer(frame);
        }
        conns.len()
    }

    pub fn subscribe(&self, topic: &str, outbox: &Outbox) {
        let mut topics = self.shard(topic).write().unwrap_or_else(|poison| poison.into_inner());
        topics.entry(topic.to_owned()).or_default().insert(outbox.id, outbox.clone());
    }

    pub fn unsubscribe(&self, topic: &str, id: ConnId) {
        let mut topics = self.shard(topic).write().unwrap_or_else(|poison| poison.into_inner());
        if let Some(subscribers) = topics.get_mut(topic) {
            subscribers.remove(&id);
            if subscribers.is_empty() {
                topics.remove(topic);
            }
        }
    }

    pub fn add_user_connection(&self, user_id: i64, outbox: &Outbox) {
        let mut by_user = self.by_user.lock().unwrap_or_else(|poison| poison.into_inner());
        by_user.entry(user_id).or_default().insert(outbox.id, outbox.clone());
    }

    pub fn remove_user_connection(&self, user_id: i64, id: ConnId) {
        let mut by_user = self.by_user.lock().unwrap_or_else(|poison| poison.into_inner());
        if let Some(conns) = by_user.get_mut(&user_id) {
            conns.remove(&id);
            if conns.is_empty() {
                by_user.remove(&user_id);
            }
        }
    }

    /// Closes the connections of one user in this process, or only those of one session.
    /// Closes every connection of this process; returns how many.
    pub fn close_all(&self, reason: CloseReason) -> usize {
        let by_user = self.by_user.lock().unwrap_or_else(|poison| poison.into_inner());
        let mut closed = 0;
        for outbox in by_user.values().flat_map(HashMap::values) {
            outbox.close(reason.clone());
            closed += 1;
        }
        closed
    }

    /// Closes every connection of this process subscribed to `topic`; returns how many.
    pub fn close_topic(&self, topic: &str, reason: CloseReason) -> usize {
        let topics = self.shard(topic).read().unwrap_or_else(|poison| poison.into_inner());
        let Some(subscribers) = topics.get(topic) else {
            return 0;
        };
        for outbox in subscribers.values() {
            outbox.close(reason.clone());
        }
        subscribers.len()
    }

    pub fn close_user(&self, user_id: i64, session: Option<&str>, reason: CloseReason) -> usize {
        let by_user = self.by_user.lock().unwrap_or_else(|poison| poison.into_inner());
        let Some(conns) = by_user.get(&user_id) else {
            return 0;
        };
        let mut closed = 0;
        for outbox in conns.values() {
            if session.is_none() || outbox.session.as_deref() == session {
                outbox.close(reason.clone());
                closed += 1;
            }
        }
        closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_closes_the_slow_connection_only() {
        let subs = Subscribers::default();
        let (slow, mut slow_inbox) = Outbox::new(ConnId(1), None, 2);
        let (fast, mut fast_inbox) = Outbox::new(ConnId(2), None, 16);
        subs.subscribe("room", &slow);
        subs.subscribe("room", &fast);
        for n in 0..3 {
            subs.deliver("room", &Frame::from(format!("frame {n}")));
        }
        assert_eq!(*slow_inbox.close.borrow_and_update(), Some(CloseReason::TooSlow));
        assert_eq!(*fast_inbox.close.borrow_and_update(), None);
        for n in 0..3 {
            assert_eq!(fast_inbox.frames.recv().await.as_deref(), Some(format!("frame {n}").as_str()));
        }
    }

    #[test]
    fn a_users_topic_reaches_each_of_their_connections_and_no_one_elses() {
        let subs = Subscribers::default();
        let (laptop, _l) = Outbox::new(ConnId(1), None, 4);
        let (phone, _p) = Outbox::new(ConnId(2), None, 4);
        let (other, _o) = Outbox::new(ConnId(3), None, 4);
        subs.add_user_connection(7, &laptop);
        subs.add_user_connection(7, &phone);
        subs.add_user_connection(8, &other);
        assert_eq!(subs.deliver(&user_topic(7), &Frame::from("read")), 2);
        subs.remove_user_connection(7, ConnId(2));
        assert_eq!(subs.deliver(&user_topic(7), &Frame::from("read")), 1);
        assert_eq!(subs.deliver(&user_topic(9), &Frame::from("read")), 0);
    }

    #[test]
    fn unsubscribing_the_last_connection_forgets_the_topic() {
        let subs = Subscribers::default();
        let (outbox, _inbox) = Outbox::new(ConnId(7), None, 4);
        subs.subscribe("room", &outbox);
        assert_eq!(subs.deliver("room", &Frame::from("x")), 1);
        subs.unsubscribe("room", ConnId(7));
        assert_eq!(subs.deliver("room", &Frame::from("x")), 0);
        assert!(subs.shard("room").read().map(|t| t.is_empty()).unwrap_or(false));
    }
}
