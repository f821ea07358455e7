//! The write side of a connection: `ready` first, then its queued frames (several per flush),
//! pings, and a goodbye that says why when the server ends it.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message};
use futures::{Sink, SinkExt};
use tokio::sync::{mpsc, watch};

use crate::{
    server::{
        hub::encode,
        subscribers::{CloseReason, Frame, Inbox},
    },
    shared::protocol::{ServerFrame, CLOSE_SIGNED_OUT, CLOSE_TOO_SLOW},
};

/// Most frames written between two flushes.
const FRAMES_PER_FLUSH: usize = 64;

/// How long a closing connection may take to receive its close frame.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(2);

/// Drains a connection's inbox into its socket until either ends.
pub async fn write_loop<Tx: Sink<Message> + Unpin>(
    mut sink: Tx,
    mut inbox: Inbox,
    username: &str,
    ping_every: Duration,
    idle_timeout: Duration,
) {
    // `ready` goes out before anything queued, a close included: a socket closed the instant it
    // opened (every socket is asked to catch up after a Redis outage) still says whose
    // connection it is first, so the tab counts it as connected and not as a failure.
    let ready = Message::Text(encode(&ServerFrame::Ready { username: username.to_owned() }).text());
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
    // The close reason is watched through one registration for the connection's life (on a copy
    // of the receiver): asking `changed()` afresh for every frame costs a registration with the
    // channel per frame, times every socket of a busy room.
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
                // Most writes finish at once (the socket's buffer has room). Only one that has to
                // wait is watched for a peer that stopped reading, which costs a timer: once it
                // is being closed, or the write has hung for the idle timeout, stop waiting (it
                // catches up when it reconnects).
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
}

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

/// Tells the peer why its connection ends (and, when signed out, that it should log in again),
/// giving up after GOODBYE_TIMEOUT: a goodbye to a peer that is not reading could wait forever.
async fn say_goodbye<Tx: Sink<Message> + Unpin>(sink: &mut Tx, reason: Option<CloseReason>) {
    let (code, text, last_word) = match reason {
        Some(CloseReason::SignedOut(reason)) => {
            (CLOSE_SIGNED_OUT, reason.clone(), Some(ServerFrame::SignedOut { reason }))
        }
        Some(CloseReason::Flooding) => (CLOSE_TOO_SLOW, "too many frames".to_owned(), None),
        Some(CloseReason::CatchUp { after, changes }) => {
            (CLOSE_TOO_SLOW, "reconnect to catch up".to_owned(), Some(ServerFrame::Rewind { after, changes }))
        }
        Some(CloseReason::Evicted { room, why }) => (
            CLOSE_TOO_SLOW,
            "reconnect: your place in a room changed".to_owned(),
            why.map(|why| ServerFrame::RoomGone { room, why }),
        ),
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
