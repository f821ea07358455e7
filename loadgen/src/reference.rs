//! The reference: a bare tokio-tungstenite broadcast server. No auth, no storage, no JSON; one
//! room per path; each text frame goes to every socket on the same path, the sender included.
//! The read buffer is cut to 4 KiB as in the app, so idle sockets cost the same.
//!
//! With `--redis`, several reference processes share their rooms about as cheaply as Redis
//! allows: a frame goes to this process's own sockets at once and is published for the others
//! (one PUBLISH a frame), which deliver what they receive from Redis (no order, no storage). Two
//! of them beside one show what a second process and a Redis hop cost on this machine before
//! anything the app does.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use futures::{SinkExt, StreamExt};
use redis::AsyncCommands;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::{
    handshake::server::{Request, Response},
    protocol::WebSocketConfig,
    Message, Utf8Bytes,
};

/// Each path's broadcast channel.
#[derive(Clone, Default)]
struct Rooms(Arc<Mutex<HashMap<String, broadcast::Sender<Utf8Bytes>>>>);

impl Rooms {
    fn sender(&self, path: &str) -> broadcast::Sender<Utf8Bytes> {
        let mut rooms = self.0.lock().unwrap_or_else(|poison| poison.into_inner());
        rooms.entry(path.to_owned()).or_insert_with(|| broadcast::channel(1024).0).clone()
    }
}

/// This process's link to the others: where it publishes, and the name that marks its own
/// frames when Redis hands them back.
#[derive(Clone)]
struct Bridge {
    publisher: redis::aio::MultiplexedConnection,
    instance: String,
}

const CHANNEL_PREFIX: &str = "ref:";

pub async fn serve(addr: SocketAddr, redis_url: Option<&str>) -> Result<(), crate::run::LoadError> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let rooms = Rooms::default();
    let bridge = match redis_url {
        Some(url) => Some(bridge(url, addr, rooms.clone()).await?),
        None => None,
    };
    eprintln!(
        "reference broadcast server on ws://{addr}/ROOM{}",
        if bridge.is_some() { ", rooms shared through Redis" } else { "" }
    );
    loop {
        let (stream, _) = listener.accept().await?;
        // As the app does: a broadcast server that let Nagle hold frames back would be no
        // reference for latency.
        let _ = stream.set_nodelay(true);
        let (rooms, bridge) = (rooms.clone(), bridge.clone());
        tokio::spawn(async move {
            let mut path = String::new();
            let config = WebSocketConfig::default().read_buffer_size(4096);
            // The error type is tungstenite's, large or not.
            #[allow(clippy::result_large_err)]
            let callback = |request: &Request, response: Response| {
                path = request.uri().path().to_owned();
                Ok(response)
            };
            let Ok(socket) =
                tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config)).await
            else {
                return;
            };
            let sender = rooms.sender(&path);
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
                        if let Some(bridge) = &bridge {
                            let payload = format!("{}\n{}", bridge.instance, text.as_str());
                            let channel = format!("{CHANNEL_PREFIX}{path}");
                            let mut publisher = bridge.publisher.clone();
                            let mut published = Box::pin(async move {
                                let published: redis::RedisResult<()> =
                                    publisher.publish(channel, payload).await;
                                // The other processes' sockets miss this frame: the generator
                                // counts it as lost, and this says why.
                                if let Err(err) = published {
                                    eprintln!("reference: publishing to Redis failed: {err}");
                                }
                            });
                            // The first poll hands the frame to the connection before our own
                            // sockets get it, as the app does; the answer is awaited aside.
                            if futures::poll!(published.as_mut()).is_pending() {
                                tokio::spawn(published);
                            }
                        }
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

/// Connects to Redis and starts delivering the other processes' frames to this one's sockets.
async fn bridge(url: &str, addr: SocketAddr, rooms: Rooms) -> Result<Bridge, crate::run::LoadError> {
    let redis_error = |err: redis::RedisError| crate::run::LoadError::Setup(format!("Redis: {err}"));
    let client = redis::Client::open(url).map_err(redis_error)?;
    let publisher = client.get_multiplexed_async_connection().await.map_err(redis_error)?;
    let mut pubsub = client.get_async_pubsub().await.map_err(redis_error)?;
    pubsub.psubscribe(format!("{CHANNEL_PREFIX}*")).await.map_err(redis_error)?;
    let instance = format!("{addr}-{}", std::process::id());
    let own = instance.clone();
    tokio::spawn(async move {
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            let Some(path) = message.get_channel_name().strip_prefix(CHANNEL_PREFIX) else { continue };
            let Ok(payload) = std::str::from_utf8(message.get_payload_bytes()) else { continue };
            let Some((from, text)) = payload.split_once('\n') else { continue };
            if from != own {
                let _ = rooms.sender(path).send(Utf8Bytes::from(text));
            }
        }
        eprintln!("reference: the Redis subscription ended");
    });
    Ok(Bridge { publisher, instance })
}
