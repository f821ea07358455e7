//! The bus carries a serialised frame to every subscriber of a topic. This is the seam where
//! several instances meet: the in-process bus below delivers straight to this process's
//! subscribers; `cluster::redis_bus` publishes to a Redis channel and delivers what it receives the same way.

use std::sync::Arc;

use async_trait::async_trait;

use super::{
    cluster::numbering::NumberedFrame,
    subscribers::{CloseReason, Frame, Subscribers},
};
use crate::shared::protocol::Gone;

/// Ends a user's sockets (or one session's), wherever they are connected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignOut {
    pub user_id: i64,
    /// Only the sockets opened with this session; `None`: all of the user's.
    pub session: Option<String>,
    /// Shown to the user.
    pub reason: String,
}

impl SignOut {
    /// Closes the matching sockets of this process; returns how many.
    pub fn apply(&self, subscribers: &Subscribers) -> usize {
        let reason = CloseReason::SignedOut(self.reason.clone());
        subscribers.close_user(self.user_id, self.session.as_deref(), reason)
    }
}

/// Sends sockets in a room back through its checks, wherever they are connected: each is closed
/// (after a `room_gone` saying `why`, when there is one) and reconnects to the rooms it still may
/// be in. Closing rather than unsubscribing keeps every rule in one place: the reconnecting socket
/// joins through the same checks as any other, and no connection acts on a standing that changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Eviction {
    /// Whose sockets; `None`: every socket receiving the room (its visibility changed).
    pub user_id: Option<i64>,
    pub room: String,
    /// `None`: they stay in the room, with another role; the page stays.
    pub why: Option<Gone>,
}

impl Eviction {
    /// Closes the matching sockets of this process; returns how many.
    pub fn apply(&self, subscribers: &Subscribers) -> usize {
        let reason = CloseReason::Evicted { room: self.room.clone(), why: self.why };
        match self.user_id {
            Some(user_id) => subscribers.close_user(user_id, None, reason),
            None => subscribers.close_topic(&self.room, reason),
        }
    }
}

#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Delivers `frame` to every subscriber of `topic`, wherever it is connected.
    async fn publish(&self, topic: &str, frame: Frame);

    /// Delivers a frame that is only news now (typing); the bus may drop it when in trouble.
    async fn publish_transient(&self, topic: &str, frame: Frame) {
        self.publish(topic, frame).await;
    }

    /// Ends sockets of a user on every instance.
    async fn sign_out(&self, sign_out: SignOut);

    /// Takes a user out of a room on every instance.
    async fn evict(&self, eviction: Eviction);

    /// Publishes frames in the order given, as one unit where the bus allows (one round trip).
    async fn publish_batch(&self, frames: Vec<(String, Frame)>) {
        for (topic, frame) in frames {
            self.publish(&topic, frame).await;
        }
    }

    /// Delivers stored messages, each numbered in its room (see [`NumberedFrame`]). One process
    /// needs no numbers: its one writer publishes in id order already.
    async fn publish_numbered(&self, messages: Vec<NumberedFrame>) {
        self.publish_batch(messages.into_iter().map(|message| (message.topic, message.frame)).collect())
            .await;
    }

    /// Whether other instances receive what is published here: then the writers number each
    /// room's messages ([`Bus::publish_numbered`]) so every reader can put them in id order.
    fn spans_instances(&self) -> bool {
        false
    }
}

/// One process: publishing is local delivery.
pub struct LocalBus {
    subscribers: Arc<Subscribers>,
}

impl LocalBus {
    pub fn new(subscribers: Arc<Subscribers>) -> Self {
        Self { subscribers }
    }
}

#[async_trait]
impl Bus for LocalBus {
    async fn publish(&self, topic: &str, frame: Frame) {
        self.subscribers.deliver(topic, &frame);
    }

    async fn sign_out(&self, sign_out: SignOut) {
        sign_out.apply(&self.subscribers);
    }

    async fn evict(&self, eviction: Eviction) {
        eviction.apply(&self.subscribers);
    }
}
