//! How fast a room's history is served: the room page itself (server-rendered, latest messages),
//! older pages through the `history` server function, and the page a link to a message
//! opens (server-rendered, the history around it), timed from the client over loopback, one
//! request at a time.

use std::time::Instant;

use serde::Serialize;

use crate::{
    run::{self, LoadError},
    stats,
    wire::views::HistoryPage,
};

#[derive(clap::Args, Debug)]
pub struct Options {
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    url: String,
    /// The room to read (it must exist; scripts/bench.sh fills one with a million messages).
    #[arg(long)]
    room: String,
    /// Requests of each kind.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    #[arg(long, default_value = "reader")]
    user: String,
    /// Only log in and open the room (so a script can fill it), then stop.
    #[arg(long)]
    prepare: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    room: String,
    messages_in_room: i64,
    requests: usize,
    room_page_p50_ms: f64,
    room_page_p95_ms: f64,
    older_page_p50_ms: f64,
    older_page_p95_ms: f64,
    linked_page_p50_ms: f64,
    linked_page_p95_ms: f64,
}

pub async fn run(options: Options) -> Result<(), LoadError> {
    let (client, _) = run::login(&reqwest::Client::new(), &options.url, &options.user).await?;
    if !run::post_form(&client, &options.url, "/api/open_room", &[("name", options.room.as_str())]).await? {
        return Err(LoadError::Setup(format!("could not open room {}", options.room)));
    }
    if options.prepare {
        return Ok(());
    }
    let page_url = format!("{}/rooms/{}", options.url, options.room);

    let mut page_us = Vec::with_capacity(options.requests);
    let mut newest = 0i64;
    for n in 0..=options.requests {
        let started = Instant::now();
        let response = client.get(&page_url).send().await?;
        let status = response.status();
        let html = response.text().await?;
        let elapsed = started.elapsed();
        if !status.is_success() {
            return Err(LoadError::Setup(format!("{page_url} answered {status}")));
        }
        // The first request warms caches (SQLite pages, the allocator); it is not counted.
        if n == 0 {
            newest =
                newest_id(&html).ok_or_else(|| LoadError::Setup("the room page shows no messages".into()))?;
        } else {
            page_us.push(elapsed.as_micros().min(u128::from(u32::MAX)) as u32);
        }
    }

    // Older pages from all over the history: walking back from the newest, and jumping to
    // evenly spread depths (the index makes depth irrelevant, and this shows it).
    let mut older_us = Vec::with_capacity(options.requests);
    let mut before = newest;
    for n in 0..options.requests {
        let at = if n % 2 == 0 { before } else { 1 + newest * n as i64 / options.requests as i64 };
        let started = Instant::now();
        let response = client
            .post(format!("{}/api/history", options.url))
            .form(&[("room", options.room.as_str()), ("before", &at.to_string())])
            .send()
            .await?;
        let status = response.status();
        let body = response.text().await?;
        older_us.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        if !status.is_success() {
            return Err(LoadError::Setup(format!("history answered {status}: {body}")));
        }
        let page: HistoryPage = serde_json::from_str(&body)
            .map_err(|err| LoadError::Setup(format!("history answer unreadable: {err}")))?;
        if n % 2 == 0 {
            before = page.messages.first().map(|m| m.id).unwrap_or(newest);
        }
    }

    // Links to messages spread over the whole history, from the first to the newest.
    let mut linked_us = Vec::with_capacity(options.requests);
    for n in 0..options.requests {
        let id = 1 + (newest - 1) * n as i64 / options.requests.max(1) as i64;
        let url = format!("{page_url}/messages/{id}");
        let started = Instant::now();
        let response = client.get(&url).send().await?;
        let status = response.status();
        let html = response.text().await?;
        linked_us.push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        if !status.is_success() || !html.contains(&format!("data-id=\"{id}\"")) {
            return Err(LoadError::Setup(format!("{url} answered {status} without message {id}")));
        }
    }

    page_us.sort_unstable();
    older_us.sort_unstable();
    linked_us.sort_unstable();
    let report = Report {
        room: options.room.clone(),
        messages_in_room: newest,
        requests: options.requests,
        room_page_p50_ms: stats::quantile_ms(&page_us, 0.5),
        room_page_p95_ms: stats::quantile_ms(&page_us, 0.95),
        older_page_p50_ms: stats::quantile_ms(&older_us, 0.5),
        older_page_p95_ms: stats::quantile_ms(&older_us, 0.95),
        linked_page_p50_ms: stats::quantile_ms(&linked_us, 0.5),
        linked_page_p95_ms: stats::quantile_ms(&linked_us, 0.95),
    };
    if options.json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        println!(
            "room page         p50 {:.2} ms  p95 {:.2} ms",
            report.room_page_p50_ms, report.room_page_p95_ms
        );
        println!(
            "older page        p50 {:.2} ms  p95 {:.2} ms",
            report.older_page_p50_ms, report.older_page_p95_ms
        );
        println!(
            "linked page       p50 {:.2} ms  p95 {:.2} ms",
            report.linked_page_p50_ms, report.linked_page_p95_ms
        );
    }
    Ok(())
}

/// The highest message id on a room page: every message row carries `data-id="N"`.
fn newest_id(html: &str) -> Option<i64> {
    html.match_indices("data-id=\"")
        .filter_map(|(at, marker)| {
            let rest = &html[at + marker.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_id_is_read_off_the_message_rows() {
        let html = r#"<li data-id="7">a</li><li data-id="12">b</li><li data-id="x">c</li>"#;
        assert_eq!(newest_id(html), Some(12));
        assert_eq!(newest_id("<p>empty</p>"), None);
    }
}
