//! `/ws`: the one WebSocket of each browser tab. The upgrade checks the session and the Origin;
//! each connection then runs a read loop (client frames, each handled by its own file under
//! `frames/`) and a write loop (its outbox, `writing`) side by side until either ends, and leaves
//! its rooms on the way out.

mod flood;
mod frames;
pub mod open_sockets;
mod peer;
mod writing;

use std::time::Duration;

use axum::{
    extract::{
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
        State,
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures::{Sink, Stream, StreamExt};

use self::{flood::TokenBucket, peer::Peer, writing::write_loop};
use super::{auth::AuthSession, chat::Actor, state::AppState, subscribers::CloseReason};
use crate::shared::protocol::{ClientFrame, CLOSE_TOO_MANY_SOCKETS};

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    auth: AuthSession,
    headers: HeaderMap,
) -> Response {
    // A page elsewhere could otherwise open the socket with the user's cookie.
    if !state.site.admits(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin WebSocket refused").into_response();
    }
    let Some(user) = auth.user else {
        return (StatusCode::UNAUTHORIZED, "log in to chat").into_response();
    };
    let actor = Actor::from(&user.0);
    let session_id = auth.session.id().map(|id| id.to_string());
    let limits = state.config.limits.clone();
    let Some(place) = state.sockets.take(actor.id, limits.sockets_per_user) else {
        // Accepted, then closed with a code the page understands: a refused upgrade looks to the
        // browser like a network error, which the page would retry at once, forever.
        return ws.on_upgrade(move |mut socket: WebSocket| async move {
            let reason = format!("at most {} open tabs per account", limits.sockets_per_user);
            let close = CloseFrame { code: CLOSE_TOO_MANY_SOCKETS, reason: reason.into() };
            let _ = socket.send(Message::Close(Some(close))).await;
        });
    };
    ws.read_buffer_size(limits.read_buffer_bytes)
        .max_message_size(limits.max_frame_bytes)
        .max_frame_size(limits.max_frame_bytes)
        .on_upgrade(move |socket: WebSocket| async move {
            let (sink, stream) = socket.split();
            serve(sink, stream, state, actor, session_id).await;
            drop(place);
        })
}

/// Runs one connection over any sink and stream of WebSocket messages (a real socket in
/// production, channels in tests). `session_id`: the log-in session it was opened with, so
/// logging out ends it.
pub async fn serve<Tx, Rx, E>(sink: Tx, stream: Rx, state: AppState, actor: Actor, session_id: Option<String>)
where
    Tx: Sink<Message> + Unpin,
    Rx: Stream<Item = Result<Message, E>> + Unpin,
{
    let (conn, inbox) = state.hub.connect(actor.id, &actor.username, session_id);
    let limits = &state.config.limits;
    let ping_every = Duration::from_secs(limits.ping_interval_secs.max(1));
    let idle_timeout = Duration::from_secs(limits.idle_timeout_secs.max(1));
    let mut peer = Peer::new(&state, &conn, &actor);

    tokio::select! {
        () = write_loop(sink, inbox, &actor.username, ping_every, idle_timeout) => {},
        () = read_loop(stream, &mut peer, idle_timeout) => {},
    }
    let (rooms, followed) = peer.into_subscriptions();
    state.hub.disconnect(&conn, rooms, followed).await;
}

/// Reads and handles client frames until the peer goes quiet, closes, or floods.
async fn read_loop<Rx, E>(mut stream: Rx, peer: &mut Peer<'_>, idle_timeout: Duration)
where
    Rx: Stream<Item = Result<Message, E>> + Unpin,
{
    let limits = &peer.state.config.limits;
    let mut flood = TokenBucket::new(limits.frames_per_second, limits.frame_burst);
    // Pings go out more often than this, and browsers answer them: silence means the peer is
    // gone (a laptop lid closed, a network dropped) even if TCP has not noticed yet.
    while let Ok(Some(Ok(message))) = tokio::time::timeout(idle_timeout, stream.next()).await {
        if matches!(message, Message::Text(_) | Message::Binary(_)) && !flood.take() {
            // Abuse, not a mistake: end the connection rather than queue without bound. Stop
            // reading and leave the ending to the write side, which tells the peer why (within
            // the goodbye timeout) and then ends the connection.
            peer.conn.outbox.close(CloseReason::Flooding);
            std::future::pending::<()>().await;
        }
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => return,
            Message::Binary(_) => {
                peer.reply_error("Frames must be JSON text", None).await;
                continue;
            }
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        match serde_json::from_str::<ClientFrame>(&text) {
            // Handling a frame awaits database queries whose futures are large; boxed, they live
            // only while a frame is handled, so an idle connection stays small.
            Ok(frame) => Box::pin(peer.handle(frame)).await,
            Err(_) => peer.reply_error("Unrecognised frame", None).await,
        }
    }
}
