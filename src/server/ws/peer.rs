//! One connection's view of the chat: who is on it, the rooms it joined (with their rows, so
//! posting needs no lookup) and the rooms it follows.

use std::{
    collections::{HashMap, HashSet},
    time::Instant,
};

use crate::{
    server::{
        chat::{Actor, Chat, ChatError, Standing},
        hub::{encode, Connection},
        state::AppState,
    },
    shared::protocol::ServerFrame,
};

pub struct Peer<'a> {
    pub state: &'a AppState,
    pub chat: &'a Chat,
    pub conn: &'a Connection,
    pub actor: &'a Actor,
    /// The rooms joined, by [`room_key`]: a frame may spell a name in any case.
    pub rooms: HashMap<String, Standing>,
    /// Rooms whose messages it receives without being in them (see `ClientFrame::Follow`).
    pub followed: HashSet<String>,
    /// When this connection last said its user was typing.
    pub last_typing: Option<Instant>,
}

/// Room names are unique ignoring case: this is how a connection finds a joined room by the name
/// a frame gives. Names are ASCII.
pub fn room_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

impl<'a> Peer<'a> {
    pub fn new(state: &'a AppState, conn: &'a Connection, actor: &'a Actor) -> Self {
        Self {
            state,
            chat: &state.chat,
            conn,
            actor,
            rooms: HashMap::new(),
            followed: HashSet::new(),
            last_typing: None,
        }
    }

    /// What to leave when the connection ends: the rooms joined, and the rooms followed.
    pub fn into_subscriptions(self) -> (Vec<String>, HashSet<String>) {
        (self.rooms.into_values().map(|room| room.room.name).collect(), self.followed)
    }

    /// Refuses a frame with the chat service's reason, or, when the database failed, with
    /// `failed` (what could not be done, and to try again). `nonce` names a refused `send`.
    pub async fn refuse(&self, err: &ChatError, failed: &str, nonce: Option<String>) {
        match err {
            ChatError::Storage => self.reply_error(failed, nonce).await,
            refused => self.reply_error(&refused.to_string(), nonce).await,
        }
    }

    /// Refuses a frame; the connection stays open. `nonce` names a refused `send`.
    pub async fn reply_error(&self, message: &str, nonce: Option<String>) {
        let frame = ServerFrame::Error { message: message.to_owned(), nonce };
        self.conn.outbox.send(encode(&frame)).await;
    }
}
