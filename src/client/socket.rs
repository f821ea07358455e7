//! The ONE WebSocket of a page (the room, the room list: the island that needs it provides it).
//! Pages join rooms, watch the room list, send messages and listen for frames through this
//! handle; the module reconnects with backoff and jitter, rejoins what the page had joined asking
//! for what it missed, and queues messages typed while offline. Messages still unsent when the
//! page goes are handed to the tab's next page with a socket, for the same user.
//!
//! On the server every method is a no-op: the socket only ever exists in the browser.

#[cfg(feature = "hydrate")]
use std::{cell::RefCell, collections::BTreeMap, rc::Rc};

use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use send_wrapper::SendWrapper;

#[cfg(feature = "hydrate")]
use crate::shared::protocol::ClientFrame;
use crate::shared::protocol::ServerFrame;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    Connecting,
    Connected,
    Reconnecting,
    Offline,
}

impl ConnState {
    pub fn label(self) -> &'static str {
        match self {
            ConnState::Connecting => "Connecting…",
            ConnState::Connected => "Connected",
            ConnState::Reconnecting => "Reconnecting…",
            ConnState::Offline => "Offline",
        }
    }
}

/// A registered frame listener; pass it back to [`ChatSocket::off`] when the page goes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listener(u64);

#[derive(Clone, Copy)]
pub struct ChatSocket {
    state: RwSignal<ConnState>,
    #[cfg(feature = "hydrate")]
    inner: StoredValue<Option<SendWrapper<Rc<RefCell<Inner>>>>>,
}

#[cfg(feature = "hydrate")]
type Handler = Rc<dyn Fn(&ServerFrame)>;

/// What the tab wants from the server, kept so a reconnect can ask for it again.
#[cfg(feature = "hydrate")]
#[derive(Default)]
struct Inner {
    handlers: Vec<(u64, Handler)>,
    next_listener: u64,
    /// Joined rooms and the last message id seen in each.
    rooms: BTreeMap<String, Option<i64>>,
    watchers: usize,
    /// Rooms whose messages the tab follows without joining (for unread counts).
    followed: std::collections::BTreeSet<String>,
    /// Per joined room, the newest id the reader has seen and the newest sent as read.
    reads: BTreeMap<String, (i64, i64)>,
    /// Set for a second after a read marker goes out, so a busy room sends one a second, not one
    /// per message.
    read_cooldown: bool,
    /// The live connection's writer, if connected.
    outgoing: Option<futures::channel::mpsc::UnboundedSender<String>>,
    /// Messages not yet acknowledged, in the order they were sent, by nonce. Sent again on every
    /// reconnect: the server stores a nonce once, so a message whose ack was lost with the old
    /// connection is neither lost nor doubled.
    unacked: Vec<(String, String)>,
    /// Who the page was drawn for: whose messages `unacked` holds.
    user: String,
    running: bool,
    unload_hooked: bool,
    /// Set once the page is going away, so the server ending the socket does not bounce it to
    /// /login, nor does the socket reconnect.
    leaving: bool,
    /// When a navigation away began (it can still be called off): the server ending the socket
    /// meanwhile (logging out does) must not start another navigation over it.
    navigating_since: Option<f64>,
}

pub fn use_socket() -> ChatSocket {
    expect_context::<ChatSocket>()
}

impl ChatSocket {
    /// The socket of a page drawn for `user`.
    pub fn provide(user: &str) -> Self {
        let socket = ChatSocket {
            state: RwSignal::new(ConnState::Connecting),
            #[cfg(feature = "hydrate")]
            inner: StoredValue::new(None),
        };
        let _ = user;
        #[cfg(feature = "hydrate")]
        {
            let inner = socket.inner();
            let mut inner = inner.borrow_mut();
            inner.user = user.to_owned();
            // Sent on connecting, before anything else is: see `Inner::unacked`.
            inner.unacked = unsent::take(user);
        }
        provide_context(socket);
        socket
    }

    pub fn state(&self) -> ReadSignal<ConnState> {
        self.state.read_only()
    }

    pub fn join(&self, room: &str, last_seen: Option<i64>) {
        let _ = (room, last_seen);
        #[cfg(feature = "hydrate")]
        {
            let after = {
                let inner = self.inner();
                let mut inner = inner.borrow_mut();
                let entry = inner.rooms.entry(room.to_owned()).or_insert(last_seen);
                *entry = (*entry).max(last_seen);
                *entry
            };
            self.transmit(&ClientFrame::Join { room: room.to_owned(), after }, Intent::Subscribe);
        }
    }

    pub fn leave(&self, room: &str) {
        let _ = room;
        #[cfg(feature = "hydrate")]
        {
            // What was read in the last second has not gone out yet: it goes now, before the
            // room is left (the server only takes markers for joined rooms).
            let unsent = match self.inner().borrow_mut().reads.remove(room) {
                Some((seen, sent)) if seen > sent => Some(seen),
                _ => None,
            };
            if let Some(id) = unsent {
                self.transmit(&ClientFrame::Read { room: room.to_owned(), id }, Intent::Transient);
            }
            self.inner().borrow_mut().rooms.remove(room);
            self.transmit(&ClientFrame::Leave { room: room.to_owned() }, Intent::Unsubscribe);
        }
    }

    pub fn watch_rooms(&self) {
        #[cfg(feature = "hydrate")]
        {
            self.inner().borrow_mut().watchers += 1;
            self.transmit(&ClientFrame::WatchRooms, Intent::Subscribe);
        }
    }

    pub fn unwatch_rooms(&self) {
        #[cfg(feature = "hydrate")]
        {
            let none_left = {
                let inner = self.inner();
                let mut inner = inner.borrow_mut();
                inner.watchers = inner.watchers.saturating_sub(1);
                inner.watchers == 0
            };
            if none_left {
                self.transmit(&ClientFrame::UnwatchRooms, Intent::Unsubscribe);
            }
        }
    }

    /// Receives these rooms' messages without joining them (to count unread messages), from
    /// now on and after every reconnect. Rooms already followed are not asked for again.
    pub fn follow(&self, rooms: Vec<String>) {
        let _ = &rooms;
        #[cfg(feature = "hydrate")]
        {
            let new: Vec<String> = {
                let inner = self.inner();
                let mut inner = inner.borrow_mut();
                rooms.into_iter().filter(|room| inner.followed.insert(room.clone())).collect()
            };
            if !new.is_empty() {
                self.transmit(&ClientFrame::Follow { rooms: new }, Intent::Subscribe);
            }
        }
    }

    /// The reader has seen a joined room up to message `id`. Sent at most once a second (the
    /// newest id wins), and again after a reconnect until the server has it.
    pub fn read(&self, room: &str, id: i64) {
        let _ = (room, id);
        #[cfg(feature = "hydrate")]
        {
            let cooling = {
                let inner = self.inner();
                let mut inner = inner.borrow_mut();
                if !inner.rooms.contains_key(room) {
                    return;
                }
                let entry = inner.reads.entry(room.to_owned()).or_insert((-1, -1));
                entry.0 = entry.0.max(id);
                inner.read_cooldown
            };
            if !cooling {
                self.flush_reads();
            }
        }
    }

    /// Says the user is typing in a room. Only sent on a live connection: it is stale by the time
    /// a new one opens.
    pub fn typing(&self, room: &str) {
        let _ = room;
        #[cfg(feature = "hydrate")]
        self.transmit(&ClientFrame::Typing { room: room.to_owned() }, Intent::Transient);
    }

    /// Sends a message; the returned nonce comes back in the `ack` (or `error`) for it.
    pub fn send_message(&self, room: &str, body: &str) -> String {
        let nonce = new_nonce();
        #[cfg(feature = "hydrate")]
        self.transmit(
            &ClientFrame::Send { room: room.to_owned(), nonce: nonce.clone(), body: body.to_owned() },
            Intent::Post,
        );
        let _ = (room, body);
        nonce
    }

    /// Sends a message that has had no answer again, with its original nonce (so it can only be
    /// stored once).
    pub fn retry(&self, nonce: &str) {
        let _ = nonce;
        #[cfg(feature = "hydrate")]
        {
            let text = self.inner().borrow().unacked.iter().find(|(n, _)| n == nonce).map(|(_, t)| t.clone());
            let sent = match (text, &self.inner().borrow().outgoing) {
                (Some(text), Some(tx)) => tx.unbounded_send(text).is_ok(),
                _ => false,
            };
            if !sent {
                self.start();
            }
        }
    }

    /// Calls `handler` with every frame that arrives until [`ChatSocket::off`].
    pub fn on_frame(&self, handler: impl Fn(&ServerFrame) + 'static) -> Listener {
        #[cfg(feature = "hydrate")]
        {
            let inner = self.inner();
            let mut inner = inner.borrow_mut();
            inner.next_listener += 1;
            let id = inner.next_listener;
            inner.handlers.push((id, Rc::new(handler)));
            Listener(id)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = handler;
            Listener(0)
        }
    }

    pub fn off(&self, listener: Listener) {
        let _ = listener;
        #[cfg(feature = "hydrate")]
        self.inner().borrow_mut().handlers.retain(|(id, _)| *id != listener.0);
    }
}

fn new_nonce() -> String {
    #[cfg(feature = "hydrate")]
    {
        let high = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        let low = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        format!("{:x}", (high << 32) | low)
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

#[cfg(feature = "hydrate")]
impl ChatSocket {
    fn inner(&self) -> Rc<RefCell<Inner>> {
        if let Some(inner) = self.inner.with_value(|value| value.as_ref().map(|inner| Rc::clone(inner))) {
            return inner;
        }
        let inner = Rc::new(RefCell::new(Inner::default()));
        self.inner.set_value(Some(SendWrapper::new(inner.clone())));
        inner
    }

    /// Sends now if connected. Otherwise a message waits in the queue, while joins and watches
    /// need nothing: the connection sends them from the recorded state when it opens. Only
    /// wanting something (a room, the room list, to post) opens a connection; giving something
    /// up never does, so a tab that just logged out stays quiet.
    fn transmit(&self, frame: &ClientFrame, intent: Intent) {
        let Ok(text) = serde_json::to_string(frame) else { return };
        let inner = self.inner();
        let sent = {
            let mut inner = inner.borrow_mut();
            if matches!(intent, Intent::Subscribe | Intent::Post) {
                inner.leaving = false;
            }
            if let ClientFrame::Send { nonce, .. } = frame {
                inner.unacked.push((nonce.clone(), text.clone()));
            }
            matches!(&inner.outgoing, Some(tx) if tx.unbounded_send(text).is_ok())
        };
        if !sent && matches!(intent, Intent::Subscribe | Intent::Post) {
            self.start();
        }
    }

    fn start(&self) {
        let inner = self.inner();
        if std::mem::replace(&mut inner.borrow_mut().running, true) {
            return;
        }
        let socket = *self;
        if !std::mem::replace(&mut inner.borrow_mut().unload_hooked, true) {
            let navigating = window_event_listener(leptos::ev::beforeunload, move |_| socket.navigating());
            // `pagehide`, not `beforeunload`: it comes only once the page is really going (a
            // navigation can still be called off after `beforeunload`), and mobile Safari sends it
            // reliably.
            let unloading = window_event_listener(leptos::ev::pagehide, move |_| socket.leaving());
            // A page the browser kept in its back-forward cache comes back with its socket closed
            // and its rooms given up on the way out: it loads afresh instead.
            let returning = window_event_listener(leptos::ev::pageshow, |event| {
                if event.persisted() {
                    let _ = window().location().reload();
                }
            });
            // They live as long as the page.
            std::mem::forget(navigating);
            std::mem::forget(unloading);
            std::mem::forget(returning);
        }
        leptos::task::spawn_local(async move { socket.run().await });
    }

    /// The page is going away (to another page, or logging out). What was read and not yet said
    /// goes out now: the room will not be left any other way. From here on the server ending the
    /// socket (the session ending first, say) is expected: it must not redirect and abort the
    /// navigation the user asked for.
    fn leaving(&self) {
        self.send_due_reads();
        let inner = self.inner();
        let mut inner = inner.borrow_mut();
        // Taken, not copied: should this page come back (from the back-forward cache) and go
        // again, it must not put back what a later page has sent or kept since.
        let unacked = std::mem::take(&mut inner.unacked);
        unsent::keep(&inner.user, unacked);
        inner.leaving = true;
        inner.rooms.clear();
        inner.watchers = 0;
        inner.followed.clear();
        inner.reads.clear();
    }

    /// A navigation away has started. Should it be called off, the page is back to normal after
    /// a while: a navigation that goes ahead has long unloaded the page by then.
    fn navigating(&self) {
        self.inner().borrow_mut().navigating_since = Some(js_sys::Date::now());
    }

    fn is_navigating(&self) -> bool {
        self.inner().borrow().navigating_since.is_some_and(|since| js_sys::Date::now() - since < 10_000.0)
    }

    /// The connection is up and says whose it is. The messages waiting go out only on a
    /// connection of the user the page was drawn for: with another user logged in meanwhile (in
    /// another tab, say) they are dropped, and the page is drawn again for whoever it is now.
    fn ready(&self, username: &str) {
        let someone_else = {
            let inner = self.inner();
            let mut inner = inner.borrow_mut();
            let someone_else = !inner.user.is_empty() && inner.user != username;
            if someone_else {
                inner.unacked.clear();
                inner.leaving = true;
            } else if let Some(tx) = &inner.outgoing {
                for (_, text) in &inner.unacked {
                    let _ = tx.unbounded_send(text.clone());
                }
            }
            someone_else
        };
        // Outside the borrow: leaving the page runs this module's unload handlers.
        if someone_else {
            let _ = window().location().reload();
        }
    }

    /// Sends each joined room's newest id read and not yet sent; whether there was any.
    fn send_due_reads(&self) -> bool {
        let due: Vec<(String, i64)> = self
            .inner()
            .borrow_mut()
            .reads
            .iter_mut()
            .filter(|(_, (seen, sent))| seen > sent)
            .map(|(room, (seen, sent))| {
                *sent = *seen;
                (room.clone(), *seen)
            })
            .collect();
        for (room, id) in &due {
            self.transmit(&ClientFrame::Read { room: room.clone(), id: *id }, Intent::Transient);
        }
        !due.is_empty()
    }

    fn flush_reads(&self) {
        if !self.send_due_reads() {
            return;
        }
        self.inner().borrow_mut().read_cooldown = true;
        let socket = *self;
        gloo_timers::callback::Timeout::new(1_000, move || {
            socket.inner().borrow_mut().read_cooldown = false;
            socket.flush_reads();
        })
        .forget();
    }

    fn dispatch(&self, frame: &ServerFrame) {
        let handlers: Vec<Handler> = {
            let inner = self.inner();
            let mut inner = inner.borrow_mut();
            match frame {
                ServerFrame::Message { message } => {
                    if let Some(last) = inner.rooms.get_mut(&message.room) {
                        *last = (*last).max(Some(message.id));
                    }
                }
                ServerFrame::Rewind { after } => {
                    // Messages after `after` may be missing here even if later ones arrived:
                    // the rejoin that follows the close replays from there (duplicates are
                    // dropped by id).
                    for last in inner.rooms.values_mut().flatten() {
                        *last = (*last).min(*after);
                    }
                }
                ServerFrame::Ack { nonce, .. } | ServerFrame::Error { nonce: Some(nonce), .. } => {
                    inner.unacked.retain(|(pending, _)| pending != nonce);
                }
                _ => {}
            }
            inner.handlers.iter().map(|(_, handler)| handler.clone()).collect()
        };
        // Called outside the borrow: a handler may join, leave or send.
        for handler in handlers {
            handler(frame);
        }
    }

    async fn run(self) {
        use futures::{future, SinkExt, StreamExt};
        use gloo_net::websocket::{futures::WebSocket, Message, WebSocketError};

        let mut failures: u32 = 0;
        loop {
            let Ok(ws) = WebSocket::open(&socket_url()) else {
                self.state.set(ConnState::Offline);
                self.inner().borrow_mut().running = false;
                return;
            };
            let (mut write, mut read) = ws.split();
            let (tx, mut rx) = futures::channel::mpsc::unbounded::<String>();
            {
                let inner = self.inner();
                let mut inner = inner.borrow_mut();
                for (room, after) in &inner.rooms {
                    let join = ClientFrame::Join { room: room.clone(), after: *after };
                    if let Ok(text) = serde_json::to_string(&join) {
                        let _ = tx.unbounded_send(text);
                    }
                }
                if inner.watchers > 0 {
                    if let Ok(text) = serde_json::to_string(&ClientFrame::WatchRooms) {
                        let _ = tx.unbounded_send(text);
                    }
                }
                if !inner.followed.is_empty() {
                    let follow = ClientFrame::Follow { rooms: inner.followed.iter().cloned().collect() };
                    if let Ok(text) = serde_json::to_string(&follow) {
                        let _ = tx.unbounded_send(text);
                    }
                }
                // A marker sent on the old connection may never have arrived; the server keeps
                // the furthest one, so sending it again is harmless.
                for (room, (seen, _)) in &inner.reads {
                    if *seen >= 0 && inner.rooms.contains_key(room) {
                        if let Ok(text) = serde_json::to_string(&ClientFrame::Read { room: room.clone(), id: *seen }) {
                            let _ = tx.unbounded_send(text);
                        }
                    }
                }
                // Messages wait for `ready`: it says whose connection this is.
                inner.outgoing = Some(tx);
            }

            let writer = async {
                while let Some(text) = rx.next().await {
                    if write.send(Message::Text(text)).await.is_err() {
                        break;
                    }
                }
                None
            };
            let reader = async {
                while let Some(message) = read.next().await {
                    match message {
                        Ok(Message::Text(text)) => {
                            let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) else {
                                continue;
                            };
                            if let ServerFrame::Ready { username } = &frame {
                                failures = 0;
                                self.state.set(ConnState::Connected);
                                self.ready(username);
                            }
                            self.dispatch(&frame);
                        }
                        Ok(Message::Bytes(_)) => {}
                        Err(WebSocketError::ConnectionClose(event)) => return Some(event.code),
                        Err(_) => return None,
                    }
                }
                None
            };
            let close_code = match future::select(Box::pin(writer), Box::pin(reader)).await {
                future::Either::Left((code, _)) | future::Either::Right((code, _)) => code,
            };

            let leaving = {
                let inner = self.inner();
                let mut inner = inner.borrow_mut();
                inner.outgoing = None;
                inner.leaving
            };
            let signed_out = close_code == Some(crate::shared::protocol::CLOSE_SIGNED_OUT);
            if signed_out {
                // Nothing of the user stays in the tab, what they had not sent included.
                self.inner().borrow_mut().unacked.clear();
            }
            if signed_out || leaving {
                // The session is over: reconnecting cannot succeed until the user logs in again.
                self.state.set(ConnState::Offline);
                self.inner().borrow_mut().running = false;
                if !leaving && !self.is_navigating() {
                    let here = window().location().pathname().unwrap_or_default();
                    let _ = window().location().set_href(&crate::shared::paths::login_then(&here));
                }
                return;
            }
            failures = failures.saturating_add(1);
            self.state.set(if failures > 3 { ConnState::Offline } else { ConnState::Reconnecting });
            gloo_timers::future::TimeoutFuture::new(backoff_ms(failures)).await;
            self.state.set(ConnState::Reconnecting);
        }
    }
}

/// Why a frame is sent, which decides what happens when there is no connection.
#[cfg(feature = "hydrate")]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Intent {
    /// Join or watch: recorded, replayed on connect; opens a connection if none.
    Subscribe,
    /// Leave or unwatch: only worth sending on a live connection.
    Unsubscribe,
    /// A message: kept until acknowledged, sent again in order on each connect.
    Post,
    /// News that is only true now (typing): sent on a live connection or not at all.
    Transient,
}

/// Exponential backoff from half a second to 30 s, with jitter so a restarted server is not hit
/// by every tab in the same instant.
#[cfg(feature = "hydrate")]
fn backoff_ms(failures: u32) -> u32 {
    let ceiling = (500u32.saturating_mul(1 << failures.min(6))).min(30_000);
    let jitter = 0.5 + js_sys::Math::random() * 0.5;
    (f64::from(ceiling) * jitter) as u32
}

#[cfg(feature = "hydrate")]
fn socket_url() -> String {
    let location = window().location();
    let scheme = if location.protocol().unwrap_or_default() == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{}/ws", location.host().unwrap_or_default())
}

/// Keeps messages in id order without duplicates, whatever order frames arrive in.
pub fn insert_in_order(messages: &mut Vec<crate::shared::views::MessageView>, message: crate::shared::views::MessageView) {
    match messages.binary_search_by_key(&message.id, |m| m.id) {
        Ok(_) => {}
        Err(at) => messages.insert(at, message),
    }
}

/// Messages typed on a page that went before they could be sent (offline, say, and then off to
/// another room) wait in the tab's session storage for its next socket. Only a socket of the
/// same user takes them: nothing one person typed is ever posted as another.
#[cfg(feature = "hydrate")]
mod unsent {
    use serde::{Deserialize, Serialize};

    const KEY: &str = "mini-discord:unsent";

    #[derive(Serialize, Deserialize)]
    struct Unsent {
        user: String,
        /// (nonce, the `send` frame as JSON), in the order they were typed.
        frames: Vec<(String, String)>,
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok()?
    }

    /// Called as the page goes, with what it could not send. Added to what already waits for the
    /// same user (by nonce, once each); what waits for another is replaced.
    pub fn keep(user: &str, frames: Vec<(String, String)>) {
        let Some(storage) = storage() else { return };
        if frames.is_empty() || user.is_empty() {
            return;
        }
        let mut waiting = take(user);
        for frame in frames {
            if !waiting.iter().any(|(nonce, _)| *nonce == frame.0) {
                waiting.push(frame);
            }
        }
        if let Ok(json) = serde_json::to_string(&Unsent { user: user.to_owned(), frames: waiting }) {
            let _ = storage.set_item(KEY, &json);
        }
    }

    /// What waits for `user`, removed from storage; what waits for anyone else is dropped.
    pub fn take(user: &str) -> Vec<(String, String)> {
        let Some(storage) = storage() else { return Vec::new() };
        let stored = storage.get_item(KEY).ok().flatten();
        let _ = storage.remove_item(KEY);
        stored
            .and_then(|json| serde_json::from_str::<Unsent>(&json).ok())
            .filter(|unsent| unsent.user == user)
            .map(|unsent| unsent.frames)
            .unwrap_or_default()
    }
}
