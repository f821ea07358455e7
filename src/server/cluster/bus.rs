//! The bus over Redis pub/sub: every frame goes through Redis to every instance, this one
//! included, so all instances deliver a room's frames in the one order Redis saw them.
//!
//! While Redis cannot be used, frames go straight to this instance's own sockets (its users keep
//! talking; every message is still stored), and the instance remembers since when its sockets
//! and the others' may differ. Once it can publish again it tells every instance, itself
//! included, to catch up from then: each finds the last message stored before that moment and
//! asks its sockets to rejoin from it ([`ServerFrame::Rewind`], then close 4000), so every tab
//! replays from the database whatever it missed, in id order.
//!
//! [`ServerFrame::Rewind`]: crate::shared::protocol::ServerFrame::Rewind

use std::{
    sync::{
        atomic::{AtomicBool, AtomicI64, Ordering},
        Arc,
    },
    time::Duration,
};

use async_trait::async_trait;
use futures::StreamExt;
use redis::{aio::ConnectionManager, AsyncCommands};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use super::{backoff, RedisLink, KEY_PREFIX};
use crate::server::{
    bus::{Bus, SignOut},
    db::{messages, now_ms},
    subscribers::{CloseReason, Frame, Subscribers},
};

/// How far before the moment an outage was noticed catching up starts: frames published just
/// before it may have been lost on the way.
const CATCH_UP_MARGIN_MS: i64 = 5_000;

/// What instances tell each other besides frames.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Control {
    SignOut(SignOut),
    /// Sockets may have missed messages stored since `since_ms`.
    CatchUp { since_ms: i64 },
}

pub struct RedisBus {
    shared: Arc<Shared>,
}

/// What the bus and its listener task share.
struct Shared {
    subscribers: Arc<Subscribers>,
    commands: ConnectionManager,
    db: DatabaseConnection,
    channel_prefix: String,
    control_channel: String,
    /// Whether our subscription is live and commands go through: a publish comes back to us.
    listening: AtomicBool,
    /// Since when (ms) frames may have gone to some instances and not others; 0: never.
    unshared_since: AtomicI64,
}

impl RedisBus {
    /// Starts the listener, which subscribes (and keeps resubscribing) for as long as the
    /// process runs.
    pub fn start(link: &RedisLink, subscribers: Arc<Subscribers>, db: DatabaseConnection) -> Self {
        let shared = Arc::new(Shared {
            subscribers,
            commands: link.commands.clone(),
            db,
            channel_prefix: format!("{KEY_PREFIX}topic:"),
            control_channel: format!("{KEY_PREFIX}control"),
            listening: AtomicBool::new(false),
            unshared_since: AtomicI64::new(0),
        });
        tokio::spawn(listen(link.client.clone(), shared.clone()));
        Self { shared }
    }
}

impl Shared {
    /// The Redis channel a topic's frames travel on.
    fn channel(&self, topic: &str) -> String {
        format!("{}{topic}", self.channel_prefix)
    }

    fn deliver_here(&self, frames: &[(String, Frame)]) {
        for (topic, frame) in frames {
            self.subscribers.deliver(topic, frame);
        }
    }

    /// Frames are about to go, or went, to this instance only.
    fn diverged(&self) {
        let since = now_ms() - CATCH_UP_MARGIN_MS;
        let _ = self.unshared_since.compare_exchange(0, since, Ordering::AcqRel, Ordering::Acquire);
    }

    async fn publish_control(&self, control: &Control) -> redis::RedisResult<()> {
        let payload = serde_json::to_string(control)
            .map_err(|err| redis::RedisError::from((redis::ErrorKind::Client, "encoding a control message", err.to_string())))?;
        self.commands.clone().publish(&self.control_channel, payload).await
    }

    /// After a divergence, once Redis works: every instance catches up from its start.
    async fn reconcile(&self) {
        let since = self.unshared_since.load(Ordering::Acquire);
        if since == 0 || !self.listening.load(Ordering::Acquire) {
            return;
        }
        match self.publish_control(&Control::CatchUp { since_ms: since }).await {
            Ok(()) => {
                let _ = self.unshared_since.compare_exchange(since, 0, Ordering::AcqRel, Ordering::Acquire);
                tracing::info!(since_ms = since, "asked every instance to catch its sockets up after the Redis outage");
            }
            Err(err) => tracing::warn!(error = %err, "could not ask the instances to catch up yet; will retry"),
        }
    }

    fn handle_control(self: &Arc<Self>, payload: &[u8]) {
        match serde_json::from_slice::<Control>(payload) {
            Ok(Control::SignOut(sign_out)) => {
                sign_out.apply(&self.subscribers);
            }
            Ok(Control::CatchUp { since_ms }) => {
                let shared = self.clone();
                tokio::spawn(async move {
                    // Without the database, replaying from the start is still correct: the
                    // server caps a replay and tells the tab to reload instead.
                    let after = match messages::last_id_before(&shared.db, since_ms).await {
                        Ok(after) => after,
                        Err(err) => {
                            tracing::warn!(error = %err, "finding where to catch up from failed; rejoining from the start");
                            0
                        }
                    };
                    let asked = shared.subscribers.close_all(CloseReason::CatchUp { after });
                    tracing::info!(sockets = asked, after, "sockets reconnect and replay what they may have missed");
                });
            }
            Err(err) => tracing::warn!(error = %err, "ignored a malformed control message from Redis"),
        }
    }
}

async fn listen(client: redis::Client, shared: Arc<Shared>) {
    let mut failures = 0u32;
    loop {
        match subscribe(&client, &shared).await {
            Ok(pubsub) => {
                shared.listening.store(true, Ordering::Release);
                if failures > 0 {
                    tracing::info!("Redis is reachable again: rooms are shared with the other instances again");
                } else {
                    tracing::info!("subscribed to Redis: rooms are shared with other instances");
                }
                failures = 0;
                shared.reconcile().await;
                let mut messages = pubsub.into_on_message();
                // Retries a catch-up request that could not be published at once.
                let mut retry = tokio::time::interval(Duration::from_secs(1));
                loop {
                    tokio::select! {
                        message = messages.next() => {
                            let Some(message) = message else { break };
                            let channel = message.get_channel_name();
                            if channel == shared.control_channel {
                                shared.handle_control(message.get_payload_bytes());
                            } else if let Some(topic) = channel.strip_prefix(&shared.channel_prefix) {
                                match std::str::from_utf8(message.get_payload_bytes()) {
                                    Ok(text) => {
                                        shared.subscribers.deliver(topic, &Frame::from(text));
                                    }
                                    Err(_) => tracing::warn!(topic, "ignored a frame from Redis that is not UTF-8"),
                                }
                            }
                        }
                        _ = retry.tick() => shared.reconcile().await,
                    }
                }
                shared.listening.store(false, Ordering::Release);
                shared.diverged();
                tracing::error!("lost the Redis subscription: this instance delivers to its own sockets only until it is back; retrying");
            }
            Err(err) => {
                shared.diverged();
                if failures == 0 {
                    tracing::error!(error = %err, "cannot use Redis: this instance delivers to its own sockets only until it can; retrying");
                } else {
                    tracing::debug!(error = %err, failures, "Redis still unreachable");
                }
            }
        }
        failures = failures.saturating_add(1);
        tokio::time::sleep(backoff(failures)).await;
    }
}

/// Subscribes to every topic and the control channel, and checks that commands go through too
/// (the command connection reconnects on its own, failing one command first).
async fn subscribe(client: &redis::Client, shared: &Shared) -> redis::RedisResult<redis::aio::PubSub> {
    let connect = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.psubscribe(format!("{}*", shared.channel_prefix)).await?;
        pubsub.subscribe(&shared.control_channel).await?;
        let mut commands = shared.commands.clone();
        if redis::cmd("PING").query_async::<()>(&mut commands).await.is_err() {
            redis::cmd("PING").query_async::<()>(&mut commands).await?;
        }
        Ok(pubsub)
    };
    match tokio::time::timeout(Duration::from_secs(3), connect).await {
        Ok(result) => result,
        Err(_) => Err(redis::RedisError::from((redis::ErrorKind::Io, "timed out subscribing"))),
    }
}

#[async_trait]
impl Bus for RedisBus {
    async fn publish(&self, topic: &str, frame: Frame) {
        self.publish_batch(vec![(topic.to_owned(), frame)]).await;
    }

    async fn publish_batch(&self, frames: Vec<(String, Frame)>) {
        let shared = &self.shared;
        if frames.is_empty() {
            return;
        }
        if !shared.listening.load(Ordering::Acquire) {
            shared.diverged();
            shared.deliver_here(&frames);
            return;
        }
        // One pipeline: one round trip, and Redis keeps the order of the batch.
        let mut pipe = redis::pipe();
        for (topic, frame) in &frames {
            pipe.publish(shared.channel(topic), &**frame).ignore();
        }
        if let Err(err) = pipe.query_async::<()>(&mut shared.commands.clone()).await {
            // Our own sockets get them now; everyone catches up once Redis takes commands again.
            // Frames that did reach Redis before the error may arrive twice here: tabs drop a
            // message id they already have.
            tracing::warn!(error = %err, frames = frames.len(), "publishing to Redis failed; delivered to this instance only");
            shared.diverged();
            shared.deliver_here(&frames);
        }
    }

    async fn publish_transient(&self, topic: &str, frame: Frame) {
        let shared = &self.shared;
        if shared.listening.load(Ordering::Acquire) {
            let published: redis::RedisResult<()> =
                shared.commands.clone().publish(shared.channel(topic), &*frame).await;
            if published.is_ok() {
                return;
            }
        }
        // Stale in a moment anyway: this instance's sockets get it, nobody catches up for it.
        shared.subscribers.deliver(topic, &frame);
    }

    async fn sign_out(&self, sign_out: SignOut) {
        let shared = &self.shared;
        if shared.listening.load(Ordering::Acquire) {
            match shared.publish_control(&Control::SignOut(sign_out.clone())).await {
                Ok(()) => return,
                // Other instances' sockets of this session are refused when they next reconnect:
                // the session is gone from the database.
                Err(err) => tracing::warn!(error = %err, "publishing a sign-out to Redis failed; ended this instance's sockets only"),
            }
        }
        sign_out.apply(&shared.subscribers);
    }

    fn spans_instances(&self) -> bool {
        true
    }
}
