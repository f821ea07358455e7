//! The bus over Redis pub/sub: every frame goes through Redis to every instance.
//!
//! Stored messages are numbered in their room; this instance's own go straight to its sockets
//! and are published for the others, and every instance puts what it receives back in number
//! order before delivering ([`RoomOrder`]). So an instance never waits for another to store or
//! publish, and every reader still sees each room in id order. Other frames (presence, typing)
//! go through Redis to every instance, this one included.
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
use serde::{Deserialize, Serialize};

use super::{
    backoff,
    numbering::{numbered_so_far, NumberedFrame},
    order::{Gap, NumberedSoFar, RoomOrder},
    postgres::Postgres,
    RedisLink, KEY_PREFIX,
};
use crate::{
    server::{
        bus::{Bus, Eviction, SignOut},
        db::{changes, messages, now_ms},
        hub::encode,
        subscribers::{CloseReason, Frame, Subscribers},
    },
    shared::protocol::ServerFrame,
};

/// How far before the moment an outage was noticed catching up starts: frames published just
/// before it may have been lost on the way.
const CATCH_UP_MARGIN_MS: i64 = 5_000;

/// How long a room's message waits for an earlier one before the reader fetches the gap from
/// the database. Only a lost publish or a dead instance makes a gap last; a slow one is merely
/// fetched a little early.
const GAP_PATIENCE: Duration = Duration::from_secs(1);
const GAP_CHECK_EVERY: Duration = Duration::from_millis(250);

/// How often the database is asked how far each room's numbers have gone, for a message missing
/// at the end of a room (nothing after it shows the gap). A room is filled when it is behind at
/// two looks in a row without moving.
const BEHIND_CHECK_EVERY: Duration = Duration::from_secs(1);

/// At most this many messages fill one gap; a longer one (a long Redis outage) is caught up by
/// every socket replaying from the database instead.
const GAP_FILL_LIMIT: u64 = 1_000;

/// What instances tell each other besides frames.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Control {
    SignOut(SignOut),
    Evict(Eviction),
    /// Sockets may have missed messages stored since `since_ms`.
    CatchUp {
        since_ms: i64,
    },
}

pub struct RedisBus {
    shared: Arc<Shared>,
}

/// What the bus and its listener task share.
struct Shared {
    subscribers: Arc<Subscribers>,
    commands: ConnectionManager,
    pg: Postgres,
    /// Names this instance's numbered messages on the bus, so it skips its own echo.
    instance: String,
    order: RoomOrder,
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
    pub fn start(link: &RedisLink, subscribers: Arc<Subscribers>, pg: Postgres) -> Self {
        let shared = Arc::new(Shared {
            subscribers,
            commands: link.commands.clone(),
            pg,
            instance: link.instance.clone(),
            order: RoomOrder::default(),
            channel_prefix: format!("{KEY_PREFIX}topic:"),
            control_channel: format!("{KEY_PREFIX}control"),
            listening: AtomicBool::new(false),
            unshared_since: AtomicI64::new(0),
        });
        tokio::spawn(listen(link.client.clone(), shared.clone()));
        tokio::spawn(fill_gaps(shared.clone()));
        Self { shared }
    }
}

/// A numbered message travels as `#<instance> <room id> <seq> <id>` and a newline before its
/// frame; frames are JSON objects, so nothing else starts with `#`.
fn numbered_payload(instance: &str, message: &NumberedFrame) -> String {
    format!("#{instance} {} {} {}\n{}", message.room_id, message.seq, message.id, &*message.frame)
}

/// The instance that published a numbered message, and the message; `None` for any other payload.
fn parse_numbered<'a>(topic: &str, payload: &'a str) -> Option<(&'a str, NumberedFrame)> {
    let (header, frame) = payload.strip_prefix('#')?.split_once('\n')?;
    let mut fields = header.split(' ');
    let instance = fields.next()?;
    let mut number = || fields.next()?.parse::<i64>().ok();
    let (room_id, seq, id) = (number()?, number()?, number()?);
    Some((instance, NumberedFrame { topic: topic.to_owned(), room_id, seq, id, frame: Frame::from(frame) }))
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

    /// Delivers a numbered message to this instance's sockets once its turn in its room comes.
    fn deliver_in_order(&self, message: &NumberedFrame) {
        self.order.offer(message, |topic, frame| {
            self.subscribers.deliver(topic, frame);
        });
    }

    async fn where_rooms_stand(&self) -> Result<Vec<NumberedSoFar>, sea_orm::DbErr> {
        numbered_so_far(&self.pg).await
    }

    fn start_from(&self, rooms: Vec<NumberedSoFar>) {
        self.order.start_from(rooms, |topic, frame| {
            self.subscribers.deliver(topic, frame);
        });
    }

    /// Fetches from the database what a room's readers here have been missing for too long.
    async fn fill(&self, gap: &Gap) -> Result<(), sea_orm::DbErr> {
        let found =
            messages::between(self.pg.db(), gap.room_id, gap.after_id, gap.before_id, GAP_FILL_LIMIT).await?;
        if found.len() as u64 >= GAP_FILL_LIMIT {
            tracing::warn!(room = %gap.topic, "too many messages missing to fill in; every socket will replay from the database");
            self.diverged();
        } else if !found.is_empty() {
            tracing::info!(room = %gap.topic, messages = found.len(), "delivered messages that did not come through Redis from the database");
        }
        let frames: Vec<(i64, Frame)> = found
            .into_iter()
            .map(|message| (message.id, encode(&ServerFrame::Message { message })))
            .collect();
        self.order.fill(gap, &frames, |topic, frame| {
            self.subscribers.deliver(topic, frame);
        });
        Ok(())
    }

    /// Frames are about to go, or went, to this instance only.
    fn diverged(&self) {
        let since = now_ms() - CATCH_UP_MARGIN_MS;
        let _ = self.unshared_since.compare_exchange(0, since, Ordering::AcqRel, Ordering::Acquire);
    }

    async fn publish_control(&self, control: &Control) -> redis::RedisResult<()> {
        let payload = serde_json::to_string(control).map_err(|err| {
            redis::RedisError::from((redis::ErrorKind::Client, "encoding a control message", err.to_string()))
        })?;
        self.commands.clone().publish(&self.control_channel, payload).await
    }

    /// Publishes a control message to every instance, this one included (it hears its own
    /// publish). False when it could not: the caller then acts on this instance alone.
    async fn tell_every_instance(&self, control: Control, what: &str) -> bool {
        if !self.listening.load(Ordering::Acquire) {
            return false;
        }
        match self.publish_control(&control).await {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!(error = %err, "publishing {what} to Redis failed; acting on this instance only");
                false
            }
        }
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
                tracing::info!(
                    since_ms = since,
                    "asked every instance to catch its sockets up after the Redis outage"
                );
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not ask the instances to catch up yet; will retry")
            }
        }
    }

    fn handle_control(self: &Arc<Self>, payload: &[u8]) {
        match serde_json::from_slice::<Control>(payload) {
            Ok(Control::SignOut(sign_out)) => {
                sign_out.apply(&self.subscribers);
            }
            Ok(Control::Evict(eviction)) => {
                eviction.apply(&self.subscribers);
            }
            Ok(Control::CatchUp { since_ms }) => {
                let shared = self.clone();
                tokio::spawn(async move {
                    // Without the database, replaying from the start is still correct: the
                    // server caps a replay and tells the tab to reload instead.
                    let db = shared.pg.db();
                    let found = async {
                        Ok::<_, sea_orm::DbErr>((
                            messages::last_id_before(db, since_ms).await?,
                            changes::last_id_before(db, since_ms).await?,
                        ))
                    };
                    let (after, changes) = match found.await {
                        Ok(found) => found,
                        Err(err) => {
                            tracing::warn!(error = %err, "finding where to catch up from failed; rejoining from the start");
                            (0, 0)
                        }
                    };
                    let asked = shared.subscribers.close_all(CloseReason::CatchUp { after, changes });
                    tracing::info!(
                        sockets = asked,
                        after,
                        "sockets reconnect and replay what they may have missed"
                    );
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
                    tracing::info!(
                        "Redis is reachable again: rooms are shared with the other instances again"
                    );
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
                                    Ok(text) => match parse_numbered(topic, text) {
                                        // Delivered here already, when it was stored.
                                        Some((instance, _)) if instance == shared.instance => {}
                                        Some((_, numbered)) => shared.deliver_in_order(&numbered),
                                        None => {
                                            shared.subscribers.deliver(topic, &Frame::from(text));
                                        }
                                    },
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

/// Starts the rooms' order from the database (Redis or not), then fills the gaps that last, and
/// every second asks the database whether a room is behind, for as long as the process runs.
async fn fill_gaps(shared: Arc<Shared>) {
    let mut ticks = tokio::time::interval(GAP_CHECK_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match shared.where_rooms_stand().await {
            Ok(rooms) => {
                shared.start_from(rooms);
                break;
            }
            Err(err) => {
                tracing::warn!(error = %err, "reading where the rooms' messages stand failed; retrying")
            }
        }
    }
    let checks_between_looks = (BEHIND_CHECK_EVERY.as_millis() / GAP_CHECK_EVERY.as_millis()).max(1);
    let mut tick_count: u128 = 0;
    loop {
        ticks.tick().await;
        tick_count += 1;
        if tick_count.is_multiple_of(checks_between_looks) {
            match shared.where_rooms_stand().await {
                Ok(rooms) => {
                    for gap in shared.order.behind(&rooms) {
                        if let Err(err) = shared.fill(&gap).await {
                            tracing::warn!(error = %err, room = %gap.topic, "fetching missing messages failed");
                        }
                    }
                }
                Err(err) => tracing::warn!(error = %err, "reading where the rooms' messages stand failed"),
            }
        }
        // While Redis is down nothing is on its way: fill at once what this instance's own
        // messages show missing, so its users still see the others' messages, a moment late.
        let patience = if shared.listening.load(Ordering::Acquire) { GAP_PATIENCE } else { Duration::ZERO };
        for gap in shared.order.overdue(patience) {
            if let Err(err) = shared.fill(&gap).await {
                // The held messages keep waiting; the next tick tries again.
                tracing::warn!(error = %err, room = %gap.topic, "fetching missing messages failed");
            }
        }
    }
}

/// Subscribes to every topic and the control channel, and checks that commands go through too
/// (the command connection reconnects on its own, failing one command first).
async fn subscribe(client: &redis::Client, shared: &Shared) -> redis::RedisResult<redis::aio::PubSub> {
    let connect = async {
        // Read before listening: numbers handed out after this are all awaited in order, and any
        // published before the subscription is live are fetched from the database as gaps.
        let rooms = shared.where_rooms_stand().await.map_err(|err| {
            redis::RedisError::from((
                redis::ErrorKind::Io,
                "reading where the rooms' messages stand",
                err.to_string(),
            ))
        })?;
        shared.start_from(rooms);
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

    async fn publish_numbered(&self, messages: Vec<NumberedFrame>) {
        let shared = &self.shared;
        if messages.is_empty() {
            return;
        }
        if !shared.listening.load(Ordering::Acquire) {
            // Our sockets get them; the others fill the gap from the database when a message of
            // their own shows it, and catch up in full once Redis is back.
            shared.diverged();
            for message in &messages {
                shared.deliver_in_order(message);
            }
            return;
        }
        let mut pipe = redis::pipe();
        for message in &messages {
            pipe.publish(shared.channel(&message.topic), numbered_payload(&shared.instance, message))
                .ignore();
        }
        let mut commands = shared.commands.clone();
        let mut published = Box::pin(async move { pipe.query_async::<()>(&mut commands).await });
        // The first poll hands the publish to the connection, ahead of this instance's own
        // delivery: the other instances may be holding a message of theirs for one of these.
        // Its answer is awaited on the side; the writer goes on with its next batch.
        let first = futures::poll!(published.as_mut());
        for message in &messages {
            shared.deliver_in_order(message);
        }
        let count = messages.len();
        let answered = {
            let shared = self.shared.clone();
            move |result: redis::RedisResult<()>| {
                if let Err(err) = result {
                    tracing::warn!(error = %err, messages = count, "publishing to Redis failed; the other instances will catch up");
                    shared.diverged();
                }
            }
        };
        match first {
            std::task::Poll::Ready(result) => answered(result),
            std::task::Poll::Pending => {
                tokio::spawn(async move { answered(published.await) });
            }
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
        // Other instances' sockets of this session are refused when they next reconnect: the
        // session is gone from the database.
        if !self.shared.tell_every_instance(Control::SignOut(sign_out.clone()), "a sign-out").await {
            sign_out.apply(&self.shared.subscribers);
        }
    }

    async fn evict(&self, eviction: Eviction) {
        // The membership is gone from the database: their sockets elsewhere are refused the
        // room when they next reconnect, and post nothing more there meanwhile.
        if !self.shared.tell_every_instance(Control::Evict(eviction.clone()), "an eviction").await {
            eviction.apply(&self.shared.subscribers);
        }
    }

    fn spans_instances(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numbered_message_survives_the_trip_through_redis_and_other_frames_pass_as_they_are() {
        let message = NumberedFrame {
            topic: "lobby".into(),
            room_id: 3,
            seq: 41,
            id: 1207,
            frame: Frame::from(r##"{"type":"message","body":"a # and a\nnewline"}"##),
        };
        let payload = numbered_payload("123-abc", &message);
        let (instance, back) = parse_numbered("lobby", &payload).expect("parsed");
        assert_eq!(instance, "123-abc");
        assert_eq!((back.topic.as_str(), back.room_id, back.seq, back.id), ("lobby", 3, 41, 1207));
        assert_eq!(&*back.frame, &*message.frame);
        assert!(parse_numbered("lobby", r#"{"type":"typing"}"#).is_none());
    }
}
