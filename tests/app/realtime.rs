//! The hub and the WebSocket handler against a real server on loopback, with real clients.

use mini_discord::{
    server::db::SqliteDurability,
    shared::protocol::{ClientFrame, ServerFrame},
};

use crate::support::{spawn_app, spawn_app_with};

fn send(room: &str, nonce: &str, body: &str) -> ClientFrame {
    ClientFrame::Send { room: room.into(), nonce: nonce.into(), body: body.into(), reply_to: None }
}

#[tokio::test]
async fn a_message_is_stored_acknowledged_and_delivered_to_everyone_in_the_room() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("general").await;

    let mut a = alice.socket().await;
    let mut b = bob.socket().await;
    assert_eq!(a.join("general").await, vec!["alice"]);
    assert_eq!(b.join("general").await, vec!["alice", "bob"]);
    // Alice sees Bob arrive.
    let arrived = a
        .expect(|f| match f {
            ServerFrame::Arrived { user, .. } if user != "alice" => Some(user),
            _ => None,
        })
        .await;
    assert_eq!(arrived, "bob");

    a.send(&send("general", "n-1", "  hello <b>bob</b>  ")).await;
    let got = b
        .expect(|f| match f {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(
        (got.author.as_str(), got.body.as_str(), got.room.as_str()),
        ("alice", "hello <b>bob</b>", "general")
    );
    // Alice's own socket hears the ack before her message, so her tab knows the message by its
    // nonce when it arrives.
    let mut own = Vec::new();
    while own.len() < 2 {
        own.push(
            a.expect(|f| matches!(f, ServerFrame::Ack { .. } | ServerFrame::Message { .. }).then_some(f))
                .await,
        );
    }
    assert_eq!(
        own,
        vec![
            ServerFrame::Ack { nonce: "n-1".into(), id: got.id },
            ServerFrame::Message { message: got.clone() }
        ]
    );

    // It is in the history a page load shows.
    let page = bob.get("/rooms/general").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    assert!(html.contains("hello &lt;b&gt;bob&lt;/b&gt;"), "history is rendered, escaped");
    assert!(!html.contains("<b>bob</b>"));
}

#[tokio::test]
async fn bad_frames_get_an_error_and_the_connection_stays_open() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("general").await;
    let mut socket = alice.socket().await;
    socket.join("general").await;

    socket.send_raw("not json").await;
    let err = socket
        .expect(|f| match f {
            ServerFrame::Error { message, .. } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(err, "Unrecognised frame");

    socket.send(&send("general", "long", &"x".repeat(2001))).await;
    let (message, nonce) = socket
        .expect(|f| match f {
            ServerFrame::Error { message, nonce } => Some((message, nonce)),
            _ => None,
        })
        .await;
    assert_eq!(message, "Messages are 1–2000 characters");
    assert_eq!(nonce.as_deref(), Some("long"));

    socket.send(&send("general", "blank", "   ")).await;
    socket.expect(|f| matches!(f, ServerFrame::Error { .. }).then_some(())).await;

    socket.send(&send("elsewhere", "n", "hi")).await;
    let err = socket
        .expect(|f| match f {
            ServerFrame::Error { message, .. } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(err, "No such room");

    socket.send(&ClientFrame::Join { room: "bad name!".into(), after: None, changes: None }).await;
    let err = socket
        .expect(|f| match f {
            ServerFrame::Error { message, .. } => Some(message),
            _ => None,
        })
        .await;
    assert!(err.starts_with("Room names are"));

    // Still open: a good message goes through, and none of the refused ones were stored.
    socket.send(&send("general", "ok", "still here")).await;
    let id = socket
        .expect(|f| match f {
            ServerFrame::Ack { id, .. } => Some(id),
            _ => None,
        })
        .await;
    let html = alice.get("/rooms/general").await.text().await.expect("body");
    assert!(html.contains("still here"));
    assert!(!html.contains(&"x".repeat(2001)));
    assert!(id > 0);
}

#[tokio::test]
async fn presence_counts_a_user_once_and_clears_when_the_last_tab_closes() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("general").await;
    let mut watcher = bob.socket().await;
    watcher.join("general").await;

    let mut tab1 = alice.socket().await;
    let mut tab2 = alice.socket().await;
    tab1.join("general").await;
    assert_eq!(tab2.join("general").await, vec!["alice", "bob"]);
    let arrived = watcher
        .expect(|f| match f {
            ServerFrame::Arrived { user, .. } => Some(user),
            _ => None,
        })
        .await;
    assert_eq!(arrived, "alice", "announced once, for the first tab");

    drop(tab1);
    drop(tab2);
    let departed = watcher
        .expect(|f| match f {
            ServerFrame::Departed { user, .. } => Some(user),
            _ => None,
        })
        .await;
    assert_eq!(departed, "alice", "announced once, when the last tab went");
}

#[tokio::test]
async fn the_room_list_sees_rooms_fill_and_empty_live() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    let mut lobby = bob.socket().await;
    lobby.send(&ClientFrame::WatchRooms).await;

    alice.open_room("fresh").await;
    lobby
        .expect(|f| match f {
            ServerFrame::RoomActivity { room, online: 0 } if room == "fresh" => Some(()),
            _ => None,
        })
        .await;
    let mut socket = alice.socket().await;
    socket.join("fresh").await;
    lobby
        .expect(|f| match f {
            ServerFrame::RoomActivity { room, online: 1 } if room == "fresh" => Some(()),
            _ => None,
        })
        .await;
}

#[tokio::test]
async fn a_rejoining_tab_gets_what_it_missed() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("general").await;
    let mut a = alice.socket().await;
    a.join("general").await;
    a.send(&send("general", "1", "first")).await;
    let first = a
        .expect(|f| match f {
            ServerFrame::Ack { id, .. } => Some(id),
            _ => None,
        })
        .await;
    a.send(&send("general", "2", "second")).await;
    a.expect(|f| matches!(f, ServerFrame::Ack { .. }).then_some(())).await;

    let mut b = bob.socket().await;
    b.send(&ClientFrame::Join { room: "general".into(), after: Some(first), changes: None }).await;
    let missed = b
        .expect(|f| match f {
            ServerFrame::Message { message } => Some(message.body),
            _ => None,
        })
        .await;
    assert_eq!(missed, "second");
}

#[tokio::test]
async fn anonymous_and_cross_site_sockets_are_refused() {
    let app = spawn_app().await;
    let stranger = app.person("stranger");
    assert!(stranger.socket_with_origin(None).await.is_err(), "no session, no socket");

    let alice = app.signed_up("alice").await;
    assert!(alice.socket_with_origin(Some("http://evil.example")).await.is_err(), "foreign Origin refused");
    assert!(alice.socket_with_origin(None).await.is_ok(), "non-browser clients with a session may connect");
}

#[tokio::test]
async fn disabling_an_account_ends_its_sockets_at_once() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let mut socket = alice.socket().await;
    let user =
        mini_discord::server::db::users::by_name(&app.state.db, "alice").await.expect("db").expect("user");
    mini_discord::server::db::users::set_disabled(&app.state.db, user.id, true).await.expect("db");
    app.state.hub.sign_out_user(user.id, "This account is disabled").await;
    let reason = socket
        .expect(|f| match f {
            ServerFrame::SignedOut { reason } => Some(reason),
            _ => None,
        })
        .await;
    assert_eq!(reason, "This account is disabled");
    assert_eq!(socket.closed().await, Some(4001));
}

#[tokio::test]
async fn a_resend_with_the_same_nonce_is_stored_and_delivered_once() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("general").await;
    let mut a = alice.socket().await;
    let mut b = bob.socket().await;
    a.join("general").await;
    b.join("general").await;

    a.send(&send("general", "same", "only once")).await;
    let first = a
        .expect(|f| match f {
            ServerFrame::Ack { id, .. } => Some(id),
            _ => None,
        })
        .await;
    a.send(&send("general", "same", "only once")).await;
    let second = a
        .expect(|f| match f {
            ServerFrame::Ack { id, .. } => Some(id),
            _ => None,
        })
        .await;
    assert_eq!(first, second, "the resend is acknowledged with the stored id");

    // Bob receives it once: the next message he sees after it is a different one.
    a.send(&send("general", "other", "next")).await;
    let seen: Vec<String> = vec![
        b.expect(|f| match f {
            ServerFrame::Message { message } => Some(message.body),
            _ => None,
        })
        .await,
        b.expect(|f| match f {
            ServerFrame::Message { message } => Some(message.body),
            _ => None,
        })
        .await,
    ];
    assert_eq!(seen, ["only once", "next"]);
}

#[tokio::test]
async fn a_tab_that_missed_too_much_is_told_to_reload() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("busy").await;
    let room =
        mini_discord::server::db::rooms::by_name(&app.state.db, "busy").await.expect("db").expect("room");
    let user =
        mini_discord::server::db::users::by_name(&app.state.db, "alice").await.expect("db").expect("user");
    let user = mini_discord::server::db::users::Author::from(&user);
    let limit = app.state.config.limits.replay_limit;
    for n in 0..=limit {
        mini_discord::server::db::messages::insert(&app.state.db, &room, &user, &format!("m{n}"), None)
            .await
            .expect("stored");
    }
    let mut socket = alice.socket().await;
    socket.send(&ClientFrame::Join { room: "busy".into(), after: Some(0), changes: None }).await;
    let room = socket
        .expect(|f| match f {
            ServerFrame::Resync { room } => Some(room),
            _ => None,
        })
        .await;
    assert_eq!(room, "busy");
}

#[tokio::test]
async fn a_silent_connection_is_reaped_and_leaves_presence() {
    let app = crate::support::spawn_app_with(|config| {
        config.limits.ping_interval_secs = 1;
        config.limits.idle_timeout_secs = 2;
    })
    .await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("general").await;
    let mut a = alice.socket().await;
    a.join("general").await;
    let mut b = bob.socket().await;
    b.join("general").await;
    a.expect(|f| match f {
        ServerFrame::Arrived { user, .. } if user == "bob" => Some(()),
        _ => None,
    })
    .await;

    // Bob's tab stops reading (and so never answers a ping), like a machine that went to sleep.
    // Alice keeps reading, so her client answers pings and she stays.
    let departed = a
        .expect(|f| match f {
            ServerFrame::Departed { user, .. } => Some(user),
            _ => None,
        })
        .await;
    assert_eq!(departed, "bob");
    drop(b);
}

#[tokio::test]
async fn concurrent_senders_are_seen_by_everyone_in_one_id_order() {
    // `full` (the default) acknowledges and publishes each batch after the writer's own fsync of
    // the log, beside the next batch's insert; `normal` right after the commit.
    for durability in [SqliteDurability::Full, SqliteDurability::Normal] {
        let app = spawn_app_with(|config| config.sqlite_durability = durability).await;
        let reader = app.signed_up("reader").await;
        reader.open_room("busy").await;
        let mut r = reader.socket().await;
        r.join("busy").await;

        let mut senders = Vec::new();
        for n in 0..3 {
            let person = app.signed_up(&format!("sender{n}")).await;
            let mut socket = person.socket().await;
            socket.join("busy").await;
            senders.push((person, socket));
        }
        let sends = senders.iter_mut().enumerate().map(|(n, (_, socket))| async move {
            for i in 0..30 {
                socket.send(&send("busy", &format!("{n}-{i}"), &format!("from {n}: {i}"))).await;
            }
            // Every message is acknowledged before the sender hears it from the room.
            let mut acked = std::collections::HashSet::new();
            while acked.len() < 30 {
                match socket
                    .expect(|f| {
                        matches!(f, ServerFrame::Ack { .. } | ServerFrame::Message { .. }).then_some(f)
                    })
                    .await
                {
                    ServerFrame::Ack { id, .. } => {
                        acked.insert(id);
                    }
                    ServerFrame::Message { message } if message.author == format!("sender{n}") => {
                        assert!(
                            acked.contains(&message.id),
                            "{durability:?}: message {} before its ack",
                            message.id
                        );
                    }
                    _ => {}
                }
            }
        });
        futures::future::join_all(sends).await;

        let mut ids = Vec::new();
        while ids.len() < 90 {
            let id = r
                .expect(|f| match f {
                    ServerFrame::Message { message } => Some(message.id),
                    _ => None,
                })
                .await;
            ids.push(id);
        }
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "{durability:?}: delivered in strictly increasing id order: {ids:?}"
        );
        assert_eq!(app.count_rows("messages").await, 90, "{durability:?}: every message stored once");
    }
}

#[tokio::test]
async fn a_reader_that_falls_behind_is_dropped_and_the_room_carries_on() {
    use axum::extract::ws::Message;
    use mini_discord::server::{chat::Actor, db::users, ws};

    let app = crate::support::spawn_app_with(|config| config.limits.outgoing_queue = 16).await;
    let alice = app.signed_up("alice").await;
    app.signed_up("bob").await;
    alice.open_room("general").await;
    let mut a = alice.socket().await;
    a.join("general").await;

    // Bob's tab joins, then stops reading: his end of the connection takes one frame and then
    // never another (TCP would do the same, only after megabytes of kernel buffers).
    let bob = Actor::from(&users::by_name(&app.state.db, "bob").await.expect("query").expect("bob exists"));
    let (to_bob, mut bobs_screen) = futures::channel::mpsc::channel::<Message>(0);
    let (bob_types, from_bob) =
        futures::channel::mpsc::unbounded::<Result<Message, std::convert::Infallible>>();
    let join =
        serde_json::to_string(&ClientFrame::Join { room: "general".into(), after: None, changes: None })
            .expect("frame");
    bob_types.unbounded_send(Ok(Message::Text(join.into()))).expect("bob types");
    let bobs_connection = tokio::spawn(ws::serve(to_bob, from_bob, app.state.clone(), bob, None));
    a.expect(|f| match f {
        ServerFrame::Arrived { user, .. } if user == "bob" => Some(()),
        _ => None,
    })
    .await;

    // Alice keeps talking: every message of hers is stored and acknowledged, and Bob, whose
    // queue overflows, is dropped from the room instead of holding it back.
    let mut bob_left = false;
    for n in 0..40 {
        a.send(&send("general", &format!("n{n}"), &format!("message {n}"))).await;
        loop {
            match a.next_frame().await.expect("alice's connection stays open") {
                ServerFrame::Ack { .. } => break,
                ServerFrame::Departed { user, .. } if user == "bob" => bob_left = true,
                _ => {}
            }
        }
    }
    if !bob_left {
        a.expect(|f| match f {
            ServerFrame::Departed { user, .. } if user == "bob" => Some(()),
            _ => None,
        })
        .await;
    }
    tokio::time::timeout(std::time::Duration::from_secs(5), bobs_connection)
        .await
        .expect("bob's connection ended")
        .expect("cleanly");
    // What reached Bob before he stopped reading is all he got: his queue did not grow.
    let mut delivered = 0;
    while bobs_screen.try_recv().is_ok() {
        delivered += 1;
    }
    assert!(delivered <= 2, "bob's end received {delivered} frames");
    drop(bob_types);
}

#[tokio::test]
async fn a_flooding_connection_is_told_why_and_closed() {
    let app = crate::support::spawn_app_with(|config| {
        config.limits.frames_per_second = 1;
        config.limits.frame_burst = 3;
    })
    .await;
    let alice = app.signed_up("alice").await;
    alice.open_room("general").await;
    let mut a = alice.socket().await;
    for n in 0..10 {
        a.send(&send("general", &format!("f{n}"), "spam")).await;
    }
    assert_eq!(a.closed().await, Some(mini_discord::shared::protocol::CLOSE_TOO_SLOW));
}

#[tokio::test]
async fn typing_reaches_the_room_at_most_every_two_seconds_and_a_message_resets_that() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("general").await;
    let mut a = alice.socket().await;
    let mut b = bob.socket().await;
    // Not a member yet: nothing is passed on.
    a.send(&ClientFrame::Typing { room: "general".into() }).await;
    a.join("general").await;
    b.join("general").await;

    let typing = ClientFrame::Typing { room: "general".into() };
    a.send(&typing).await;
    a.send(&typing).await;
    a.send(&ClientFrame::Send {
        room: "general".into(),
        nonce: "n1".into(),
        body: "done typing".into(),
        reply_to: None,
    })
    .await;
    a.send(&typing).await;

    let mut seen = Vec::new();
    while seen.last().map(String::as_str) != Some("typing again") {
        match b.next_frame().await {
            Some(ServerFrame::Typing { room, user }) => {
                assert_eq!((room.as_str(), user.as_str()), ("general", "alice"));
                seen.push(if seen.is_empty() { "typing".to_owned() } else { "typing again".to_owned() });
            }
            Some(ServerFrame::Message { message }) => seen.push(message.body),
            Some(_) => {}
            None => panic!("bob's socket went quiet after {seen:?}"),
        }
    }
    // The second "typing" within 2 s was dropped; the one after the message was not.
    assert_eq!(seen, vec!["typing", "done typing", "typing again"]);
}

#[tokio::test]
async fn a_message_left_over_from_another_page_reaches_its_room_without_joining_it() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("general").await;
    let mut b = bob.socket().await;
    b.join("general").await;

    // Alice's tab is on the room list now; its socket has joined nothing.
    let mut a = alice.socket().await;
    a.send(&send("general", "from-the-last-page", "typed before I left")).await;
    let id = a
        .expect(|f| match f {
            ServerFrame::Ack { nonce, id } if nonce == "from-the-last-page" => Some(id),
            _ => None,
        })
        .await;
    let got = b
        .expect(|f| match f {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!((got.id, got.author.as_str(), got.body.as_str()), (id, "alice", "typed before I left"));

    // Sent again (the ack was lost with that page, say): stored and delivered once.
    a.send(&send("general", "from-the-last-page", "typed before I left")).await;
    let again = a
        .expect(|f| match f {
            ServerFrame::Ack { id, .. } => Some(id),
            _ => None,
        })
        .await;
    assert_eq!(again, id);
    a.send(&send("general", "later", "and this")).await;
    let next = b
        .expect(|f| match f {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(next.body, "and this", "the resend was not delivered twice");
}

#[tokio::test]
async fn a_socket_closed_the_moment_it_opens_still_says_ready_first() {
    use axum::extract::ws::Message;
    use futures::StreamExt;
    use mini_discord::server::{chat::Actor, db::users, ws};

    let app = spawn_app().await;
    app.signed_up("bob").await;
    let bob = Actor::from(&users::by_name(&app.state.db, "bob").await.expect("query").expect("bob exists"));
    // Each connection is ended by the first thing it reads: the close lands before, or after,
    // its writer first runs (the two race), as when every socket is asked to catch up just as a
    // tab reconnects. Either way the tab hears whose connection it was before why it ends.
    for _ in 0..20 {
        let (to_bob, mut bobs_screen) = futures::channel::mpsc::unbounded::<Message>();
        let hub = app.state.hub.clone();
        let bob_id = bob.id;
        let ends_at_once = futures::stream::once(async move {
            hub.sign_out_user(bob_id, "This account is disabled").await;
            std::future::pending::<Result<Message, std::convert::Infallible>>().await
        });
        let connection = ws::serve(to_bob, Box::pin(ends_at_once), app.state.clone(), bob.clone(), None);
        tokio::time::timeout(std::time::Duration::from_secs(5), connection)
            .await
            .expect("the connection ends");
        let first = bobs_screen.next().await.expect("a frame");
        let Message::Text(text) = first else { panic!("expected text, got {first:?}") };
        let frame: ServerFrame = serde_json::from_str(&text).expect("a server frame");
        assert!(matches!(frame, ServerFrame::Ready { .. }), "first frame was {frame:?}");
        let second = bobs_screen.next().await.expect("a frame");
        let Message::Text(text) = second else { panic!("expected text, got {second:?}") };
        let frame: ServerFrame = serde_json::from_str(&text).expect("a server frame");
        assert!(matches!(frame, ServerFrame::SignedOut { .. }), "then {frame:?}");
    }
}

#[tokio::test]
async fn control_characters_and_direction_overrides_are_refused_and_text_is_stored_in_one_spelling() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("general").await;
    let mut socket = alice.socket().await;
    socket.join("general").await;

    for (nonce, body, found) in [("nul", "a\u{0}b", "U+0000"), ("rlo", "abc\u{202E}gnp.exe", "U+202E")] {
        socket.send(&send("general", nonce, body)).await;
        let (message, refused) = socket
            .expect(|f| match f {
                ServerFrame::Error { message, nonce } => Some((message, nonce)),
                _ => None,
            })
            .await;
        assert_eq!(refused.as_deref(), Some(nonce));
        assert!(message.contains(found), "{message} names what was refused");
    }

    // "é" as an "e" and a combining accent is stored as the one character.
    socket.send(&send("general", "nfc", "caf\u{65}\u{301}")).await;
    let stored = socket
        .expect(|f| match f {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(stored.body, "caf\u{e9}");
    let room =
        mini_discord::server::db::rooms::by_name(&app.state.db, "general").await.expect("db").expect("room");
    let history =
        mini_discord::server::db::messages::recent(&app.state.db, &room, 10).await.expect("history");
    assert_eq!(
        history.items.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["caf\u{e9}"],
        "nothing refused was stored"
    );
}
