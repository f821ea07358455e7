//! The hardening a visitor with curl would probe: cross-site requests, response headers, error
//! texts in the address, the original log-out address.

use crate::support::{spawn_app, spawn_app_with};

#[tokio::test]
async fn requests_from_another_site_change_nothing() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let own = app.url("");
    let cross_site = [
        vec![("origin", "http://evil.example"), ("sec-fetch-site", "cross-site")],
        // Another port on the same host is another origin, though the same site for cookies.
        vec![("origin", "http://127.0.0.1:1"), ("sec-fetch-site", "same-site")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "null")],
    ];
    for headers in &cross_site {
        let mut request = alice.http.post(app.url("/api/open_room")).form(&[("name", "planted")]);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), 403, "{headers:?}");
        assert!(response.text().await.expect("body").contains("came from another site"));
    }
    let rooms =
        mini_discord::server::db::rooms::by_names(&app.state.db, &["planted".to_owned()]).await.expect("db");
    assert!(rooms.is_empty(), "no room was created");

    // Login CSRF: a form elsewhere cannot log the browser into the attacker's account.
    app.signed_up("mallory").await;
    let visitor = app.person("visitor");
    let response = visitor
        .http
        .post(app.url("/api/login"))
        .header("origin", "http://evil.example")
        .form(&[("username", "mallory"), ("password", "correct horse")])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 403);
    assert_eq!(visitor.get("/rooms").await.status(), 303, "still logged out");

    // The site's own pages, as a browser sends them, work.
    let response = alice
        .http
        .post(app.url("/api/open_room"))
        .header("origin", own.trim_end_matches('/'))
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "general")])
        .send()
        .await
        .expect("request");
    assert!(response.status().is_redirection() || response.status().is_success(), "{}", response.status());
}

#[tokio::test]
async fn pages_say_what_the_browser_may_run_and_refuse_framing() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    for path in ["/", "/login", "/rooms", "/no-such-page"] {
        let response = alice.get(path).await;
        let headers = response.headers().clone();
        let policy = headers["content-security-policy"].to_str().expect("text").to_owned();
        let html = response.text().await.expect("body");
        for part in ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "'wasm-unsafe-eval'"] {
            assert!(policy.contains(part), "{path}: {part} in {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
        // Every inline script carries the nonce the policy names, and only that one.
        let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce");
        assert!(nonce.len() >= 16, "{path}: {nonce}");
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path} has the hydration script");
        assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{path}");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert!(headers.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
    let first = alice.get("/").await.headers()["content-security-policy"].clone();
    let second = alice.get("/").await.headers()["content-security-policy"].clone();
    assert_ne!(first, second, "a fresh nonce for every page");
    let file = alice.get("/healthz").await;
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert!(!file.headers()["content-security-policy"].to_str().expect("text").contains("nonce"));
}

#[tokio::test]
async fn an_error_in_the_address_shows_only_our_own_sentences() {
    let app = spawn_app().await;
    let visitor = app.person("visitor");
    // `{"Invalid":"Your account is locked, verify at http://evil.example"}`, as the framework
    // encodes a refused form's error into the address.
    let forged = "eyJJbnZhbGlkIjoiWW91ciBhY2NvdW50IGlzIGxvY2tlZCwgdmVyaWZ5IGF0IGh0dHA6Ly9ldmlsLmV4YW1wbGUifQ";
    let html =
        visitor.get(&format!("/login?__path=/api/login&__err={forged}")).await.text().await.expect("body");
    assert!(!html.contains("locked"), "the forged text is not shown");
    assert!(html.contains("Log in"));
}

#[tokio::test]
async fn the_original_log_out_address_asks_first() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let response = alice.get("/accounts/logout/").await;
    assert_eq!(response.headers()["location"], "/logout");
    let page = alice.get("/logout").await.text().await.expect("body");
    assert!(page.contains("You are logged in as"), "{page}");
    assert_eq!(alice.get("/rooms").await.status(), 200, "still logged in");
    alice.post_form("/api/logout", &[]).await;
    assert_eq!(alice.get("/rooms").await.status(), 303);
}

#[tokio::test]
async fn the_session_cookie_is_https_only_off_loopback() {
    use mini_discord::server::{config::Config, site::Site};

    let mut config = Config::for_tests("unused".into());
    assert!(!Site::of(&config).secure_cookies);
    config.public_origin = Some("https://chat.example".into());
    assert!(Site::of(&config).secure_cookies);

    let app = crate::support::spawn_app_with(|config| config.secure_cookies = Some(true)).await;
    let response = app.person("alice").signup("alice", "correct horse", "correct horse").await;
    let cookie = response.headers()["set-cookie"].to_str().expect("text").to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(response.headers().contains_key("strict-transport-security"));
}

/// The sentence and the Retry-After of a refused attempt, or `None` when it was not refused.
async fn refusal(response: reqwest::Response) -> Option<(String, u64)> {
    if response.status() != 429 && response.status() != 503 {
        return None;
    }
    let retry_after = response.headers()["retry-after"].to_str().expect("text").parse().expect("seconds");
    let body = response.text().await.expect("body");
    let text = serde_json::from_str::<mini_discord::error::AppError>(&body).expect("our error").to_string();
    Some((text, retry_after))
}

#[tokio::test]
async fn guessing_a_password_is_slowed_down_whether_or_not_the_account_exists() {
    let app = spawn_app().await;
    app.signed_up("alice").await;
    let free = app.state.config.limits.login_failures_per_account;
    for name in ["alice", "nobody"] {
        let guesser = app.person("guesser");
        for attempt in 0..free + 1 {
            let response = guesser.login(name, "wrong password").await;
            assert_eq!(response.status(), 401, "{name}: attempt {attempt} is only told it was wrong");
        }
        let (text, retry_after) = refusal(guesser.login(name, "correct horse").await).await.expect("refused");
        assert_eq!(text, "Too many attempts. Try again in 1 seconds.", "{name}");
        assert_eq!(retry_after, 1);
    }
    // Once the wait is over, the right password works and clears the count.
    let alice = app.person("alice");
    let mut response = alice.login("alice", "correct horse").await;
    while let Some((_, retry_after)) = refusal(response).await {
        tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
        response = alice.login("alice", "correct horse").await;
    }
    assert_eq!(alice.get("/rooms").await.status(), 200);
}

#[tokio::test]
async fn sign_ups_from_one_address_are_limited() {
    let app = spawn_app_with(|config| config.limits.signups_per_address_per_hour = 2).await;
    app.signed_up("one").await;
    app.signed_up("two").await;
    let response = app.person("three").signup("three", "correct horse", "correct horse").await;
    let (text, retry_after) = refusal(response).await.expect("refused");
    assert!(text.starts_with("Too many attempts"), "{text}");
    assert!(retry_after > 3000, "{retry_after}");
}

#[tokio::test]
async fn a_flood_of_log_ins_is_answered_busy_at_once_not_queued() {
    let app = spawn_app_with(|config| {
        config.limits.login_failures_per_address = 10_000;
        config.limits.login_failures_per_account = 10_000;
    })
    .await;
    app.signed_up("alice").await;
    let flood = (0..200).map(|n| {
        let person = app.person("flood");
        async move { person.login(&format!("user{n}"), "wrong password").await }
    });
    let answers = futures::future::join_all(flood).await;
    let mut busy = 0;
    for response in answers {
        match response.status().as_u16() {
            401 => {}
            503 => {
                let (text, retry_after) = refusal(response).await.expect("busy");
                assert_eq!(text, "The server is busy. Please try again in a moment.");
                assert_eq!(retry_after, 1);
                busy += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0, "a full hashing queue answers 503 rather than queueing everyone");
    assert!(!app.person("alice").login("alice", "correct horse").await.status().is_client_error());
}

#[tokio::test]
async fn opening_a_rooms_address_never_creates_it() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let page = alice.get("/rooms/linked-from-elsewhere").await;
    assert_eq!(page.status(), 404);
    let html = page.text().await.expect("body");
    assert!(html.contains("No room named"), "the page offers to create it");
    assert!(html.contains("Create the room"));
    let found = mini_discord::server::db::rooms::by_name(&app.state.db, "linked-from-elsewhere").await;
    assert!(found.expect("db").is_none(), "nothing was created");
    // The offer is a POST, and it creates the room.
    alice.open_room("linked-from-elsewhere").await;
    assert_eq!(alice.get("/rooms/linked-from-elsewhere").await.status(), 200);
}

#[tokio::test]
async fn room_names_are_one_room_whatever_their_case() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("Caseh89").await;
    let response = alice.post_form("/api/open_room", &[("name", "caseh89")]).await;
    assert_eq!(response.headers()["location"], "/rooms/Caseh89", "the existing room, as it is spelt");
    let page = alice.get("/rooms/CASEH89").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("body").contains("#Caseh89"));
    let rooms = mini_discord::server::db::rooms::all(&app.state.db).await.expect("db");
    assert_eq!(rooms.len(), 1);
}

#[tokio::test]
async fn rooms_created_per_hour_are_capped() {
    let app = spawn_app_with(|config| config.limits.rooms_created_per_hour = 3).await;
    let alice = app.signed_up("alice").await;
    for n in 0..3 {
        alice.open_room(&format!("room{n}")).await;
    }
    let refused = alice.post_form("/api/open_room", &[("name", "room3")]).await;
    assert_eq!(refused.status(), 429);
    let body = refused.text().await.expect("body");
    let text = serde_json::from_str::<mini_discord::error::AppError>(&body).expect("our error").to_string();
    assert_eq!(text, "You have created 3 rooms in the last hour, the most allowed. Try again later.");
    // Opening existing rooms is not creating: still fine.
    alice.open_room("room0").await;
    app.signed_up("bob").await.open_room("room3").await;
}

#[tokio::test]
async fn one_account_cannot_hold_every_socket() {
    use mini_discord::shared::protocol::CLOSE_TOO_MANY_SOCKETS;

    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let most = app.state.config.limits.sockets_per_user;
    let mut open = Vec::new();
    for _ in 0..most {
        open.push(alice.socket().await);
    }
    let mut refused = alice.unready_socket(Some(&app.url(""))).await.expect("upgrade");
    assert_eq!(refused.closed().await, Some(CLOSE_TOO_MANY_SOCKETS));
    app.signed_up("bob").await.socket().await;
    // A closed tab frees its place.
    let mut closing = open.pop().expect("a socket");
    closing.stream.close(None).await.expect("close");
    drop(closing);
    let mut reopened = None;
    for _ in 0..50 {
        let mut socket = alice.unready_socket(Some(&app.url(""))).await.expect("upgrade");
        if let Some(mini_discord::shared::protocol::ServerFrame::Ready { .. }) = socket.next_frame().await {
            reopened = Some(socket);
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(reopened.is_some(), "the place was freed");
}

#[tokio::test]
async fn one_socket_joins_a_bounded_number_of_rooms() {
    use mini_discord::shared::protocol::{ClientFrame, ServerFrame};

    let app = spawn_app_with(|config| {
        config.limits.rooms_per_connection = 3;
    })
    .await;
    let alice = app.signed_up("alice").await;
    for n in 0..4 {
        alice.open_room(&format!("r{n}")).await;
    }
    let mut socket = alice.socket().await;
    for n in 0..3 {
        socket.join(&format!("r{n}")).await;
    }
    socket.send(&ClientFrame::Join { room: "r3".into(), after: None, changes: None }).await;
    let message = socket
        .expect(|frame| match frame {
            ServerFrame::Error { message, .. } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(message, "One tab can be in at most 3 rooms at once: leave one first.");
    socket.send(&ClientFrame::Leave { room: "r0".into() }).await;
    socket.join("r3").await;
}

#[tokio::test]
async fn the_room_list_comes_in_pages_with_a_filter() {
    use mini_discord::shared::views::RoomDirectory;

    let app = spawn_app_with(|config| config.limits.rooms_created_per_hour = 1000).await;
    let alice = app.signed_up("alice").await;
    for n in 0..120 {
        let name = if n % 10 == 0 { format!("Team-{n:03}") } else { format!("room-{n:03}") };
        mini_discord::server::db::rooms::get_or_create(&app.state.db, &name, 1).await.expect("room");
    }
    let page = |filter: &'static str, page: &'static str| {
        let alice = &alice;
        async move {
            let response = alice.post_form("/api/rooms", &[("filter", filter), ("page", page)]).await;
            response.json::<RoomDirectory>().await.expect("a room page")
        }
    };
    let first = page("", "0").await;
    assert_eq!(first.rooms.len(), 50);
    assert!(first.has_more);
    let last = page("", "2").await;
    assert_eq!(last.rooms.len(), 20);
    assert!(!last.has_more);
    let teams = page("team", "0").await;
    let names: Vec<&str> = teams.rooms.iter().map(|room| room.name.as_str()).collect();
    assert_eq!(names.len(), 12, "{names:?}");
    assert!(names.iter().all(|name| name.starts_with("Team-")));
    // Wildcards are taken literally.
    assert!(page("%", "0").await.rooms.is_empty());
    // A page past any end is empty, not an error.
    assert!(page("", "18446744073709551615").await.rooms.is_empty());

    let html = alice.get("/rooms?q=team").await.text().await.expect("body");
    assert!(html.contains("Team-010") && !html.contains("room-011"), "the page is filtered");
    let html = alice.get("/rooms?page=2").await.text().await.expect("body");
    assert!(html.contains("Previous page") && html.contains("Next page"));
    let html = alice.get("/rooms?q=nothing-like-it").await.text().await.expect("body");
    assert!(html.contains("No rooms match “nothing-like-it”."));
}

#[tokio::test]
async fn joining_and_leaving_in_a_flurry_announces_nothing_to_the_room() {
    use mini_discord::shared::protocol::{ClientFrame, ServerFrame};

    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("general").await;
    let mut bobs = bob.socket().await;
    bobs.join("general").await;
    let mut alices = alice.socket().await;
    alices.join("general").await;
    for _ in 0..20 {
        alices.send(&ClientFrame::Leave { room: "general".into() }).await;
        alices.join("general").await;
    }
    alices
        .send(&ClientFrame::Send {
            room: "general".into(),
            nonce: "after".into(),
            body: "still here".into(),
            reply_to: None,
        })
        .await;
    let mut announcements = Vec::new();
    loop {
        match bobs.next_frame().await.expect("frames until alice's message") {
            ServerFrame::Message { message } if message.body == "still here" => break,
            frame @ (ServerFrame::Arrived { .. } | ServerFrame::Departed { .. }) => announcements.push(frame),
            _ => {}
        }
    }
    assert_eq!(
        announcements,
        vec![ServerFrame::Arrived { room: "general".into(), user: "alice".into() }],
        "bob heard alice arrive once, and nothing of her 20 leaves and returns"
    );
}

/// The writer gave up waiting and the sender was told "not saved", but the message was stored
/// after all (a slow disk): the sender's retry keeps its nonce, so it is acknowledged with the
/// stored message, not stored again.
#[tokio::test]
async fn a_retry_after_not_saved_is_stored_once_even_if_the_original_was_stored_late() {
    use mini_discord::{
        server::db::{messages, rooms, users},
        shared::protocol::{ClientFrame, ServerFrame},
    };

    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("general").await;
    let db = &app.state.db;
    let room = rooms::by_name(db, "general").await.expect("db").expect("room");
    let author = users::Author::from(&users::by_name(db, "alice").await.expect("db").expect("user"));
    let late =
        messages::insert(db, &room, &author, "slow but stored", Some("n-1")).await.expect("stored late");
    let late_id = match late {
        messages::Stored::New(message) | messages::Stored::Duplicate(message) => message.id,
    };
    let mut socket = alice.socket().await;
    socket.join("general").await;
    let retry = ClientFrame::Send {
        room: "general".into(),
        nonce: "n-1".into(),
        body: "slow but stored".into(),
        reply_to: None,
    };
    socket.send(&retry).await;
    let acked = socket
        .expect(|frame| match frame {
            ServerFrame::Ack { nonce, id } if nonce == "n-1" => Some(id),
            _ => None,
        })
        .await;
    assert_eq!(acked, late_id);
    let history = messages::recent(db, &room, 10).await.expect("history").items;
    assert_eq!(history.len(), 1, "stored once");
}

#[tokio::test]
async fn every_request_is_answered_in_bounded_time() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // A bound of zero, and a client that promises a body and never sends it: the bound answers.
    let app = spawn_app_with(|config| config.limits.request_timeout_secs = 0).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connects");
    let head = format!(
        "POST /api/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 100\r\n\r\nusername=",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    let mut answer = vec![0; 64];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("an answer, not an endless wait")
        .expect("reads");
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
}

#[tokio::test]
async fn socket_frames_find_a_room_whatever_the_case_they_spell_it_in() {
    use mini_discord::shared::protocol::{ClientFrame, ServerFrame};

    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("Games").await;
    let mut socket = alice.socket().await;
    socket.send(&ClientFrame::Join { room: "games".into(), after: None, changes: None }).await;
    socket
        .expect(|frame| match frame {
            ServerFrame::Presence { room, .. } if room == "Games" => Some(()),
            _ => None,
        })
        .await;
    socket
        .send(&ClientFrame::Send {
            room: "GAMES".into(),
            nonce: "n".into(),
            body: "hi".into(),
            reply_to: None,
        })
        .await;
    let stored = socket
        .expect(|frame| match frame {
            ServerFrame::Message { message } => Some(message.room),
            ServerFrame::Error { message, .. } => panic!("{message}"),
            _ => None,
        })
        .await;
    assert_eq!(stored, "Games");
    // Leaving by another spelling leaves: joining again is a fresh join, answered with the list
    // (a join of a room already joined is answered with nothing).
    socket.send(&ClientFrame::Leave { room: "gAmEs".into() }).await;
    socket.send(&ClientFrame::Join { room: "Games".into(), after: None, changes: None }).await;
    socket
        .expect(|frame| match frame {
            ServerFrame::Presence { room, .. } if room == "Games" => Some(()),
            _ => None,
        })
        .await;
}
