//! The ONE WebSocket of a page (the room, the room list: the island that needs it provides it).
//! Pages join rooms, watch the room list, send messages and listen for frames through this
//! handle; the socket reconnects with backoff and jitter, rejoins what the page had joined asking
//! for what it missed, and queues messages typed while offline. Messages still unsent when the
//! page goes are handed to the tab's next page with a socket, for the same user.
//!
//! - `wants`: what the tab wants from the server (plain Rust, unit-tested natively);
//! - `connection`: one connection after another, and what arrives on it;
//! - `lifecycle`: the page coming, going and coming back;
//! - `unsent`: messages handed from one page of the tab to the next;
//! - `backoff`: how long to wait before trying again.
//!
//! On the server every method is a no-op: the socket only ever exists in the browser.

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod backoff;
#[cfg(feature = "hydrate")]
mod connection;
#[cfg(feature = "hydrate")]
mod lifecycle;
#[cfg(feature = "hydrate")]
mod unsent;
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod wants;

#[cfg(feature = "hydrate")]
use std::{cell::RefCell, rc::Rc};

use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use send_wrapper::SendWrapper;

#[cfg(feature = "hydrate")]
use self::wants::Wants;
#[cfg(feature = "hydrate")]
use crate::shared::protocol::ClientFrame;
use crate::shared::protocol::ServerFrame;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    Connecting,
    Connected,
    Reconnecting,
    Offline,
    /// The account has as many sockets open as it may; this tab retries now and then.
    TooManyTabs,
}

impl ConnState {
    pub fn label(self) -> &'static str {
        match self {
            ConnState::Connecting => "Connecting…",
            ConnState::Connected => "Connected",
            ConnState::Reconnecting => "Reconnecting…",
            ConnState::Offline => "Offline",
            ConnState::TooManyTabs => "Too many open tabs: close one to chat here",
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

/// The socket's state in the page: what the tab wants, and the browser's side of it.
#[cfg(feature = "hydrate")]
#[derive(Default)]
struct Inner {
    wants: Wants,
    handlers: Vec<(u64, Handler)>,
    next_listener: u64,
    /// Set for a second after a read marker goes out, so a busy room sends one a second, not one
    /// per message.
    read_cooldown: bool,
    /// The live connection's writer, if connected.
    outgoing: Option<futures::channel::mpsc::UnboundedSender<String>>,
    /// Who the page was drawn for: whose messages wait in `wants`.
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
            // Sent on connecting, before anything else is: see `Wants::unacked`.
            inner.wants.restore_unacked(unsent::take(user));
        }
        provide_context(socket);
        socket
    }

    pub fn state(&self) -> ReadSignal<ConnState> {
        self.state.read_only()
    }

    /// Joins a room; with `last_seen`, asking for the messages after it, and with `changes`, for
    /// the changes after that change id (the furthest seen wins, here and on every reconnect).
    pub fn join(&self, room: &str, last_seen: Option<i64>, changes: Option<i64>) {
        let _ = (room, last_seen, changes);
        #[cfg(feature = "hydrate")]
        {
            let (after, changes) = self.inner().borrow_mut().wants.join(room, last_seen, changes);
            self.transmit(&ClientFrame::Join { room: room.to_owned(), after, changes }, Intent::Subscribe);
        }
    }

    /// Asks to change a stored message: a new text, or (`None`) deleting it. The outcome comes as a
    /// `changed` frame, or an `error`.
    pub fn change(&self, room: &str, id: i64, body: Option<String>) {
        let _ = (room, id, &body);
        #[cfg(feature = "hydrate")]
        {
            let room = room.to_owned();
            let frame = match body {
                Some(body) => ClientFrame::Edit { room, id, body },
                None => ClientFrame::Delete { room, id },
            };
            self.transmit(&frame, Intent::Transient);
        }
    }

    /// Asks to add (`on`) or take back the user's reaction `emoji` to a message: the outcome comes
    /// as a `changed` frame, or an `error`.
    pub fn react(&self, room: &str, id: i64, emoji: &str, on: bool) {
        let _ = (room, id, emoji, on);
        #[cfg(feature = "hydrate")]
        {
            let (room, emoji) = (room.to_owned(), emoji.to_owned());
            let frame = if on {
                ClientFrame::React { room, id, emoji }
            } else {
                ClientFrame::Unreact { room, id, emoji }
            };
            self.transmit(&frame, Intent::Transient);
        }
    }

    /// Asks to pin (`on`) or unpin a message: the outcome comes as a `changed` frame, or an
    /// `error`.
    pub fn pin(&self, room: &str, id: i64, on: bool) {
        let _ = (room, id, on);
        #[cfg(feature = "hydrate")]
        {
            let room = room.to_owned();
            let frame = if on { ClientFrame::Pin { room, id } } else { ClientFrame::Unpin { room, id } };
            self.transmit(&frame, Intent::Transient);
        }
    }

    pub fn leave(&self, room: &str) {
        let _ = room;
        #[cfg(feature = "hydrate")]
        {
            let unsent_read = self.inner().borrow_mut().wants.leave(room);
            if let Some(id) = unsent_read {
                self.transmit(&ClientFrame::Read { room: room.to_owned(), id }, Intent::Transient);
            }
            self.transmit(&ClientFrame::Leave { room: room.to_owned() }, Intent::Unsubscribe);
        }
    }

    pub fn watch_rooms(&self) {
        #[cfg(feature = "hydrate")]
        {
            self.inner().borrow_mut().wants.watch();
            self.transmit(&ClientFrame::WatchRooms, Intent::Subscribe);
        }
    }

    pub fn unwatch_rooms(&self) {
        #[cfg(feature = "hydrate")]
        {
            let none_left = self.inner().borrow_mut().wants.unwatch();
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
            let new = self.inner().borrow_mut().wants.follow(rooms);
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
                if !inner.wants.saw(room, id) {
                    return;
                }
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

    /// Chooses what the user is told about a joined room, on every device: each gets the room's
    /// `read` frame with the level.
    pub fn set_notify(&self, room: &str, notify: crate::shared::views::NotifyLevel) {
        let _ = (room, notify);
        #[cfg(feature = "hydrate")]
        self.transmit(&ClientFrame::Notify { room: room.to_owned(), notify }, Intent::Transient);
    }

    /// Asks who of a joined room "@`prefix`" may mention: the answer comes as a
    /// `mention_suggestions` frame. Only on a live connection: a stale question is not asked again.
    pub fn suggest_mentions(&self, room: &str, prefix: &str) {
        let _ = (room, prefix);
        #[cfg(feature = "hydrate")]
        self.transmit(
            &ClientFrame::SuggestMentions { room: room.to_owned(), prefix: prefix.to_owned() },
            Intent::Transient,
        );
    }

    /// Sends a message (with `reply_to`, a reply to that message); the returned nonce comes back
    /// in the `ack` (or `error`) for it.
    pub fn send_message(&self, room: &str, body: &str, reply_to: Option<i64>) -> String {
        let nonce = new_nonce();
        #[cfg(feature = "hydrate")]
        self.transmit(
            &ClientFrame::Send {
                room: room.to_owned(),
                nonce: nonce.clone(),
                body: body.to_owned(),
                reply_to,
            },
            Intent::Post,
        );
        let _ = (room, body, reply_to);
        nonce
    }

    /// Sends a message that has had no answer again, with its original nonce (so it can only be
    /// stored once).
    pub fn retry(&self, nonce: &str) {
        let _ = nonce;
        #[cfg(feature = "hydrate")]
        {
            let sent = {
                let inner = self.inner();
                let inner = inner.borrow();
                match (inner.wants.unacked_frame(nonce), &inner.outgoing) {
                    (Some(text), Some(tx)) => tx.unbounded_send(text.to_owned()).is_ok(),
                    _ => false,
                }
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
        if let Some(inner) = self.inner.with_value(|value| value.as_deref().cloned()) {
            return inner;
        }
        let inner = Rc::new(RefCell::new(Inner::default()));
        self.inner.set_value(Some(SendWrapper::new(inner.clone())));
        inner
    }

    /// Sends now if connected. Otherwise a message waits in the queue, while joins and watches
    /// need nothing: the connection sends them from what the tab wants when it opens. Only
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
                inner.wants.sending(nonce, text.clone());
            }
            matches!(&inner.outgoing, Some(tx) if tx.unbounded_send(text).is_ok())
        };
        if !sent && matches!(intent, Intent::Subscribe | Intent::Post) {
            self.start();
        }
    }

    /// Sends each joined room's newest id read and not yet sent; whether there was any.
    fn send_due_reads(&self) -> bool {
        let due = self.inner().borrow_mut().wants.take_due_reads();
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
        let every = crate::shared::timings::READ_MARKER_EVERY.as_millis() as u32;
        gloo_timers::callback::Timeout::new(every, move || {
            socket.inner().borrow_mut().read_cooldown = false;
            socket.flush_reads();
        })
        .forget();
    }

    /// Hands a frame to every listener, after noting what it says about what the tab has.
    fn dispatch(&self, frame: &ServerFrame) {
        let handlers: Vec<Handler> = {
            let inner = self.inner();
            let mut inner = inner.borrow_mut();
            inner.wants.observe(frame);
            inner.handlers.iter().map(|(_, handler)| handler.clone()).collect()
        };
        // Called outside the borrow: a handler may join, leave or send.
        for handler in handlers {
            handler(frame);
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
