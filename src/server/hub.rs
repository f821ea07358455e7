//! The room hub: connections join and leave topics (a room's name, or the room list), frames are
//! serialised once and published through the bus, and presence changes are announced.
//! Pages and socket handlers talk to this handle only; the bus and presence behind it can be
//! swapped for multi-instance implementations without touching them.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use super::{
    bus::{Bus, Eviction, LocalBus, SignOut},
    cluster::numbering::NumberedFrame,
    presence::{Change, LocalPresence, Presence},
    subscribers::{ConnId, Frame, Inbox, Outbox, Subscribers},
};
use crate::shared::{
    protocol::{Gone, ServerFrame},
    timings::PRESENCE_GRACE,
    views::MessageView,
};

/// The topic room-list watchers subscribe to. Room names cannot contain `#`, so it never
/// collides with a room.
pub const ROOM_LIST_TOPIC: &str = "#rooms";

pub use super::subscribers::user_topic;

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    subscribers: Arc<Subscribers>,
    bus: Arc<dyn Bus>,
    presence: Arc<dyn Presence>,
    next_conn: AtomicU64,
    queue_capacity: usize,
    /// One lock per room, held from a presence change until its announcement is published, so
    /// two arrivals at once cannot announce their lists in the wrong order.
    room_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Public rooms joined here: only their online counts are announced to the room lists. A
    /// room this instance knows nothing of (presence kept in Redis for another instance's
    /// sockets, say) may be private, and announcing it would name it to everyone.
    listed: Mutex<HashSet<String>>,
}

/// One connected socket of one user, as the hub knows it.
pub struct Connection {
    pub outbox: Outbox,
    pub user_id: i64,
    pub username: String,
}

impl Hub {
    /// A hub for a single process: local delivery, local presence.
    pub fn local(queue_capacity: usize) -> Self {
        let subscribers = Arc::new(Subscribers::default());
        let bus = Arc::new(LocalBus::new(subscribers.clone()));
        Self::with_parts(subscribers, bus, Arc::new(LocalPresence::default()), queue_capacity)
    }

    pub fn with_parts(
        subscribers: Arc<Subscribers>,
        bus: Arc<dyn Bus>,
        presence: Arc<dyn Presence>,
        queue_capacity: usize,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                subscribers,
                bus,
                presence,
                next_conn: AtomicU64::new(1),
                queue_capacity,
                room_locks: Mutex::default(),
                listed: Mutex::default(),
            }),
        }
    }

    /// Registers a new socket; the inbox is what its write loop drains.
    pub fn connect(&self, user_id: i64, username: &str, session: Option<String>) -> (Connection, Inbox) {
        let id = ConnId(self.inner.next_conn.fetch_add(1, Ordering::Relaxed));
        let (outbox, inbox) = Outbox::new(id, session.map(Arc::from), self.inner.queue_capacity);
        self.inner.subscribers.add_user_connection(user_id, &outbox);
        (Connection { outbox, user_id, username: username.to_owned() }, inbox)
    }

    /// Forgets a socket: leaves its rooms (announcing departures) and its subscriptions.
    pub async fn disconnect(
        &self,
        conn: &Connection,
        rooms: impl IntoIterator<Item = String>,
        followed: impl IntoIterator<Item = String>,
    ) {
        for room in rooms {
            self.leave(conn, &room, false).await;
        }
        for room in followed {
            self.unfollow(conn, &room);
        }
        self.unwatch_rooms(conn);
        self.inner.subscribers.remove_user_connection(conn.user_id, conn.outbox.id);
    }

    /// Subscribes a connection to a room and counts its user as online there. The newcomer gets
    /// the whole list; everyone else only hears who arrived, so a room filling up costs one
    /// small frame per member per arrival, not the whole list each time. `listed`: a public
    /// room, whose online count the room lists hear.
    pub async fn join(&self, conn: &Connection, room: &str, listed: bool) {
        let lock = self.room_lock(room);
        let _announcing = lock.lock().await;
        self.list_room(room, listed);
        // Subscribed first, so no message falls between the list and the live feed; presence
        // changes wait for the room lock, so none can slip in before the list either.
        self.inner.subscribers.subscribe(room, &conn.outbox);
        let change = self.inner.presence.enter(room, conn.user_id, &conn.username).await;
        if change == Change::Arrived {
            let frame = ServerFrame::Arrived { room: room.to_owned(), user: conn.username.clone() };
            self.publish(room, &frame).await;
            self.announce_count(room).await;
        }
        let users = self.inner.presence.online(room).await;
        conn.outbox.send(encode(&ServerFrame::Presence { room: room.to_owned(), users })).await;
    }

    /// Stops the connection receiving a room, and counts its user out of it after
    /// [`PRESENCE_GRACE`]: a join in between finds them still counted in, so neither their
    /// leaving nor their coming back is announced. `still_following`: the connection keeps
    /// receiving the room's frames (its room list follows the room too).
    pub async fn leave(&self, conn: &Connection, room: &str, still_following: bool) {
        if !still_following {
            let lock = self.room_lock(room);
            let _announcing = lock.lock().await;
            self.inner.subscribers.unsubscribe(room, conn.outbox.id);
        }
        let hub = self.clone();
        let (room, user_id, username) = (room.to_owned(), conn.user_id, conn.username.clone());
        tokio::spawn(async move {
            tokio::time::sleep(PRESENCE_GRACE).await;
            hub.exit(&room, user_id, username).await;
        });
    }

    async fn exit(&self, room: &str, user_id: i64, username: String) {
        let lock = self.room_lock(room);
        let _announcing = lock.lock().await;
        if self.inner.presence.exit(room, user_id).await == Change::Departed {
            let frame = ServerFrame::Departed { room: room.to_owned(), user: username };
            self.publish(room, &frame).await;
            self.announce_count(room).await;
        }
    }

    /// Subscribes a connection to a room's frames without counting it as present there.
    pub fn follow(&self, conn: &Connection, room: &str) {
        self.inner.subscribers.subscribe(room, &conn.outbox);
    }

    /// Ends a [`Hub::follow`]; the caller keeps the subscription if the connection joined the room.
    pub fn unfollow(&self, conn: &Connection, room: &str) {
        self.inner.subscribers.unsubscribe(room, conn.outbox.id);
    }

    /// Subscribes a connection to live online counts of every room, starting with the current
    /// ones of the rooms `listed` keeps (the public ones: the caller asks the database).
    pub async fn watch_rooms<F, Fut>(&self, conn: &Connection, listed: F)
    where
        F: FnOnce(Vec<String>) -> Fut,
        Fut: std::future::Future<Output = Vec<String>>,
    {
        self.inner.subscribers.subscribe(ROOM_LIST_TOPIC, &conn.outbox);
        let counts = self.inner.presence.counts().await;
        let public: HashSet<String> = listed(counts.keys().cloned().collect()).await.into_iter().collect();
        for (room, online) in counts {
            if public.contains(&room) {
                conn.outbox.send(encode(&ServerFrame::RoomActivity { room, online })).await;
            }
        }
    }

    pub fn unwatch_rooms(&self, conn: &Connection) {
        self.inner.subscribers.unsubscribe(ROOM_LIST_TOPIC, conn.outbox.id);
    }

    /// Serialises a frame once and sends it to every subscriber of `topic`.
    pub async fn publish(&self, topic: &str, frame: &ServerFrame) {
        self.inner.bus.publish(topic, encode(frame)).await;
    }

    /// Publishes a frame that is only news now (typing): lost if the bus fails, never a reason
    /// for anyone to catch up.
    pub async fn publish_transient(&self, topic: &str, frame: &ServerFrame) {
        self.inner.bus.publish_transient(topic, encode(frame)).await;
    }

    /// Publishes frames in the order given, in one go where the bus allows.
    pub async fn publish_batch(&self, frames: impl IntoIterator<Item = (String, ServerFrame)>) {
        let frames = frames.into_iter().map(|(topic, frame)| (topic, encode(&frame))).collect();
        self.inner.bus.publish_batch(frames).await;
    }

    /// Publishes stored messages with their numbers in their rooms: `(room id, seq, message)`.
    pub async fn publish_numbered(&self, messages: Vec<(i64, i64, MessageView)>) {
        let messages = messages
            .into_iter()
            .map(|(room_id, seq, message)| NumberedFrame {
                topic: message.room.clone(),
                room_id,
                seq,
                id: message.id,
                frame: encode(&ServerFrame::Message { message }),
            })
            .collect();
        self.inner.bus.publish_numbered(messages).await;
    }

    /// Whether other instances share this hub's rooms (see [`Bus::spans_instances`]).
    pub fn spans_instances(&self) -> bool {
        self.inner.bus.spans_instances()
    }

    /// Runs presence upkeep every `every` for as long as the hub exists, announcing the full
    /// online list of each room it changed (someone's instance stopped renewing its entries).
    pub fn spawn_presence_upkeep(&self, every: std::time::Duration) {
        let inner = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(inner) = inner.upgrade() else { return };
                let hub = Hub { inner };
                for room in hub.inner.presence.upkeep().await {
                    // Announced on the side: a room lock held up by a slow join must not delay
                    // the renewal of this instance's entries, which would then expire.
                    let hub = hub.clone();
                    tokio::spawn(async move {
                        let lock = hub.room_lock(&room);
                        let _announcing = lock.lock().await;
                        let users = hub.inner.presence.online(&room).await;
                        hub.publish(&room, &ServerFrame::Presence { room: room.clone(), users }).await;
                        hub.announce_count(&room).await;
                    });
                }
            }
        });
    }

    pub async fn online(&self, room: &str) -> Vec<String> {
        self.inner.presence.online(room).await
    }

    pub async fn online_counts(&self) -> std::collections::HashMap<String, u32> {
        self.inner.presence.counts().await
    }

    /// Tells a deleted room's readers and (a `listed` room's) the room lists, then forgets its
    /// presence. A private room's name is never told to the room lists.
    pub async fn close_room(&self, room: &str, listed: bool) {
        let frame = ServerFrame::RoomGone { room: room.to_owned(), why: Gone::Deleted };
        self.publish(room, &frame).await;
        if listed {
            self.publish(ROOM_LIST_TOPIC, &frame).await;
        }
        self.inner.presence.forget_room(room).await;
        self.list_room(room, false);
        self.inner.room_locks.lock().unwrap_or_else(|poison| poison.into_inner()).remove(room);
    }

    fn room_lock(&self, room: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.inner.room_locks.lock().unwrap_or_else(|poison| poison.into_inner());
        locks.entry(room.to_owned()).or_default().clone()
    }

    /// Takes a user out of a room (they left, or were removed), on every instance: their sockets
    /// leave its page and reconnect without it (see [`Eviction`]).
    pub async fn evict(&self, user_id: i64, room: &str, why: Gone) {
        self.inner
            .bus
            .evict(Eviction { user_id: Some(user_id), room: room.to_owned(), why: Some(why) })
            .await;
    }

    /// A user's role in a room changed: their sockets reconnect, and rejoin with it.
    pub async fn restand(&self, user_id: i64, room: &str) {
        self.inner.bus.evict(Eviction { user_id: Some(user_id), room: room.to_owned(), why: None }).await;
    }

    /// A room's visibility changed: every socket receiving it, on every instance, reconnects,
    /// and rejoins or follows it again only if it still may.
    pub async fn restand_all(&self, room: &str) {
        self.inner.bus.evict(Eviction { user_id: None, room: room.to_owned(), why: None }).await;
    }

    /// Ends every socket of a user, on every instance, telling each why.
    pub async fn sign_out_user(&self, user_id: i64, reason: &str) {
        let sign_out = SignOut { user_id, session: None, reason: reason.to_owned() };
        self.inner.bus.sign_out(sign_out).await;
    }

    /// Ends the sockets opened with one session (its user logged out in that browser, or changed
    /// their password in another), on every instance; `reason` is shown to the user.
    pub async fn end_session(&self, user_id: i64, session: &str, reason: &str) {
        let sign_out = SignOut { user_id, session: Some(session.to_owned()), reason: reason.to_owned() };
        self.inner.bus.sign_out(sign_out).await;
    }

    /// Whether a room's online count is told to the room lists (it is public), as this instance
    /// knows it: a room made private stops being announced here at once, and on other instances
    /// from its next join there.
    pub fn list_room(&self, room: &str, listed: bool) {
        let mut known = self.inner.listed.lock().unwrap_or_else(|poison| poison.into_inner());
        if !listed {
            known.remove(room);
        } else if !known.contains(room) {
            known.insert(room.to_owned());
        }
    }

    /// Tells room-list watchers a (public) room's new online count.
    async fn announce_count(&self, room: &str) {
        if !self.inner.listed.lock().unwrap_or_else(|poison| poison.into_inner()).contains(room) {
            return;
        }
        let online = self.inner.presence.count(room).await;
        self.publish(ROOM_LIST_TOPIC, &ServerFrame::RoomActivity { room: room.to_owned(), online }).await;
    }
}

pub fn encode(frame: &ServerFrame) -> Frame {
    Frame::from(frame.to_json())
}
