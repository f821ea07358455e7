//! One connection after another: open, ask again for what the tab wants, pass frames on, and
//! after a close either stop (signed out, page going) or wait and try again.

use leptos::prelude::*;

use super::{backoff::backoff_ms, ChatSocket, ConnState};
use crate::shared::protocol::{ServerFrame, CLOSE_SIGNED_OUT, CLOSE_TOO_MANY_SOCKETS};

impl ChatSocket {
    pub(super) async fn run(self) {
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
                for frame in inner.wants.on_connect() {
                    if let Ok(text) = serde_json::to_string(&frame) {
                        let _ = tx.unbounded_send(text);
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
            let signed_out = close_code == Some(CLOSE_SIGNED_OUT);
            if signed_out {
                // Nothing of the user stays in the tab, what they had not sent included.
                self.inner().borrow_mut().wants.drop_unacked();
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
            if close_code == Some(CLOSE_TOO_MANY_SOCKETS) {
                // Not a failure to back off from: a place frees up when another tab closes.
                self.state.set(ConnState::TooManyTabs);
                gloo_timers::future::TimeoutFuture::new(TOO_MANY_TABS_RETRY_MS).await;
                continue;
            }
            failures = failures.saturating_add(1);
            self.state.set(if failures > 3 { ConnState::Offline } else { ConnState::Reconnecting });
            gloo_timers::future::TimeoutFuture::new(backoff_ms(failures, js_sys::Math::random())).await;
            self.state.set(ConnState::Reconnecting);
        }
    }
}

/// How often a tab turned away for having too many siblings asks again.
const TOO_MANY_TABS_RETRY_MS: u32 = 30_000;

fn socket_url() -> String {
    let location = window().location();
    let scheme = if location.protocol().unwrap_or_default() == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{}/ws", location.host().unwrap_or_default())
}
