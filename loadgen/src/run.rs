//! One load run: connect every client, send at a fixed rate, collect every delivery.

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use futures::{stream::FuturesUnordered, SinkExt, StreamExt};
use reqwest::cookie::{CookieStore, Jar};
use tokio::{net::TcpStream, sync::watch};
use tokio_tungstenite::{
    tungstenite::{client::IntoClientRequest, http::HeaderValue, Message},
    MaybeTlsStream, WebSocketStream,
};

use crate::{
    cpu, payload, stats,
    wire::protocol::{ClientFrame, ServerFrame},
};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    #[error("WebSocket: {0}")]
    Ws(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Setup(String),
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Target {
    /// mini-discord: real sign-up, log-in, JSON frames, every message stored.
    App,
    /// `loadgen reference`: bare broadcast.
    Reference,
}

/// Which server a run talks to, and where.
#[derive(clap::Args, Debug)]
pub struct Server {
    #[arg(long, value_enum, default_value = "app")]
    pub target: Target,
    /// The app's address (http://…) or the reference's (ws://…).
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    pub url: String,
}

#[derive(clap::Args, Debug)]
pub struct Options {
    #[command(flatten)]
    server: Server,
    /// Other instances of the same server (sharing its rooms through Redis): the clients are spread
    /// round robin over `--url` and these.
    #[arg(long = "also-url", value_name = "URL")]
    also_urls: Vec<String>,
    #[arg(long, default_value_t = 100)]
    clients: usize,
    #[arg(long, default_value_t = 1)]
    rooms: usize,
    /// How many of the clients send (spread over the rooms).
    #[arg(long, default_value_t = 10)]
    senders: usize,
    /// Messages per second, all senders together.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// Seconds of sending.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Size of each message body. The app wraps it in a JSON frame of about 118 bytes more, and
    /// the reference's frames are padded to match: 112 gives the 230-byte frames of the goals.
    #[arg(long, default_value_t = 112)]
    body_bytes: usize,
    /// Seconds to wait for late deliveries once sending stops.
    #[arg(long, default_value_t = 5)]
    drain: u64,
    /// The server's process id, to report its resident memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Processes whose CPU time while sending is reported, as NAME=PID[,PID…] (repeatable):
    /// the servers, the database, Redis; each with its children as they are just before sending starts.
    #[arg(long = "cpu-watch", value_name = "NAME=PIDS", value_parser = cpu::parse_group)]
    cpu_watch: Vec<cpu::Group>,
    /// App only: every Nth tick of each sender is an action on its own latest stored message
    /// instead of a new message, alternately a reaction (added, then taken back) and an edit; 0:
    /// messages only. 10 gives the mixed row (a tenth of actions are reactions and edits).
    #[arg(long, default_value_t = 0)]
    actions_every: u64,
    /// Names of generated users and rooms start with this.
    #[arg(long, default_value = "lg")]
    prefix: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Everything one client saw.
#[derive(Default)]
struct Seen {
    latencies_us: Vec<u32>,
    /// With several instances: the latencies of messages sent through the recipient's own
    /// instance, and through another.
    same_us: Vec<u32>,
    crossed_us: Vec<u32>,
    /// Each latency with the second of sending its message was sent in (0: the first).
    by_second: Vec<(u16, u32)>,
    unique: HashSet<(usize, u64)>,
    /// Actions sent instead of messages (see `--actions-every`).
    actions: u64,
    duplicates: u64,
    /// The id of the last app message received (each client is in one room).
    last_id: i64,
    /// App messages that came after one with a higher id.
    out_of_order: u64,
}

pub async fn run(options: Options) -> Result<(), LoadError> {
    let clock = Instant::now();
    // Nonces must be new in every run: the app stores a nonce once per author, and generated
    // users are reused across runs, so a reused nonce would be (rightly) deduplicated.
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let rooms: Vec<String> =
        (0..options.rooms.max(1)).map(|n| format!("{}-room-{n}", options.prefix)).collect();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    if matches!(options.server.target, Target::App) {
        let opener = login(&http, &options.server.url, &format!("{}-opener", options.prefix)).await?;
        for room in &rooms {
            post_form(&opener.0, &options.server.url, "/api/open_room", &[("name", room)]).await?;
        }
    }

    // Log everyone in first, in small parallel waves (signing up hashes a password, which is slow
    // on purpose), and only then open the sockets, all within a moment: a socket opened early
    // would sit unread through the log-ins, miss the server's pings, and be dropped as dead.
    let instances: Vec<&String> = std::iter::once(&options.server.url).chain(&options.also_urls).collect();
    // Client k of room r goes to instance (r + k) mod n: each room's members, and the rooms'
    // senders, are split evenly over the instances, so most deliveries cross between them.
    let (room_count, instance_count) = (rooms.len(), instances.len());
    let slot_of = move |index: usize| (index % room_count + index / room_count) % instance_count;
    let instance_of = |index: usize| instances[slot_of(index)].clone();
    let mut cookies: Vec<(usize, String)> = Vec::with_capacity(options.clients);
    if matches!(options.server.target, Target::App) {
        let mut pending = FuturesUnordered::new();
        for index in 0..options.clients {
            let (http, url, name) = (http.clone(), instance_of(index), format!("{}{index}", options.prefix));
            pending.push(async move { login(&http, &url, &name).await.map(|(_, cookie)| (index, cookie)) });
            if pending.len() >= 16 {
                if let Some(cookie) = pending.next().await {
                    cookies.push(cookie?);
                }
            }
        }
        while let Some(cookie) = pending.next().await {
            cookies.push(cookie?);
        }
    } else {
        cookies.extend((0..options.clients).map(|index| (index, String::new())));
    }
    let mut sockets: Vec<(usize, Socket)> = Vec::with_capacity(options.clients);
    let mut pending = FuturesUnordered::new();
    for (index, cookie) in cookies {
        let (url, room, target) =
            (instance_of(index), rooms[index % rooms.len()].clone(), options.server.target);
        pending.push(async move { connect(&url, target, &cookie, &room).await.map(|s| (index, s)) });
        if pending.len() >= 64 {
            if let Some(socket) = pending.next().await {
                sockets.push(socket?);
            }
        }
    }
    while let Some(socket) = pending.next().await {
        sockets.push(socket?);
    }
    sockets.sort_by_key(|(index, _)| *index);

    let members_per_room: Vec<u64> = (0..rooms.len())
        .map(|r| (0..options.clients).filter(|i| i % rooms.len() == r).count() as u64)
        .collect();
    let (stop_tx, stop_rx) = watch::channel(false);
    let senders = options.senders.min(options.clients).max(1);
    let period = Duration::from_secs_f64(senders as f64 / options.rate.max(0.001));
    let sending_for = Duration::from_secs(options.duration);

    // Every client reads from the start; sending begins once the set-up's frames (each join is
    // announced to the whole room) have stopped coming, at the instant `go` names.
    // `go`: when sending starts, and the same moment on the generator's clock (µs).
    let (go_tx, go_rx) = watch::channel(None::<(tokio::time::Instant, u64)>);
    let setup_frames = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for (index, socket) in sockets {
        let (mut write, mut read) = socket.split();
        let room = rooms[index % rooms.len()].clone();
        let is_sender = index < senders;
        let mut stop = stop_rx.clone();
        let (mut go, setup_frames) = (go_rx.clone(), setup_frames.clone());
        let (target, body_bytes) = (options.server.target, options.body_bytes);
        let actions_every = if matches!(target, Target::App) { options.actions_every } else { 0 };
        tasks.push(tokio::spawn(async move {
            let mut seen = Seen::default();
            let mut sent = 0u64;
            // This sender's latest stored message (from its acks): what its actions act on.
            let (mut own, mut ticks, mut reacted) = (None::<i64>, 0u64, false);
            let (started, sending_from_us) = loop {
                tokio::select! {
                    changed = go.changed() => {
                        if changed.is_err() {
                            return (index, sent, seen);
                        }
                        if let Some(start) = *go.borrow() {
                            break start;
                        }
                    }
                    frame = read.next() => match frame {
                        Some(Ok(Message::Text(_))) => {
                            setup_frames.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(Ok(_)) => {}
                        _ => return (index, sent, seen),
                    },
                }
            };
            // Senders take turns evenly over the period: the input is a steady rate, not a burst
            // from every sender at the same instant.
            let offset = period.mul_f64(index as f64 / senders as f64);
            let mut tick = tokio::time::interval_at(started + offset, period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut sending = is_sender;
            loop {
                tokio::select! {
                    _ = tick.tick(), if sending => {
                        if started.elapsed() >= sending_for {
                            sending = false;
                            continue;
                        }
                        ticks += 1;
                        if let Some(id) = own.filter(|_| actions_every > 0 && ticks % actions_every == 0) {
                            let frame = if seen.actions % 2 == 0 {
                                reacted = !reacted;
                                let (room, emoji) = (room.clone(), "👍".to_owned());
                                if reacted {
                                    ClientFrame::React { room, id, emoji }
                                } else {
                                    ClientFrame::Unreact { room, id, emoji }
                                }
                            } else {
                                ClientFrame::Edit { room: room.clone(), id, body: format!("edited {ticks}") }
                            };
                            let text = serde_json::to_string(&frame).unwrap_or_default();
                            if write.send(Message::text(text)).await.is_err() {
                                break;
                            }
                            seen.actions += 1;
                            continue;
                        }
                        // The reference relays bytes as they come, the app wraps the body in a
                        // message frame: pad the reference's so both deliver frames of one size.
                        let size = match target {
                            Target::App => body_bytes,
                            Target::Reference => body_bytes + *payload::APP_FRAME_OVERHEAD,
                        };
                        let body = payload::encode(index, sent, clock.elapsed().as_micros() as u64, size);
                        let text = match target {
                            Target::App => serde_json::to_string(&ClientFrame::Send {
                                room: room.clone(),
                                nonce: format!("{run_id}-{index}-{sent}"),
                                body,
                                reply_to: None,
                            })
                            .unwrap_or_default(),
                            Target::Reference => body,
                        };
                        if write.send(Message::text(text)).await.is_err() {
                            break;
                        }
                        sent += 1;
                    }
                    frame = read.next() => match frame {
                        Some(Ok(Message::Text(text))) => {
                            if let Some(id) = payload::ack_id(&text) {
                                own = Some(id);
                            } else if payload::is_change(&text) {
                                // A message's new state (a reaction, an edit): not a delivery.
                            } else if let Some((sender, seq, sent_us)) = payload::decode(&text) {
                                let now = clock.elapsed().as_micros() as u64;
                                if let Some(id) = payload::message_id(&text) {
                                    if id < seen.last_id {
                                        seen.out_of_order += 1;
                                    }
                                    seen.last_id = seen.last_id.max(id);
                                }
                                if seen.unique.insert((sender, seq)) {
                                    let latency = now.saturating_sub(sent_us).min(u64::from(u32::MAX)) as u32;
                                    seen.latencies_us.push(latency);
                                    let second = sent_us.saturating_sub(sending_from_us) / 1_000_000;
                                    seen.by_second.push((second.min(u64::from(u16::MAX)) as u16, latency));
                                    if slot_of(sender) == slot_of(index) {
                                        seen.same_us.push(latency);
                                    } else {
                                        seen.crossed_us.push(latency);
                                    }
                                } else {
                                    seen.duplicates += 1;
                                }
                            }
                        }
                        Some(Ok(_)) => {}
                        _ => break,
                    },
                    _ = stop.changed() => break,
                }
            }
            (index, sent, seen)
        }));
    }

    // Quiet for half a second (bounded: a server that never goes quiet is measured anyway).
    let settle_deadline = Instant::now() + Duration::from_secs(30);
    let mut last = setup_frames.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = setup_frames.load(Ordering::Relaxed);
        if now == last || Instant::now() >= settle_deadline {
            break;
        }
        last = now;
    }
    let rss_before = options.server_pid.and_then(stats::rss_kib);
    let lead = Duration::from_millis(50);
    let sending_from_us = (clock.elapsed() + lead).as_micros() as u64;
    let go = tokio::time::Instant::now() + lead;
    let _ = go_tx.send(Some((go, sending_from_us)));
    // CPU is counted over the sending window only, when one was asked for.
    let watched = (!options.cpu_watch.is_empty()).then(|| cpu::members(&options.cpu_watch));
    tokio::time::sleep_until(go).await;
    let cpu_before = watched.as_deref().map(cpu::snapshot);
    tokio::time::sleep_until(go + sending_for).await;
    let cpu_sending = watched
        .as_deref()
        .zip(cpu_before)
        .map(|(watched, before)| cpu::used_between(&before, &cpu::snapshot(watched)))
        .unwrap_or_default();
    tokio::time::sleep(Duration::from_secs(options.drain)).await;
    let _ = stop_tx.send(true);

    let mut latencies = Vec::new();
    let (mut same, mut crossed) = (Vec::new(), Vec::new());
    let mut by_second: Vec<Vec<u32>> = Vec::new();
    let (mut sent, mut expected, mut received, mut duplicates, mut out_of_order) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut actions = 0u64;
    for task in tasks {
        let (index, client_sent, seen) =
            task.await.map_err(|err| LoadError::Setup(format!("a client task failed: {err}")))?;
        sent += client_sent;
        expected += client_sent * members_per_room[index % rooms.len()];
        received += seen.unique.len() as u64;
        duplicates += seen.duplicates;
        out_of_order += seen.out_of_order;
        actions += seen.actions;
        latencies.extend(seen.latencies_us);
        same.extend(seen.same_us);
        crossed.extend(seen.crossed_us);
        for (second, latency) in seen.by_second {
            let second = usize::from(second);
            if by_second.len() <= second {
                by_second.resize_with(second + 1, Vec::new);
            }
            by_second[second].push(latency);
        }
    }
    same.sort_unstable();
    crossed.sort_unstable();
    latencies.sort_unstable();
    let rss_after = options.server_pid.and_then(stats::rss_kib);
    let report = stats::Report {
        target: format!("{:?}", options.server.target).to_lowercase(),
        clients: options.clients,
        rooms: rooms.len(),
        senders,
        rate: options.rate,
        duration_s: options.duration,
        sent,
        actions,
        expected,
        received,
        lost: expected.saturating_sub(received),
        duplicates,
        out_of_order,
        p50_ms: stats::quantile_ms(&latencies, 0.50),
        p95_ms: stats::quantile_ms(&latencies, 0.95),
        p99_ms: stats::quantile_ms(&latencies, 0.99),
        max_ms: stats::quantile_ms(&latencies, 1.0),
        p99_same_instance_ms: (!options.also_urls.is_empty()).then(|| stats::quantile_ms(&same, 0.99)),
        p99_crossed_ms: (!options.also_urls.is_empty()).then(|| stats::quantile_ms(&crossed, 0.99)),
        p99_by_second_ms: by_second
            .iter_mut()
            .map(|latencies| {
                latencies.sort_unstable();
                stats::quantile_ms(latencies, 0.99)
            })
            .collect(),
        deliveries_per_s: received as f64 / options.duration.max(1) as f64,
        server_rss_kib_before: rss_before,
        server_rss_kib_after: rss_after,
        cpu_s: cpu_sending,
    };
    if options.json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        report.print();
    }
    Ok(())
}

/// Logs in, signing up first if the account does not exist yet. Returns the client and its
/// cookie header.
pub async fn login(
    http: &reqwest::Client,
    url: &str,
    name: &str,
) -> Result<(reqwest::Client, String), LoadError> {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let _ = http;
    let password = "load-generator-password";
    let logged_in =
        post_form(&client, url, "/api/login", &[("username", name), ("password", password)]).await?;
    if !logged_in {
        let form = [("username", name), ("password", password), ("confirm", password)];
        if !post_form(&client, url, "/api/signup", &form).await? {
            return Err(LoadError::Setup(format!("could not sign up or log in {name}")));
        }
    }
    let base = url.parse().map_err(|err| LoadError::Setup(format!("bad URL {url}: {err}")))?;
    let cookie = jar
        .cookies(&base)
        .and_then(|value| value.to_str().ok().map(str::to_owned))
        .ok_or_else(|| LoadError::Setup("no session cookie".into()))?;
    Ok((client, cookie))
}

pub async fn post_form(
    client: &reqwest::Client,
    url: &str,
    path: &str,
    form: &[(&str, &str)],
) -> Result<bool, LoadError> {
    let response = client.post(format!("{url}{path}")).form(form).send().await?;
    Ok(response.status().is_success() || response.status().is_redirection())
}

/// The generator's side of every socket. Tungstenite zeroes its whole read buffer (128 KiB by
/// default) before each read: with a thousand clients that was a sixth of the generator's time,
/// taken from the cores the server under test shares. 4 KiB, as the servers use.
fn client_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4 * 1024)
}

/// Browsers send WebSocket frames without Nagle's delay, and so do these clients: otherwise a
/// frame can wait for a delayed ACK (40 ms on Linux) and the figures measure TCP, not servers.
const NO_NAGLE: bool = true;

async fn connect(url: &str, target: Target, cookie: &str, room: &str) -> Result<Socket, LoadError> {
    match target {
        Target::Reference => {
            let (socket, _) = tokio_tungstenite::connect_async_with_config(
                format!("{url}/{room}"),
                Some(client_config()),
                NO_NAGLE,
            )
            .await?;
            Ok(socket)
        }
        Target::App => app_socket(url, cookie, room).await,
    }
}

/// Opens the app's WebSocket with a logged-in session's cookie and joins `room`.
pub async fn app_socket(url: &str, cookie: &str, room: &str) -> Result<Socket, LoadError> {
    let ws_url = format!("{}/ws", url.replacen("http", "ws", 1));
    let mut request = ws_url.into_client_request()?;
    let header = |value: &str| HeaderValue::from_str(value).map_err(|err| LoadError::Setup(err.to_string()));
    request.headers_mut().insert("cookie", header(cookie)?);
    request.headers_mut().insert("origin", header(url)?);
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(client_config()), NO_NAGLE).await?;
    let join =
        serde_json::to_string(&ClientFrame::Join { room: room.to_owned(), after: None, changes: None })
            .unwrap_or_default();
    socket.send(Message::text(join)).await?;
    // The join is done when the room's online list comes back: only then is this client
    // counted as a member that every message must reach.
    let joined = async {
        while let Some(frame) = socket.next().await {
            if let Message::Text(text) = frame? {
                if matches!(serde_json::from_str(&text), Ok(ServerFrame::Presence { room: joined, .. }) if joined == room)
                {
                    return Ok(());
                }
            }
        }
        Err(LoadError::Setup(format!("the socket closed before joining {room}")))
    };
    tokio::time::timeout(Duration::from_secs(60), joined)
        .await
        .map_err(|_| LoadError::Setup(format!("joining {room} took over 60 s")))??;
    Ok(socket)
}
