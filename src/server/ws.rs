//! `/ws`: the one WebSocket of each browser tab. The upgrade checks the session and the Origin;
//! each connection then runs a read loop (client frames) and a write loop (its outbox) side by
//! side until either ends, and leaves its rooms on the way out.

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
        State,
    },
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{mpsc, watch};

use super::{
    auth::AuthSession,
    db::{messages, read_markers, rooms, rooms::Room, users::User},
    hub::{encode, user_topic, Connection},
    state::AppState,
    subscribers::{CloseReason, Frame},
};
use crate::shared::{
    protocol::{ClientFrame, ServerFrame, CLOSE_SIGNED_OUT, CLOSE_TOO_SLOW},
    validate,
};

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    auth: AuthSession,
    headers: HeaderMap,
) -> Response {
    // Cross-site WebSocket hijacking: a page elsewhere could open this socket with the user's
    // cookie, so a browser's Origin must name this very host.
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin WebSocket refused").into_response();
    }
    let Some(user) = auth.user else {
        return (StatusCode::UNAUTHORIZED, "log in to chat").into_response();
    };
    let session = auth.session.id().map(|id| id.to_string());
    let limits = state.config.limits.clone();
    ws.read_buffer_size(limits.read_buffer_bytes)
        .max_message_size(limits.max_frame_bytes)
        .max_frame_size(limits.max_frame_bytes)
        .on_upgrade(move |socket: WebSocket| async move {
            let (sink, stream) = socket.split();
            serve(sink, stream, state, user.0, session).await;
        })
}

fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Not a browser: it cannot carry a victim's cookie across sites, and the session still
        // has to be valid.
        return true;
    };
    let (Ok(origin), Some(Ok(host))) =
        (origin.to_str(), headers.get(header::HOST).map(|h| h.to_str()))
    else {
        return false;
    };
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or_default();
    authority.eq_ignore_ascii_case(host)
}

/// Runs one connection over any sink and stream of WebSocket messages (a real socket in
/// production, channels in tests).
pub async fn serve<Tx, Rx, E>(
    mut sink: Tx,
    mut stream: Rx,
    state: AppState,
    user: User,
    session: Option<String>,
)
where
    Tx: Sink<Message> + Unpin,
    Rx: Stream<Item = Result<Message, E>> + Unpin,
{
    let (conn, mut inbox) = state.hub.connect(user.id, &user.username, session);
    let mut session = Session { state: &state, conn: &conn, user: &user, rooms: HashMap::new(), followed: HashSet::new(), last_typing: None };
    let ping_every = Duration::from_secs(state.config.limits.ping_interval_secs.max(1));
    let idle_timeout = Duration::from_secs(state.config.limits.idle_timeout_secs.max(1));

    let write = async {
        // `ready` goes out before anything queued, a close included: a socket closed the instant
        // it opened (every socket is asked to catch up after a Redis outage) still says whose
        // connection it is first, so the tab counts it as connected and not as a failure.
        let ready = Message::Text(encode(&ServerFrame::Ready { username: user.username.clone() }).text());
        tokio::select! {
            biased;
            sent = sink.send(ready) => if sent.is_err() { return },
            () = closing_or_stuck(&inbox.close, idle_timeout) => {
                let reason = inbox.close.borrow().clone();
                say_goodbye(&mut sink, reason).await;
                return;
            }
        }
        let mut ping = tokio::time::interval(ping_every);
        ping.tick().await;
        // The close reason is watched through one registration for the connection's life (on a
        // copy of the receiver): asking `changed()` afresh for every frame costs a registration
        // with the channel per frame, times every socket of a busy room.
        let mut closing = inbox.close.clone();
        let closed = closing.changed();
        tokio::pin!(closed);
        loop {
            tokio::select! {
                biased;
                changed = &mut closed => {
                    let reason = if changed.is_ok() { inbox.close.borrow().clone() } else { None };
                    say_goodbye(&mut sink, reason).await;
                    return;
                }
                _ = ping.tick() => {
                    let sent = tokio::select! {
                        sent = sink.send(Message::Ping(Default::default())) => sent.is_ok(),
                        () = closing_or_stuck(&inbox.close, idle_timeout) => false,
                    };
                    if !sent {
                        return;
                    }
                }
                frame = inbox.frames.recv() => {
                    let Some(frame) = frame else { return };
                    // Most writes finish at once (the socket's buffer has room). Only one that has
                    // to wait is watched for a peer that stopped reading, which costs a timer: once
                    // it is being closed, or the write has hung for the idle timeout, stop waiting
                    // (it catches up when it reconnects).
                    let finished = {
                        let written = write_queued(&mut sink, frame, &mut inbox.frames);
                        tokio::pin!(written);
                        match futures::poll!(written.as_mut()) {
                            std::task::Poll::Ready(result) => Some(result),
                            std::task::Poll::Pending => tokio::select! {
                                result = &mut written => Some(result),
                                () = closing_or_stuck(&inbox.close, idle_timeout) => None,
                            },
                        }
                    };
                    match finished {
                        Some(Ok(())) => {}
                        Some(Err(_)) => return,
                        None => {
                            let reason = inbox.close.borrow().clone();
                            say_goodbye(&mut sink, reason).await;
                            return;
                        }
                    }
                }
            }
        }
    };

    let read = async {
        let mut flood = TokenBucket::new(
            state.config.limits.frames_per_second,
            state.config.limits.frame_burst,
        );
        // Pings go out more often than this, and browsers answer them: silence means the peer is
        // gone (a laptop lid closed, a network dropped) even if TCP has not noticed yet.
        while let Ok(Some(Ok(message))) = tokio::time::timeout(idle_timeout, stream.next()).await {
            if matches!(message, Message::Text(_) | Message::Binary(_)) && !flood.take() {
                // Abuse, not a mistake: end the connection rather than queue without bound.
                // Stop reading and leave the ending to the write side, which tells the peer
                // why (within the goodbye timeout) and then ends the connection.
                conn.outbox.close(CloseReason::Flooding);
                std::future::pending::<()>().await;
            }
            let text = match message {
                Message::Text(text) => text,
                Message::Close(_) => return,
                Message::Binary(_) => {
                    session.reply_error("Frames must be JSON text", None).await;
                    continue;
                }
                Message::Ping(_) | Message::Pong(_) => continue,
            };
            match serde_json::from_str::<ClientFrame>(&text) {
                // Handling a frame awaits database queries whose futures are large; boxed, they
                // live only while a frame is handled, so an idle connection stays small.
                Ok(frame) => Box::pin(session.handle(frame)).await,
                Err(_) => session.reply_error("Unrecognised frame", None).await,
            }
        }
    };

    tokio::select! {
        _ = write => {},
        _ = read => {},
    }
    let rooms: Vec<String> = session.rooms.into_keys().collect();
    state.hub.disconnect(&conn, rooms, session.followed).await;
}

/// Most frames written between two flushes.
const FRAMES_PER_FLUSH: usize = 64;

/// Writes a frame and whatever else is already queued behind it, then flushes once: in a busy
/// room a connection's frames leave in one write call instead of one system call each.
async fn write_queued<Tx: Sink<Message> + Unpin>(
    sink: &mut Tx,
    first: Frame,
    queue: &mut mpsc::Receiver<Frame>,
) -> Result<(), Tx::Error> {
    sink.feed(Message::Text(first.text())).await?;
    for _ in 1..FRAMES_PER_FLUSH {
        match queue.try_recv() {
            Ok(frame) => sink.feed(Message::Text(frame.text())).await?,
            Err(_) => break,
        }
    }
    sink.flush().await
}

/// How long a closing connection may take to receive its close frame.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(2);

/// Tells the peer why its connection ends (and, when signed out, that it should log in again),
/// giving up after GOODBYE_TIMEOUT: a goodbye to a peer that is not reading could wait forever.
async fn say_goodbye<Tx: Sink<Message> + Unpin>(sink: &mut Tx, reason: Option<CloseReason>) {
    let (code, text, last_word) = match reason {
        Some(CloseReason::SignedOut(reason)) => {
            (CLOSE_SIGNED_OUT, reason.clone(), Some(ServerFrame::SignedOut { reason }))
        }
        Some(CloseReason::Flooding) => (CLOSE_TOO_SLOW, "too many frames".to_owned(), None),
        Some(CloseReason::CatchUp { after }) => {
            (CLOSE_TOO_SLOW, "reconnect to catch up".to_owned(), Some(ServerFrame::Rewind { after }))
        }
        Some(CloseReason::TooSlow) | None => (CLOSE_TOO_SLOW, "too slow".to_owned(), None),
    };
    let goodbye = async {
        if let Some(frame) = last_word {
            let _ = sink.send(Message::Text(encode(&frame).text())).await;
        }
        let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: text.into() }))).await;
    };
    let _ = tokio::time::timeout(GOODBYE_TIMEOUT, goodbye).await;
}

/// Resolves once the connection is being closed, for whatever reason, or once a single write
/// has taken longer than `deadline` (the peer is not reading: its replies alone can fill a queue
/// without any broadcast overflowing it). Watches a copy of the receiver, so the write loop still
/// sees the reason and says goodbye when it can.
async fn closing_or_stuck(close: &watch::Receiver<Option<CloseReason>>, deadline: Duration) {
    let mut close = close.clone();
    let closed = async {
        if close.wait_for(Option::is_some).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let _ = tokio::time::timeout(deadline, closed).await;
}

/// One connection's view: the rooms it joined (with their rows, so posting needs no lookup).
struct Session<'a> {
    state: &'a AppState,
    conn: &'a Connection,
    user: &'a User,
    rooms: HashMap<String, Room>,
    /// Rooms whose messages it receives without being in them (see `ClientFrame::Follow`).
    followed: HashSet<String>,
    /// When this connection last said its user was typing.
    last_typing: Option<Instant>,
}

/// At most one "is typing" per connection in this time: more says nothing new.
const TYPING_EVERY: Duration = Duration::from_secs(2);

/// Most rooms one connection may follow: plenty for a room list, and a bound on what one socket
/// can subscribe to.
const MAX_FOLLOWED: usize = 200;

impl Session<'_> {
    async fn handle(&mut self, frame: ClientFrame) {
        match frame {
            ClientFrame::Join { room, after } => self.join(room, after).await,
            ClientFrame::Leave { room } => {
                if self.rooms.remove(&room).is_some() {
                    self.state.hub.leave(self.conn, &room, self.followed.contains(&room)).await;
                }
            }
            ClientFrame::Follow { rooms } => self.follow(rooms).await,
            ClientFrame::Unfollow { rooms } => {
                for room in rooms {
                    if self.followed.remove(&room) && !self.rooms.contains_key(&room) {
                        self.state.hub.unfollow(self.conn, &room);
                    }
                }
            }
            ClientFrame::Read { room, id } => self.read(room, id).await,
            ClientFrame::Send { room, nonce, body } => self.send(room, nonce, body).await,
            ClientFrame::Typing { room } => self.typing(room).await,
            ClientFrame::WatchRooms => self.state.hub.watch_rooms(self.conn).await,
            ClientFrame::UnwatchRooms => self.state.hub.unwatch_rooms(self.conn),
        }
    }

    async fn join(&mut self, room: String, after: Option<i64>) {
        let room = match validate::room_name(&room) {
            Ok(name) => name.to_owned(),
            Err(err) => return self.reply_error(&err.to_string(), None).await,
        };
        match rooms::by_name(&self.state.db, &room).await {
            Ok(Some(_)) if self.rooms.contains_key(&room) => {}
            Ok(Some(row)) => {
                // Subscribe before replaying, so nothing falls between the two; the client drops
                // the few messages it may then see twice by id.
                self.state.hub.join(self.conn, &room).await;
                if let Some(after) = after {
                    self.replay(&row, after).await;
                }
                self.rooms.insert(room, row);
            }
            Ok(None) => self.reply_error("No such room", None).await,
            Err(err) => {
                tracing::error!(error = %err, "looking up a room failed");
                self.reply_error("Could not join the room. Please try again.", None).await
            }
        }
    }

    /// Follows each valid room, up to MAX_FOLLOWED in all; rooms past the bound are left out
    /// (their counts then show on the next page load only), not refused: one frame carries
    /// them all, and the rest of it is good.
    async fn follow(&mut self, rooms: Vec<String>) {
        for room in rooms {
            let Ok(room) = validate::room_name(&room).map(str::to_owned) else {
                self.reply_error(&validate::InvalidInput::RoomName.to_string(), None).await;
                continue;
            };
            if self.followed.contains(&room) {
                continue;
            }
            if self.followed.len() >= MAX_FOLLOWED {
                tracing::debug!(user = %self.user.username, "following as many rooms as one connection may");
                return;
            }
            self.state.hub.follow(self.conn, &room);
            self.followed.insert(room);
        }
    }

    /// Moves the user's read marker and tells all their connections, on every instance, so each
    /// device's unread count agrees.
    async fn read(&self, room: String, id: i64) {
        let Some(row) = self.rooms.get(&room) else {
            return self.reply_error("Join the room before marking it read", None).await;
        };
        match read_markers::mark_read(&self.state.db, self.user.id, row, id).await {
            Ok(read) => {
                // Transient: the marker is stored, and a tab that misses this frame fetches the
                // counts when it reconnects; no reason for a cluster-wide catch-up.
                let frame = ServerFrame::Read { room, read };
                self.state.hub.publish_transient(&user_topic(self.user.id), &frame).await;
            }
            Err(err) => {
                tracing::error!(error = %err, "saving a read marker failed");
                self.reply_error("Could not save how far you have read", None).await
            }
        }
    }

    async fn replay(&self, room: &Room, after: i64) {
        let limit = self.state.config.limits.replay_limit;
        match messages::after(&self.state.db, room, after, limit + 1).await {
            Ok(missed) if missed.len() as u64 > limit => {
                let frame = ServerFrame::Resync { room: room.name.clone() };
                self.conn.outbox.send(encode(&frame)).await;
            }
            Ok(missed) => {
                for message in missed {
                    self.conn.outbox.send(encode(&ServerFrame::Message { message })).await;
                }
            }
            Err(err) => tracing::error!(error = %err, "replaying missed messages failed"),
        }
    }

    async fn send(&mut self, room: String, nonce: String, body: String) {
        // Usually a joined room; not always: a message typed on a room's page that went before it
        // could be sent is posted by the tab's next page, which may show another room.
        let looked_up;
        let row = match self.rooms.get(&room) {
            Some(row) => row,
            None => match rooms::by_name(&self.state.db, validate::room_name(&room).unwrap_or(&room)).await {
                Ok(Some(row)) => {
                    looked_up = row;
                    &looked_up
                }
                Ok(None) => return self.reply_error("No such room", Some(nonce)).await,
                Err(err) => {
                    tracing::error!(error = %err, "looking up a room failed");
                    return self.reply_error("Could not post the message. Please try again.", Some(nonce)).await;
                }
            },
        };
        match self.state.writer.post(row, self.user, &body, &nonce).await {
            Ok(message) => {
                // A stored message ends the typing it came from: the next keystroke is news again.
                self.last_typing = None;
                let ack = ServerFrame::Ack { nonce, id: message.id };
                self.conn.outbox.send(encode(&ack)).await;
            }
            Err(err) => self.reply_error(&err.to_string(), Some(nonce)).await,
        }
    }

    async fn typing(&mut self, room: String) {
        // Only members may say so, and more often than TYPING_EVERY is dropped, not refused.
        if !self.rooms.contains_key(&room) || self.last_typing.is_some_and(|at| at.elapsed() < TYPING_EVERY) {
            return;
        }
        self.last_typing = Some(Instant::now());
        let frame = ServerFrame::Typing { room: room.clone(), user: self.user.username.clone() };
        self.state.hub.publish_transient(&room, &frame).await;
    }

    async fn reply_error(&self, message: &str, nonce: Option<String>) {
        let frame = ServerFrame::Error { message: message.to_owned(), nonce };
        self.conn.outbox.send(encode(&frame)).await;
    }
}

/// Allows `rate` frames a second on average with bursts of `burst`.
struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    fn new(rate: u32, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self { rate: f64::from(rate.max(1)), burst, tokens: burst, last: Instant::now() }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, host.parse().expect("valid header"));
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, origin.parse().expect("valid header"));
        }
        headers
    }

    #[test]
    fn only_this_sites_pages_may_open_the_socket() {
        assert!(same_origin(&headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000")));
        assert!(same_origin(&headers(Some("https://chat.example"), "chat.example")));
        assert!(same_origin(&headers(None, "127.0.0.1:3000")));
        assert!(!same_origin(&headers(Some("http://evil.example"), "127.0.0.1:3000")));
        assert!(!same_origin(&headers(Some("http://127.0.0.1:3001"), "127.0.0.1:3000")));
        assert!(!same_origin(&headers(Some("null"), "127.0.0.1:3000")));
    }

    #[test]
    fn the_flood_limit_allows_bursts_then_refuses() {
        let mut bucket = TokenBucket::new(1, 3);
        assert!(bucket.take() && bucket.take() && bucket.take());
        assert!(!bucket.take());
    }
}
