//! The reference: a bare tokio-tungstenite broadcast server. No auth, no storage, no JSON; one
//! room per path; each text frame goes to every socket on the same path, the sender included.
//! The read buffer is cut to 4 KiB as in the app, so idle sockets cost the same.

use std::{collections::HashMap, net::SocketAddr, sync::Arc};

use futures::{SinkExt, StreamExt};
use tokio::sync::{broadcast, Mutex};
use tokio_tungstenite::tungstenite::{
    handshake::server::{Request, Response},
    protocol::WebSocketConfig,
    Message, Utf8Bytes,
};

type Rooms = Arc<Mutex<HashMap<String, broadcast::Sender<Utf8Bytes>>>>;

pub async fn serve(addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("reference broadcast server on ws://{addr}/ROOM");
    let rooms: Rooms = Arc::default();
    loop {
        let (stream, _) = listener.accept().await?;
        let rooms = rooms.clone();
        tokio::spawn(async move {
            let mut path = String::new();
            let config = WebSocketConfig::default().read_buffer_size(4096);
            let callback = |request: &Request, response: Response| {
                path = request.uri().path().to_owned();
                Ok(response)
            };
            let Ok(socket) = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config)).await
            else {
                return;
            };
            let sender = {
                let mut rooms = rooms.lock().await;
                rooms.entry(path).or_insert_with(|| broadcast::channel(1024).0).clone()
            };
            let mut inbox = sender.subscribe();
            let (mut write, mut read) = socket.split();
            let forward = async {
                loop {
                    match inbox.recv().await {
                        Ok(text) => {
                            if write.send(Message::Text(text)).await.is_err() {
                                return;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => return,
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                }
            };
            let receive = async {
                while let Some(Ok(message)) = read.next().await {
                    if let Message::Text(text) = message {
                        let _ = sender.send(text);
                    }
                }
            };
            tokio::select! {
                _ = forward => {},
                _ = receive => {},
            }
        });
    }
}
