//! Memory per idle connection: log in a few users, open many sockets with their sessions (each
//! joins a room, as a tab on a room page does), let them sit, and read the server's resident
//! memory before and after.

use std::time::Duration;

use futures::{stream::FuturesUnordered, StreamExt};
use serde::Serialize;
use tokio::sync::watch;

use crate::{
    run::{self, LoadError, Target},
    stats,
};

#[derive(clap::Args, Debug)]
pub struct Options {
    #[command(flatten)]
    server: run::Server,
    /// Sockets to open.
    #[arg(long, default_value_t = 10_000)]
    sockets: usize,
    /// Users they belong to (a user with several tabs has several sockets).
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Rooms they are spread over.
    #[arg(long, default_value_t = 100)]
    rooms: usize,
    /// Seconds to hold them open before reading the server's memory.
    #[arg(long, default_value_t = 5)]
    hold: u64,
    /// The server's process id (its memory is the point of this run).
    #[arg(long)]
    server_pid: u32,
    #[arg(long, default_value = "idle")]
    prefix: String,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    target: String,
    sockets: usize,
    users: usize,
    rooms: usize,
    server_rss_kib_before: u64,
    server_rss_kib_after: u64,
    kib_per_socket: f64,
}

pub async fn run(options: Options) -> Result<(), LoadError> {
    let rooms: Vec<String> =
        (0..options.rooms.max(1)).map(|n| format!("{}-room-{n}", options.prefix)).collect();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let mut cookies = Vec::new();
    if matches!(options.server.target, Target::App) {
        let (opener, _) =
            run::login(&http, &options.server.url, &format!("{}-opener", options.prefix)).await?;
        for room in &rooms {
            run::post_form(&opener, &options.server.url, "/api/open_room", &[("name", room)]).await?;
        }
        // Logging in hashes a password on purpose slowly: a few at a time.
        let mut pending = FuturesUnordered::new();
        for n in 0..options.users.max(1) {
            let (http, url, name) =
                (http.clone(), options.server.url.clone(), format!("{}{n}", options.prefix));
            pending.push(async move { run::login(&http, &url, &name).await.map(|(_, cookie)| cookie) });
            if pending.len() >= 8 {
                if let Some(cookie) = pending.next().await {
                    cookies.push(cookie?);
                }
            }
        }
        while let Some(cookie) = pending.next().await {
            cookies.push(cookie?);
        }
    }
    // Whatever the log-ins left behind (hashing memory) is part of "before", not of the sockets.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = stats::rss_kib(options.server_pid)
        .ok_or_else(|| LoadError::Setup("no such server process".into()))?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let mut holders = Vec::with_capacity(options.sockets);
    let mut pending = FuturesUnordered::new();
    for n in 0..options.sockets {
        let room = rooms[n % rooms.len()].clone();
        let url = options.server.url.clone();
        let cookie = cookies.get(n % cookies.len().max(1)).cloned().unwrap_or_default();
        let target = options.server.target;
        pending.push(async move {
            match target {
                Target::App => run::app_socket(&url, &cookie, &room).await,
                Target::Reference => Ok(tokio_tungstenite::connect_async(format!("{url}/{room}")).await?.0),
            }
        });
        if pending.len() >= 64 {
            if let Some(socket) = pending.next().await {
                holders.push(hold(socket?, stop_rx.clone()));
            }
        }
    }
    while let Some(socket) = pending.next().await {
        holders.push(hold(socket?, stop_rx.clone()));
    }
    tokio::time::sleep(Duration::from_secs(options.hold)).await;
    let after =
        stats::rss_kib(options.server_pid).ok_or_else(|| LoadError::Setup("the server went away".into()))?;
    let _ = stop_tx.send(true);
    for holder in holders {
        let _ = holder.await;
    }

    let report = Report {
        target: format!("{:?}", options.server.target).to_lowercase(),
        sockets: options.sockets,
        users: cookies.len(),
        rooms: rooms.len(),
        server_rss_kib_before: before,
        server_rss_kib_after: after,
        kib_per_socket: after.saturating_sub(before) as f64 / options.sockets.max(1) as f64,
    };
    if options.json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        println!(
            "{} sockets of {} users in {} rooms ({})",
            report.sockets, report.users, report.rooms, report.target
        );
        println!("server RSS KiB    {before} before, {after} after");
        println!("per socket        {:.1} KiB", report.kib_per_socket);
    }
    Ok(())
}

/// Keeps reading a socket (so pings are answered, as a browser does) until told to stop.
fn hold(mut socket: run::Socket, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                frame = socket.next() => if !matches!(frame, Some(Ok(_))) { return },
                _ = stop.changed() => return,
            }
        }
    })
}
