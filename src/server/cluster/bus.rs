//! The bus over Redis pub/sub: every frame goes through Redis to every instance, this one
//! included, so all instances deliver a room's frames in the one order Redis saw them.
//!
//! While the subscription is down, frames go straight to this instance's own sockets (its users
//! keep talking; every message is still stored). When it is back, this instance's sockets are
//! asked to reconnect, and each replays from the database what it missed meanwhile.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use async_trait::async_trait;
use futures::StreamExt;
use redis::{aio::ConnectionManager, AsyncCommands};

use super::{backoff, RedisLink, KEY_PREFIX};
use crate::server::{
    bus::{Bus, SignOut},
    hub::Hub,
    subscribers::{Frame, Subscribers},
};

pub struct RedisBus {
    subscribers: Arc<Subscribers>,
    commands: ConnectionManager,
    channel_prefix: String,
    /// Where sign-outs go: they end sockets on every instance.
    control_channel: String,
    /// Whether our subscription is live, i.e. whether a publish comes back to us through Redis.
    listening: Arc<AtomicBool>,
}

impl RedisBus {
    pub fn new(link: &RedisLink, subscribers: Arc<Subscribers>) -> Self {
        Self {
            subscribers,
            commands: link.commands.clone(),
            channel_prefix: format!("{KEY_PREFIX}topic:"),
            control_channel: format!("{KEY_PREFIX}sign-out"),
            listening: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Subscribes (and keeps resubscribing) for as long as the process runs. Takes the hub to
    /// ask its sockets to catch up after an outage.
    pub fn spawn_listener(&self, link: &RedisLink, hub: &Hub) {
        let client = link.client.clone();
        let subscribers = self.subscribers.clone();
        let listening = self.listening.clone();
        let prefix = self.channel_prefix.clone();
        let control = self.control_channel.clone();
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut failures = 0u32;
            let mut missed_some = false;
            loop {
                match subscribe(&client, &prefix, &control).await {
                    Ok(pubsub) => {
                        listening.store(true, Ordering::Release);
                        if missed_some {
                            let asked = hub.ask_all_to_catch_up();
                            tracing::info!(sockets = asked, "Redis is back: delivering through it again; this instance's sockets reconnect and catch up");
                        } else {
                            tracing::info!("subscribed to Redis: rooms are shared with other instances");
                        }
                        failures = 0;
                        let mut messages = pubsub.into_on_message();
                        while let Some(message) = messages.next().await {
                            if message.get_channel_name() == control {
                                match serde_json::from_slice::<SignOut>(message.get_payload_bytes()) {
                                    Ok(sign_out) => {
                                        sign_out.apply(&subscribers);
                                    }
                                    Err(err) => tracing::warn!(error = %err, "ignored a malformed sign-out from Redis"),
                                }
                                continue;
                            }
                            let Some(topic) = message.get_channel_name().strip_prefix(&prefix) else {
                                continue;
                            };
                            match std::str::from_utf8(message.get_payload_bytes()) {
                                Ok(text) => {
                                    subscribers.deliver(topic, &Frame::from(text));
                                }
                                Err(_) => tracing::warn!(topic, "ignored a frame from Redis that is not UTF-8"),
                            }
                        }
                        listening.store(false, Ordering::Release);
                        tracing::error!("lost the Redis subscription: this instance delivers to its own sockets only until it is back; retrying");
                    }
                    Err(err) if failures == 0 => {
                        tracing::error!(error = %err, "cannot subscribe to Redis: this instance delivers to its own sockets only until it can; retrying");
                    }
                    Err(err) => tracing::debug!(error = %err, failures, "Redis still unreachable"),
                }
                missed_some = true;
                failures = failures.saturating_add(1);
                tokio::time::sleep(backoff(failures)).await;
            }
        });
    }

    fn deliver_here(&self, frames: &[(String, Frame)]) {
        for (topic, frame) in frames {
            self.subscribers.deliver(topic, frame);
        }
    }
}

async fn subscribe(client: &redis::Client, prefix: &str, control: &str) -> redis::RedisResult<redis::aio::PubSub> {
    let connect = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.psubscribe(format!("{prefix}*")).await?;
        pubsub.subscribe(control).await?;
        Ok(pubsub)
    };
    match tokio::time::timeout(std::time::Duration::from_secs(2), connect).await {
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
        if frames.is_empty() {
            return;
        }
        if !self.listening.load(Ordering::Acquire) {
            self.deliver_here(&frames);
            return;
        }
        // One pipeline: one round trip, and Redis keeps the order of the batch.
        let mut pipe = redis::pipe();
        for (topic, frame) in &frames {
            pipe.publish(format!("{}{topic}", self.channel_prefix), &**frame).ignore();
        }
        if let Err(err) = pipe.query_async::<()>(&mut self.commands.clone()).await {
            // Our own sockets still get them; the other instances' sockets replay them from
            // the database once Redis is back. A message that did reach Redis before the error
            // may arrive twice here: clients drop a message id they already have.
            tracing::warn!(error = %err, frames = frames.len(), "publishing to Redis failed; delivered to this instance only");
            self.deliver_here(&frames);
        }
    }

    async fn sign_out(&self, sign_out: SignOut) {
        if self.listening.load(Ordering::Acquire) {
            let published: redis::RedisResult<()> = async {
                let payload = serde_json::to_string(&sign_out).map_err(|err| {
                    redis::RedisError::from((redis::ErrorKind::Client, "encoding a sign-out", err.to_string()))
                })?;
                self.commands.clone().publish(&self.control_channel, payload).await
            }
            .await;
            match published {
                Ok(()) => return,
                // Other instances' sockets of this session are refused when they next reconnect:
                // the session is gone from the database.
                Err(err) => tracing::warn!(error = %err, "publishing a sign-out to Redis failed; ended this instance's sockets only"),
            }
        }
        sign_out.apply(&self.subscribers);
    }

    fn spans_instances(&self) -> bool {
        true
    }
}
