//! Several instances sharing rooms: real `mini-discord` processes on two ports, one real
//! PostgreSQL and one real Redis (its own `redis-server` per test, so a test can kill it).
//!
//! PostgreSQL comes from `MD_TEST_POSTGRES_URL` (an admin URL; each test creates its own
//! database), which `scripts/test.sh` sets after starting a server. The tests are marked ignored,
//! so a plain `cargo test` lists them as such; the test script runs them with `--include-ignored`,
//! and without the URL each one fails.

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use futures::StreamExt;
use mini_discord::{
    server::{
        cluster::{
            numbering::{self, Numbered},
            postgres::Postgres,
        },
        db::{self, messages, rooms, users, users::Author},
    },
    shared::protocol::{ClientFrame, ServerFrame, CLOSE_SIGNED_OUT},
};
use sea_orm::{ConnectionTrait, Database};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{Person, Socket};

/// A database of its own on the shared PostgreSQL server, dropped afterwards.
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create() -> TestDatabase {
        let admin_url = std::env::var("MD_TEST_POSTGRES_URL")
            .expect("MD_TEST_POSTGRES_URL is not set: run scripts/test.sh, which starts PostgreSQL");
        let name = format!("md_test_{}_{}", std::process::id(), free_port());
        let admin = Database::connect(&admin_url).await.expect("PostgreSQL answers");
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        TestDatabase { admin_url, name, url }
    }

    async fn drop_now(self) {
        if let Ok(admin) = Database::connect(&self.admin_url).await {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                .await;
        }
    }
}

/// A `redis-server` without persistence, killed with the test.
struct RedisServer {
    port: u16,
    child: Child,
}

impl RedisServer {
    fn start() -> RedisServer {
        Self::start_on(free_port())
    }

    fn start_on(port: u16) -> RedisServer {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server runs (scripts/test.sh installs it)");
        wait_for_port(port);
        RedisServer { port, child }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One `mini-discord` process.
struct Instance {
    base: String,
    child: Child,
}

impl Instance {
    fn start(database_url: &str, redis_url: &str) -> Instance {
        let port = free_port();
        let data_dir = std::env::temp_dir().join(format!("md-cluster-{port}"));
        let child = Command::new(env!("CARGO_BIN_EXE_mini-discord"))
            .args(["--config", "/nonexistent/Leptos.toml"])
            .env("DATABASE_URL", database_url)
            .env("REDIS_URL", redis_url)
            .env("MINI_DISCORD_DATA_DIR", data_dir)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "mini-discord")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("the server binary starts");
        wait_for_port(port);
        Instance { base: format!("http://127.0.0.1:{port}"), child }
    }

    /// Like a power cut: no goodbye, no clean-up.
    fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill_9();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listened on port {port} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Two instances sharing one database and one Redis.
struct Pair {
    a: Instance,
    b: Instance,
    redis: RedisServer,
    db: TestDatabase,
}

impl Pair {
    async fn start() -> Pair {
        let db = TestDatabase::create().await;
        let redis = RedisServer::start();
        let a = Instance::start(&db.url, &redis.url());
        let b = Instance::start(&db.url, &redis.url());
        Pair { a, b, redis, db }
    }

    async fn finish(self) {
        let Pair { a, b, redis, db } = self;
        drop((a, b, redis));
        db.drop_now().await;
    }
}

/// Alice on instance A and someone else on instance B, both in room "lobby".
struct Lobby {
    alice: Person,
    other: Person,
    alice_socket: Socket,
    other_socket: Socket,
    /// The online list alice's join returned.
    seen_by_alice: Vec<String>,
}

async fn lobby(pair: &Pair, other_name: &str) -> Lobby {
    let alice = signed_up(&pair.a.base, "alice").await;
    let other = signed_up(&pair.b.base, other_name).await;
    alice.open_room("lobby").await;
    let mut alice_socket = alice.socket().await;
    let seen_by_alice = alice_socket.join("lobby").await;
    let mut other_socket = other.socket().await;
    other_socket.join("lobby").await;
    Lobby { alice, other, alice_socket, other_socket, seen_by_alice }
}

async fn signed_up(base: &str, name: &str) -> Person {
    let person = Person::at(base, name);
    let response = person.signup(name, "correct horse", "correct horse").await;
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "sign-up failed: {}",
        response.status()
    );
    person
}

/// A message of bob's in "lobby" as an instance leaves it if it dies between storing a message and
/// publishing it: stored and numbered, never published.
async fn stored_never_published(
    pair: &Pair,
    body: &str,
    nonce: &str,
) -> mini_discord::shared::views::MessageView {
    let db = Database::connect(&pair.db.url).await.expect("PostgreSQL answers");
    let room = rooms::by_name(&db, "lobby").await.expect("query").expect("lobby");
    let bob = Author::from(&users::by_name(&db, "bob").await.expect("query").expect("bob"));
    let pg = Postgres::of(&db).expect("PostgreSQL");
    let message = messages::NewMessage::new(&room, &bob, body, nonce);
    match numbering::insert_numbered(&pg, &[message]).await.expect("stored").pop() {
        Some(Numbered::New { message, .. }) => message,
        other => panic!("stored as new: {other:?}"),
    }
}

/// Message ids arriving on a socket, until `count` have come.
async fn message_ids(socket: &mut Socket, room: &str, count: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    while ids.len() < count {
        let id = socket
            .expect(|frame| match frame {
                ServerFrame::Message { message } if message.room == room => Some(message.id),
                _ => None,
            })
            .await;
        ids.push(id);
    }
    ids
}

/// Reads a room's messages as a tab does: on a rewind, remembers where to replay from; when
/// the socket closes, reconnects and rejoins from there. Returns the message ids in the order
/// they first arrived (once `wanted` have all come) and the lowest rewind seen.
async fn follow_rewinds(
    person: &Person,
    mut socket: Socket,
    room: &str,
    wanted: &[i64],
) -> (Vec<i64>, Option<i64>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen: Vec<i64> = Vec::new();
    let mut floor: Option<i64> = None;
    while !wanted.iter().all(|id| seen.contains(id)) {
        assert!(Instant::now() < deadline, "{} did not catch up within 30 s (saw {seen:?})", person.name);
        let Ok(frame) = tokio::time::timeout(Duration::from_secs(1), socket.next_frame()).await else {
            continue;
        };
        match frame {
            Some(ServerFrame::Message { message }) if message.room == room => {
                if !seen.contains(&message.id) {
                    seen.push(message.id);
                }
            }
            Some(ServerFrame::Rewind { after, .. }) => floor = Some(floor.map_or(after, |f| f.min(after))),
            Some(_) => {}
            None => {
                socket = person.socket().await;
                let last = seen.iter().copied().max().unwrap_or(0);
                let after = floor.map_or(last, |f| f.min(last));
                socket
                    .send(&ClientFrame::Join { room: room.to_owned(), after: Some(after), changes: None })
                    .await;
            }
        }
    }
    (seen, floor)
}

/// Follows a room's online list from `seen` (what the socket's join returned) until it is
/// exactly `users`, for at most `within`.
async fn presence_becomes(
    socket: &mut Socket,
    room: &str,
    mut seen: Vec<String>,
    users: &[&str],
    within: Duration,
) -> Vec<String> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let Ok(frame) = tokio::time::timeout(Duration::from_secs(1), socket.next_frame()).await else {
            continue;
        };
        match frame {
            Some(ServerFrame::Presence { room: r, users: list }) if r == room => seen = list,
            Some(ServerFrame::Arrived { room: r, user }) if r == room && !seen.contains(&user) => {
                seen.push(user)
            }
            Some(ServerFrame::Departed { room: r, user }) if r == room => seen.retain(|name| name != &user),
            Some(_) => {}
            // next_frame gives up after 5 quiet seconds; the socket itself may still be open.
            None => continue,
        }
        let mut sorted = seen.clone();
        sorted.sort_by_key(|name| name.to_ascii_lowercase());
        if sorted == users {
            return sorted;
        }
    }
    panic!("the online list of {room} did not become {users:?} within {within:?} (last seen {seen:?})");
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_message_crosses_instances_both_ways_once_and_in_id_order() {
    let pair = Pair::start().await;
    let Lobby { mut alice_socket, other_socket: mut bob_socket, .. } = lobby(&pair, "bob").await;

    // Both write at once, each through their own instance.
    for i in 0..20 {
        let frame = |who: &str| ClientFrame::Send {
            room: "lobby".into(),
            nonce: format!("{who}-{i}"),
            body: format!("{who} says {i}"),
            reply_to: None,
        };
        alice_socket.send(&frame("alice")).await;
        bob_socket.send(&frame("bob")).await;
    }
    let seen_by_alice = message_ids(&mut alice_socket, "lobby", 40).await;
    let seen_by_bob = message_ids(&mut bob_socket, "lobby", 40).await;

    assert_eq!(seen_by_alice, seen_by_bob, "both instances deliver the same messages in the same order");
    let mut sorted = seen_by_alice.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, seen_by_alice, "ids arrive ascending, each once");
    // Nothing more comes: no message was delivered twice.
    let extra = tokio::time::timeout(Duration::from_millis(500), bob_socket.next_frame()).await;
    assert!(!matches!(extra, Ok(Some(ServerFrame::Message { .. }))), "a message arrived twice: {extra:?}");
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn writers_of_several_instances_number_each_room_in_id_order_without_gaps() {
    let test_db = TestDatabase::create().await;
    let db = db::connect(&test_db.url).await.expect("migrated");
    let pg = Postgres::of(&db).expect("PostgreSQL");
    let alice = Author::from(&users::create(&db, "alice", "hash".into()).await.expect("user"));
    let bob = Author::from(&users::create(&db, "bob", "hash".into()).await.expect("user"));
    let (lobby, _) = rooms::get_or_create(&db, "lobby", alice.id).await.expect("room");
    let (games, _) = rooms::get_or_create(&db, "games", alice.id).await.expect("room");

    // Two writers at once, as two instances, taking turns between batches spanning both rooms
    // and batches in the lobby only (the two are stored by different statements).
    let write = |author: Author, pg: Postgres, lobby: rooms::Room, games: rooms::Room| async move {
        let mut numbered = Vec::new();
        for i in 0..15 {
            let nonces =
                [format!("{i}-a"), format!("{i}-b"), format!("{i}-c"), format!("{i}-d"), format!("{i}-e")];
            let both_rooms = [
                messages::NewMessage::new(&games, &author, "x", &nonces[0]),
                messages::NewMessage::new(&lobby, &author, "y", &nonces[1]),
                messages::NewMessage::new(&lobby, &author, "z", &nonces[2]),
            ];
            let lobby_only = [
                messages::NewMessage::new(&lobby, &author, "v", &nonces[3]),
                messages::NewMessage::new(&lobby, &author, "w", &nonces[4]),
            ];
            for batch in [&both_rooms[..], &lobby_only[..]] {
                for outcome in numbering::insert_numbered(&pg, batch).await.expect("stored") {
                    let Numbered::New { message, seq } = outcome else { panic!("new: {outcome:?}") };
                    numbered.push((message.room, message.id, seq));
                }
            }
        }
        numbered
    };
    let (by_alice, by_bob) = tokio::join!(
        tokio::spawn(write(alice.clone(), pg.clone(), lobby.clone(), games.clone())),
        tokio::spawn(write(bob.clone(), pg.clone(), lobby.clone(), games.clone())),
    );
    let mut all: Vec<(String, i64, i64)> =
        by_alice.expect("writer").into_iter().chain(by_bob.expect("writer")).collect();
    all.sort_by_key(|(_, id, _)| *id);
    for (room, count) in [("lobby", 120), ("games", 30)] {
        let seqs: Vec<i64> = all.iter().filter(|(r, _, _)| r == room).map(|(_, _, seq)| *seq).collect();
        assert_eq!(
            seqs,
            (1..=count).collect::<Vec<i64>>(),
            "{room}: numbers follow ids, from 1, without gaps"
        );
    }

    // A resend takes no number; the next message gets the next one.
    let resend = messages::NewMessage::new(&lobby, &alice, "y", "0-b");
    let fresh = messages::NewMessage::new(&lobby, &alice, "new", "new");
    let outcomes = numbering::insert_numbered(&pg, &[resend, fresh]).await.expect("stored");
    assert!(matches!(&outcomes[0], Numbered::Duplicate(message) if message.body == "y"));
    assert!(matches!(&outcomes[1], Numbered::New { seq: 121, .. }), "{:?}", outcomes[1]);

    // The same nonce twice in one batch: stored once, numbered once.
    let first = messages::NewMessage::new(&lobby, &bob, "once", "twice");
    let again = messages::NewMessage::new(&lobby, &bob, "once", "twice");
    let outcomes = numbering::insert_numbered(&pg, &[first, again]).await.expect("stored");
    assert!(matches!(&outcomes[0], Numbered::New { seq: 122, .. }), "{:?}", outcomes[0]);
    assert!(
        matches!(&outcomes[1], Numbered::Duplicate(message) if message.body == "once"),
        "{:?}",
        outcomes[1]
    );

    // A message for a room deleted meanwhile is refused on its own, in a batch of its room alone
    // or beside another room's.
    db.execute_unprepared(&format!("DELETE FROM rooms WHERE id = {}", games.id)).await.expect("deleted");
    let gone = messages::NewMessage::new(&games, &bob, "late", "late");
    let outcomes = numbering::insert_numbered(&pg, &[gone]).await.expect("stored");
    assert_eq!(outcomes, vec![Numbered::RoomGone]);
    let gone = messages::NewMessage::new(&games, &bob, "later", "later");
    let still = messages::NewMessage::new(&lobby, &bob, "on time", "on-time");
    let outcomes = numbering::insert_numbered(&pg, &[gone, still]).await.expect("stored");
    assert_eq!(outcomes[0], Numbered::RoomGone);
    assert!(matches!(&outcomes[1], Numbered::New { seq: 123, .. }), "{:?}", outcomes[1]);
    drop((db, pg));
    test_db.drop_now().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn checking_for_resends_never_reads_the_whole_history_even_with_a_plan_made_when_it_was_empty() {
    use migration::MigratorTrait;

    let test_db = TestDatabase::create().await;
    let schema =
        Database::connect(sea_orm::ConnectOptions::new(test_db.url.clone()).max_connections(1).to_owned())
            .await
            .expect("connected");
    migration::Migrator::up(&schema, None).await.expect("migrated");
    // The migration's own reads of the table count no further once flushed.
    schema.execute_unprepared("SELECT pg_stat_force_next_flush()").await.expect("flushed");
    // The writer's connection: one of its own, planning each statement once. The plan of the
    // numbering statement is made below while the table is still empty.
    let pg = Postgres::of(&schema).expect("a PostgreSQL connection").planned_once();
    let db = pg.db().clone();
    let mode: String = single_value(&db, "SHOW plan_cache_mode").await;
    assert_eq!(mode, "force_generic_plan", "the writer plans each statement once");
    let alice = Author::from(&users::create(&db, "alice", "hash".into()).await.expect("user"));
    let (lobby, _) = rooms::get_or_create(&db, "lobby", alice.id).await.expect("room");
    let send = |nonce: &'static str| messages::NewMessage::new(&lobby, &alice, "hi", nonce);
    numbering::insert_numbered(&pg, &[send("first")]).await.expect("stored");

    // The history grows well past what the plan was made for.
    db.execute_unprepared(&format!(
        "INSERT INTO messages (room_id, user_id, body, created_at, nonce) \
         SELECT {}, {}, 'old', 0, 'old-' || n FROM generate_series(1, 5000) AS n",
        lobby.id, alice.id
    ))
    .await
    .expect("history");
    let whole_reads = || async {
        db.execute_unprepared("SELECT pg_stat_force_next_flush()").await.expect("flushed");
        single_value::<i64>(&db, "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'messages'").await
    };
    let before = whole_reads().await;
    let outcomes = numbering::insert_numbered(&pg, &[send("second"), send("old-7")]).await.expect("stored");
    assert!(matches!(&outcomes[0], Numbered::New { seq: 2, .. }), "{:?}", outcomes[0]);
    assert!(
        matches!(&outcomes[1], Numbered::Duplicate(message) if message.body == "old"),
        "{:?}",
        outcomes[1]
    );
    assert_eq!(whole_reads().await, before, "a send read the room's whole history to check for a resend");
    drop((db, pg, schema));
    test_db.drop_now().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_link_opens_the_history_around_its_message_on_postgresql() {
    let test_db = TestDatabase::create().await;
    let db = mini_discord::server::db::connect(&test_db.url).await.expect("connected and migrated");
    crate::storage::history_around_a_linked_message(&db).await;
    drop(db);
    test_db.drop_now().await;
}

/// The one value a PostgreSQL query answers with.
async fn single_value<T: sea_orm::TryGetable>(db: &sea_orm::DatabaseConnection, sql: &str) -> T {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, sql))
        .await
        .expect("answered")
        .expect("a row");
    row.try_get_by_index(0).expect("a value")
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_message_stored_but_never_published_still_reaches_every_reader_in_order() {
    let pair = Pair::start().await;
    let Lobby { mut alice_socket, other_socket: mut bob_socket, .. } = lobby(&pair, "bob").await;

    let orphan = stored_never_published(&pair, "stored, never published", "orphan").await;

    alice_socket
        .send(&ClientFrame::Send {
            room: "lobby".into(),
            nonce: "next".into(),
            body: "next".into(),
            reply_to: None,
        })
        .await;
    let seen_by_alice = message_ids(&mut alice_socket, "lobby", 2).await;
    let seen_by_bob = message_ids(&mut bob_socket, "lobby", 2).await;
    assert_eq!(seen_by_alice[0], orphan.id, "the missing message is fetched and comes first");
    assert_eq!(seen_by_alice, seen_by_bob);
    assert!(seen_by_alice[0] < seen_by_alice[1]);
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn the_last_message_of_a_room_reaches_every_reader_even_if_it_was_never_published() {
    let pair = Pair::start().await;
    let Lobby { mut alice_socket, other_socket: mut bob_socket, .. } = lobby(&pair, "bob").await;

    // The room goes quiet after it.
    let last = stored_never_published(&pair, "last words", "last").await;

    assert_eq!(message_ids(&mut alice_socket, "lobby", 1).await, vec![last.id]);
    assert_eq!(message_ids(&mut bob_socket, "lobby", 1).await, vec![last.id]);
    // And the room goes on in order after it.
    alice_socket
        .send(&ClientFrame::Send {
            room: "lobby".into(),
            nonce: "next".into(),
            body: "next".into(),
            reply_to: None,
        })
        .await;
    let next_for_bob = message_ids(&mut bob_socket, "lobby", 1).await[0];
    assert!(next_for_bob > last.id);
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_session_made_on_one_instance_works_on_the_other() {
    let pair = Pair::start().await;
    let alice = signed_up(&pair.a.base, "alice").await;
    let on_b = alice.on(&pair.b.base);
    let rooms = on_b.get("/rooms").await;
    assert_eq!(rooms.status(), 200, "the room list opens on B without logging in again");
    let mut socket =
        on_b.socket_with_origin(Some(&pair.b.base)).await.expect("B accepts the session's socket");
    alice.open_room("lobby").await;
    assert_eq!(socket.join("lobby").await, vec!["alice"]);
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn logging_out_on_one_instance_closes_that_browsers_sockets_on_the_other() {
    let pair = Pair::start().await;
    let alice = signed_up(&pair.a.base, "alice").await;
    let mut on_b = alice.on(&pair.b.base).socket_with_origin(Some(&pair.b.base)).await.expect("socket on B");
    let other_device = Person::at(&pair.b.base, "alice");
    other_device.login("alice", "correct horse").await;
    let mut other_socket = other_device.socket().await;

    alice.post_form("/api/logout", &[]).await;
    let reason = on_b.expect(|frame| match frame {
        ServerFrame::SignedOut { reason } => Some(reason),
        _ => None,
    });
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), reason).await.expect("signed out on B"),
        "You logged out"
    );
    assert_eq!(on_b.closed().await, Some(CLOSE_SIGNED_OUT));
    // Her other device, with its own session, stays connected.
    other_socket.send(&ClientFrame::WatchRooms).await;
    let still_open = tokio::time::timeout(Duration::from_millis(500), other_socket.stream.next()).await;
    assert!(
        !matches!(still_open, Ok(None) | Ok(Some(Ok(Message::Close(_))))),
        "the other session's socket stayed open"
    );
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn presence_is_global_and_a_user_on_two_instances_is_listed_once() {
    let pair = Pair::start().await;
    let alice = signed_up(&pair.a.base, "alice").await;
    let bob = signed_up(&pair.b.base, "bob").await;
    alice.open_room("lobby").await;
    alice.open_room("elsewhere").await;

    let mut alice_on_a = alice.socket().await;
    let seen = alice_on_a.join("lobby").await;
    let mut alice_on_b =
        alice.on(&pair.b.base).socket_with_origin(Some(&pair.b.base)).await.expect("socket on B");
    assert_eq!(alice_on_b.join("lobby").await, vec!["alice"], "alice's second tab, on B, sees her once");
    let mut bob_on_b = bob.socket().await;
    assert_eq!(bob_on_b.join("lobby").await, vec!["alice", "bob"]);
    presence_becomes(&mut alice_on_a, "lobby", seen, &["alice", "bob"], Duration::from_secs(5)).await;

    // The room list on either instance counts two people, not three connections.
    let mut watcher = bob.on(&pair.a.base).socket_with_origin(Some(&pair.a.base)).await.expect("socket on A");
    watcher.send(&ClientFrame::WatchRooms).await;
    let online = watcher
        .expect(|frame| match frame {
            ServerFrame::RoomActivity { room, online } if room == "lobby" => Some(online),
            _ => None,
        })
        .await;
    assert_eq!(online, 2);

    // Closing one of alice's two tabs does not take her offline. A connection handles its frames
    // in order, so once its next join is answered its leave has been handled.
    alice_on_b.send(&ClientFrame::Leave { room: "lobby".into() }).await;
    alice_on_b.join("elsewhere").await;
    drop(alice_on_b);
    let mut late = bob.socket().await;
    assert_eq!(late.join("lobby").await, vec!["alice", "bob"]);
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_killed_instance_leaves_everyones_presence_within_30_seconds() {
    let mut pair = Pair::start().await;
    let Lobby { mut alice_socket, seen_by_alice: seen, other_socket: _carol_socket, .. } =
        lobby(&pair, "carol").await;
    let seen =
        presence_becomes(&mut alice_socket, "lobby", seen, &["alice", "carol"], Duration::from_secs(5)).await;

    let killed_at = Instant::now();
    pair.b.kill_9();
    presence_becomes(&mut alice_socket, "lobby", seen, &["alice"], Duration::from_secs(30)).await;
    eprintln!("carol left A's list {:?} after B was killed", killed_at.elapsed());
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_redis_outage_loses_no_message_and_everyone_catches_up_in_order() {
    let mut pair = Pair::start().await;
    let Lobby { alice, other: bob, mut alice_socket, other_socket: mut bob_socket, .. } =
        lobby(&pair, "bob").await;
    alice_socket
        .send(&ClientFrame::Send {
            room: "lobby".into(),
            nonce: "before".into(),
            body: "before".into(),
            reply_to: None,
        })
        .await;
    let before = message_ids(&mut bob_socket, "lobby", 1).await[0];

    let port = pair.redis.port;
    pair.redis.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Redis is down: both keep talking, each through their own instance; every message is stored
    // and acknowledged, their ids interleaved.
    let mut acked = Vec::new();
    for i in 0..3 {
        for (who, socket) in [("alice", &mut alice_socket), ("bob", &mut bob_socket)] {
            let nonce = format!("{who}-during-{i}");
            socket
                .send(&ClientFrame::Send {
                    room: "lobby".into(),
                    nonce: nonce.clone(),
                    body: nonce.clone(),
                    reply_to: None,
                })
                .await;
            let id = socket
                .expect(|frame| match frame {
                    ServerFrame::Ack { nonce: n, id } if n == nonce => Some(id),
                    _ => None,
                })
                .await;
            acked.push(id);
        }
    }

    pair.redis = RedisServer::start_on(port);
    // Once an instance can publish again it asks every instance to catch up: each socket is told
    // where to replay from, then closed; rejoining from there, as a tab does, brings every
    // message of the outage to both, in id order, each once.
    for (person, socket) in [(&alice, alice_socket), (&bob, bob_socket)] {
        let (replayed, floor) = follow_rewinds(person, socket, "lobby", &acked).await;
        let floor = floor.unwrap_or_else(|| panic!("{} was never asked to catch up", person.name));
        assert!(floor < acked[0], "{} replays from {floor}, before the outage's first message", person.name);
        let mut outage: Vec<i64> = replayed.into_iter().filter(|id| *id > before).collect();
        outage.sort_unstable();
        assert_eq!(outage, acked, "{} gets every message of the outage", person.name);
    }

    // And the shared bus works again: a new message crosses instances.
    let mut alice_socket = alice.socket().await;
    alice_socket.join("lobby").await;
    let mut bob_socket = bob.socket().await;
    bob_socket.join("lobby").await;
    alice_socket
        .send(&ClientFrame::Send {
            room: "lobby".into(),
            nonce: "after".into(),
            body: "after".into(),
            reply_to: None,
        })
        .await;
    let after = message_ids(&mut bob_socket, "lobby", 1).await[0];
    assert!(after > *acked.last().expect("acked"), "nothing from the outage comes again once caught up");
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_read_marker_moved_on_one_instance_reaches_the_users_devices_on_the_other() {
    let pair = Pair::start().await;
    let Lobby { alice, mut alice_socket, mut other_socket, .. } = lobby(&pair, "bob").await;
    other_socket
        .send(&ClientFrame::Send {
            room: "lobby".into(),
            nonce: "n1".into(),
            body: "hi".into(),
            reply_to: None,
        })
        .await;
    let id = other_socket
        .expect(|frame| match frame {
            ServerFrame::Ack { id, .. } => Some(id),
            _ => None,
        })
        .await;

    // Alice's second tab is on instance B and follows the lobby for its unread count.
    let mut elsewhere =
        alice.on(&pair.b.base).socket_with_origin(Some(&pair.b.base)).await.expect("socket on B");
    elsewhere.send(&ClientFrame::Follow { rooms: vec!["lobby".into()] }).await;
    alice_socket.send(&ClientFrame::Read { room: "lobby".into(), id }).await;
    let read = elsewhere
        .expect(|frame| match frame {
            ServerFrame::Read { room, read } => Some((room, read)),
            _ => None,
        })
        .await;
    assert_eq!((read.0.as_str(), read.1.last_read, read.1.unread), ("lobby", id, 0));
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn the_room_name_migration_keeps_history_on_postgresql() {
    let db = TestDatabase::create().await;
    crate::storage::rooms_differing_only_by_case_are_renamed_keeping_their_history(&db.url).await;
    db.drop_now().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn log_in_attempts_are_counted_across_instances() {
    let pair = Pair::start().await;
    signed_up(&pair.a.base, "alice").await;
    let on_a = Person::at(&pair.a.base, "guesser");
    for _ in 0..6 {
        assert_eq!(on_a.login("alice", "wrong password").await.status(), 401);
    }
    let response = Person::at(&pair.b.base, "guesser").login("alice", "correct horse").await;
    assert_eq!(response.status(), 429, "B knows of the guesses made on A");
    assert!(response.headers().contains_key("retry-after"));
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn room_rules_hold_on_postgresql_names_ignoring_case_the_hourly_cap_and_the_filtered_pages() {
    use mini_discord::shared::views::RoomDirectory;

    let pair = Pair::start().await;
    let alice = signed_up(&pair.a.base, "alice").await;
    for n in 0..10 {
        alice.open_room(&format!("Team-{n}")).await;
    }
    // The same room whatever the case, from either instance.
    let on_b = alice.on(&pair.b.base);
    let response = on_b.post_form("/api/open_room", &[("name", "TEAM-3")]).await;
    assert_eq!(response.headers()["location"], "/rooms/Team-3");
    // An eleventh new room in the hour is refused, on the other instance too.
    assert_eq!(on_b.post_form("/api/open_room", &[("name", "eleventh")]).await.status(), 429);
    let page = alice.post_form("/api/rooms", &[("filter", "team-"), ("page", "0")]).await;
    let page = page.json::<RoomDirectory>().await.expect("a room page");
    assert_eq!(page.rooms.len(), 10);
    assert!(!page.has_more);
    assert!(
        alice
            .post_form("/api/rooms", &[("filter", "_"), ("page", "0")])
            .await
            .json::<RoomDirectory>()
            .await
            .expect("page")
            .rooms
            .is_empty(),
        "wildcards are literal"
    );
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn edits_deletions_reactions_and_pins_reach_the_other_instance_and_a_tab_back_from_away_catches_up() {
    let pair = Pair::start().await;
    let Lobby { mut alice_socket, other: bob, other_socket: mut bob_socket, .. } = lobby(&pair, "bob").await;
    let changed = |frame| match frame {
        ServerFrame::Changed { message } => Some(message),
        _ => None,
    };
    let send = |nonce: &str, body: &str| ClientFrame::Send {
        room: "lobby".into(),
        nonce: nonce.into(),
        body: body.into(),
        reply_to: None,
    };
    alice_socket.send(&send("1", "first")).await;
    alice_socket.send(&send("2", "second")).await;
    let ids = message_ids(&mut bob_socket, "lobby", 2).await;
    alice_socket
        .send(&ClientFrame::Edit { room: "lobby".into(), id: ids[0], body: "first, fixed".into() })
        .await;
    let edited = bob_socket.expect(changed).await;
    assert_eq!((edited.id, edited.body.as_str(), edited.edited), (ids[0], "first, fixed", true));
    // A reaction on bob's instance reaches alice on hers.
    let react = |id, emoji: &str| ClientFrame::React { room: "lobby".into(), id, emoji: emoji.into() };
    bob_socket.send(&react(ids[0], "👍")).await;
    let seen = bob_socket.expect(changed).await;
    assert_eq!(alice_socket.expect(changed).await, edited);
    assert_eq!(alice_socket.expect(changed).await, seen);
    // Bob's reply reaches alice with its quote, numbered on his instance.
    bob_socket
        .send(&ClientFrame::Send {
            room: "lobby".into(),
            nonce: "re".into(),
            body: "agreed".into(),
            reply_to: Some(ids[0]),
        })
        .await;
    let reply = alice_socket
        .expect(|frame| match frame {
            ServerFrame::Message { message } if message.body == "agreed" => Some(message),
            _ => None,
        })
        .await;
    let quote = reply.reply.clone().expect("a quote");
    assert_eq!((quote.id, quote.author.as_str(), quote.excerpt.as_str()), (ids[0], "alice", "first, fixed"));

    // Bob's tab goes away; meanwhile alice edits again, reacts, and deletes her second message.
    drop(bob_socket);
    alice_socket
        .send(&ClientFrame::Edit { room: "lobby".into(), id: ids[0], body: "first, final".into() })
        .await;
    alice_socket.send(&react(ids[0], "🎉")).await;
    alice_socket.send(&ClientFrame::Pin { room: "lobby".into(), id: ids[0] }).await;
    alice_socket.send(&ClientFrame::Delete { room: "lobby".into(), id: ids[1] }).await;
    for _ in 0..4 {
        alice_socket.expect(changed).await;
    }
    let mut bob_socket = bob.socket().await;
    bob_socket
        .send(&ClientFrame::Join { room: "lobby".into(), after: Some(ids[1]), changes: Some(seen.version) })
        .await;
    let mut states = [bob_socket.expect(changed).await, bob_socket.expect(changed).await];
    states.sort_by_key(|message| message.id);
    let states: Vec<(&str, bool, usize, bool)> =
        states.iter().map(|m| (m.body.as_str(), m.deleted, m.reactions.len(), m.pinned)).collect();
    assert_eq!(states, [("first, final", false, 2, true), ("", true, 0, false)]);
    let pinned: Vec<mini_discord::shared::views::MessageView> =
        bob.post_form("/api/pinned", &[("room", "lobby")]).await.json().await.expect("pinned list");
    assert_eq!(pinned.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[0]]);
    // The reply's quote, read now, is of the original's final text.
    let history: mini_discord::shared::views::HistoryPage =
        bob.post_form("/api/history", &[("room", "lobby")]).await.json().await.expect("history");
    let quoted = history.messages.iter().find(|m| m.id == reply.id).and_then(|m| m.reply.clone());
    assert_eq!(quoted.map(|quote| quote.excerpt), Some("first, final".to_owned()));
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_mention_numbered_on_one_instance_is_stored_shown_and_counted_on_the_other() {
    use mini_discord::shared::views::{HistoryPage, NotifyLevel, RoomDirectory};
    let pair = Pair::start().await;
    let Lobby { alice, alice_socket: mut a, other: bob, other_socket: mut b, .. } = lobby(&pair, "bob").await;
    for socket in [&mut a, &mut b] {
        socket.send(&ClientFrame::Read { room: "lobby".into(), id: 0 }).await;
        socket.expect(|frame| matches!(frame, ServerFrame::Read { .. }).then_some(())).await;
    }
    let send = |nonce: &str, body: &str| ClientFrame::Send {
        room: "lobby".into(),
        nonce: nonce.into(),
        body: body.into(),
        reply_to: None,
    };
    // A batch of two, one mentioning bob, stored by alice's instance in one statement.
    a.send(&send("1", "@bob, over here")).await;
    a.send(&send("2", "and nobody here")).await;
    let mention = b
        .expect(|frame| match frame {
            ServerFrame::Message { message } if message.body == "@bob, over here" => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(mention.mentions, ["bob"]);
    let history: HistoryPage =
        bob.post_form("/api/history", &[("room", "lobby")]).await.json().await.expect("history");
    let shown: Vec<(&str, usize)> =
        history.messages.iter().map(|m| (m.body.as_str(), m.mentions.len())).collect();
    assert_eq!(shown, [("@bob, over here", 1), ("and nobody here", 0)]);
    let listed: RoomDirectory = bob.post_form("/api/rooms", &[]).await.json().await.expect("rooms");
    let read =
        listed.rooms.iter().find(|room| room.name == "lobby").and_then(|room| room.read).expect("bob's room");
    assert_eq!((read.unread, read.mentions), (2, 1));
    // "@" on bob's instance offers both, from the shared database.
    b.send(&ClientFrame::SuggestMentions { room: "lobby".into(), prefix: "AL".into() }).await;
    let names = b
        .expect(|frame| match frame {
            ServerFrame::MentionSuggestions { names, .. } => Some(names),
            _ => None,
        })
        .await;
    assert_eq!(names, ["alice"], "alice opened the room; the prefix ignores case");
    b.send(&ClientFrame::SuggestMentions { room: "lobby".into(), prefix: "a_".into() }).await;
    let names = b
        .expect(|frame| match frame {
            ServerFrame::MentionSuggestions { names, .. } => Some(names),
            _ => None,
        })
        .await;
    assert!(names.is_empty(), "`_` is a letter, not a wildcard: {names:?}");
    // A notification level chosen on bob's instance is stored and told to his sockets.
    b.send(&ClientFrame::Notify { room: "lobby".into(), notify: NotifyLevel::Mentions }).await;
    assert_eq!(b.next_read().await.notify, NotifyLevel::Mentions);
    b.send(&ClientFrame::Notify { room: "lobby".into(), notify: NotifyLevel::Nothing }).await;
    assert_eq!(b.next_read().await.notify, NotifyLevel::Nothing);
    let listed: RoomDirectory = bob.post_form("/api/rooms", &[]).await.json().await.expect("rooms");
    let read =
        listed.rooms.iter().find(|room| room.name == "lobby").and_then(|room| room.read).expect("bob's room");
    assert_eq!(read.notify, NotifyLevel::Nothing);
    let _ = alice;
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_private_room_is_for_its_members_only_on_postgresql_across_instances() {
    let pair = Pair::start().await;
    // Bob is removed on A while his socket is on B: the eviction crosses through Redis.
    let alice = signed_up(&pair.a.base, "alice").await;
    let bob = signed_up(&pair.b.base, "bob").await;
    let carol = signed_up(&pair.b.base, "carol").await;
    crate::membership::a_private_room_is_for_its_members_only(alice, bob, carol).await;
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn invite_links_let_people_into_a_private_room_on_postgresql_across_instances() {
    let pair = Pair::start().await;
    // Links made on A are opened on B.
    let alice = signed_up(&pair.a.base, "alice").await;
    let bob = signed_up(&pair.b.base, "bob").await;
    let carol = signed_up(&pair.b.base, "carol").await;
    let newcomer = Person::at(&pair.b.base, "dora");
    crate::invites::invite_links_let_people_into_a_private_room(alice, bob, carol, newcomer).await;
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_banned_person_is_out_at_once_and_stays_out_on_postgresql_across_instances() {
    let pair = Pair::start().await;
    // Banned on A while his socket is on B: the eviction crosses through Redis.
    let alice = signed_up(&pair.a.base, "alice").await;
    let bob = signed_up(&pair.b.base, "bob").await;
    let carol = signed_up(&pair.b.base, "carol").await;
    let dave = signed_up(&pair.b.base, "dave").await;
    crate::bans::a_banned_person_is_out_at_once_and_stays_out(alice, bob, carol, dave).await;
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_muted_member_reads_but_cannot_speak_on_postgresql_across_instances() {
    let pair = Pair::start().await;
    // Muted on A while his socket is on B: the rejoin crosses through Redis.
    let alice = signed_up(&pair.a.base, "alice").await;
    let bob = signed_up(&pair.b.base, "bob").await;
    let carol = signed_up(&pair.b.base, "carol").await;
    crate::mutes::a_muted_member_reads_but_cannot_speak(alice, bob, carol).await;
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_new_password_logs_out_every_other_browser_on_postgresql_across_instances() {
    let pair = Pair::start().await;
    // Changed on A; the other browser is on B: its sign-out crosses through Redis.
    let alice = signed_up(&pair.a.base, "alice").await;
    let elsewhere = Person::at(&pair.b.base, "alice");
    crate::settings::a_new_password_logs_out_every_other_browser(alice, elsewhere, &pair.b.base).await;
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL and Redis: scripts/test.sh runs it"]
async fn a_deleted_account_leaves_its_rooms_and_words_behind_on_postgresql_across_instances() {
    let pair = Pair::start().await;
    // Deleted on A; the other browser is on B, and so is the newcomer taking the name.
    let alice = signed_up(&pair.a.base, "alice").await;
    let bob = signed_up(&pair.b.base, "bob").await;
    let carol = signed_up(&pair.a.base, "carol").await;
    let elsewhere = Person::at(&pair.b.base, "alice");
    crate::settings::a_deleted_account_leaves_its_rooms_and_words_behind(
        alice,
        elsewhere,
        bob,
        carol,
        &pair.b.base,
    )
    .await;
    pair.finish().await;
}

#[tokio::test]
#[ignore = "needs Redis: scripts/test.sh runs it"]
async fn an_accounts_allowance_is_shared_by_every_instance_and_each_decides_alone_without_redis() {
    use mini_discord::server::{
        allowances::{Allowances, Kind},
        cluster::RedisLink,
        config::Limits,
    };
    let mut redis = RedisServer::start();
    let limits = Limits { messages_per_second: 1, message_burst: 3, ..Limits::default() };
    let first = Allowances::in_redis(&RedisLink::open(&redis.url()).expect("redis link"), &limits);
    let second = Allowances::in_redis(&RedisLink::open(&redis.url()).expect("redis link"), &limits);

    // Three messages between the two instances spend the burst; the fourth waits, wherever it is.
    assert_eq!(first.take(7, Kind::Message).await, Ok(()));
    assert_eq!(second.take(7, Kind::Message).await, Ok(()));
    assert_eq!(first.take(7, Kind::Message).await, Ok(()));
    let wait = second.take(7, Kind::Message).await.expect_err("the shared burst is spent");
    assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1), "{wait:?}");
    // Someone else, or another kind of action, is not held back.
    assert_eq!(second.take(8, Kind::Message).await, Ok(()));
    assert_eq!(second.take(7, Kind::Action).await, Ok(()));
    // Many checks at once still each get their own answer, in one call or a few.
    let many = (100..400).map(|user| first.take(user, Kind::Message));
    assert!(futures::future::join_all(many).await.iter().all(Result::is_ok));
    // Well within an allowance an instance decides at once and Redis counts the spend after:
    // spent on one instance, it is spent on the other too.
    let roomy = Limits { messages_per_second: 1, message_burst: 10, ..Limits::default() };
    let one = Allowances::in_redis(&RedisLink::open(&redis.url()).expect("redis link"), &roomy);
    let two = Allowances::in_redis(&RedisLink::open(&redis.url()).expect("redis link"), &roomy);
    for _ in 0..10 {
        assert_eq!(one.take(11, Kind::Message).await, Ok(()));
    }
    assert!(two.take(11, Kind::Message).await.is_err(), "ten spent on the first instance");

    // Without Redis, each instance keeps to the allowance on its own.
    redis.kill();
    for _ in 0..3 {
        assert_eq!(first.take(9, Kind::Message).await, Ok(()));
    }
    assert!(first.take(9, Kind::Message).await.is_err());
}
