//! Private rooms, membership and room roles: what each kind of person can see and do, on every
//! path (pages, server functions, socket frames), and that whoever is taken out of a room leaves
//! it at once. The same scenario runs on SQLite here and across two instances sharing
//! PostgreSQL and Redis in `cluster`.

use mini_discord::shared::{
    protocol::{ClientFrame, Gone, ServerFrame, CLOSE_TOO_SLOW},
    views::RoomDirectory,
};

use crate::support::{spawn_app, Person, Socket};

async fn my_rooms(person: &Person) -> Vec<String> {
    let response = person.post_form("/api/my_rooms", &[]).await;
    assert_eq!(response.status(), 200);
    let rooms = response.json::<RoomDirectory>().await.expect("rooms").rooms;
    // Every room of theirs shows in the sidebar, read or not.
    assert!(rooms.iter().all(|room| room.read.is_some()), "{rooms:?}");
    rooms.into_iter().map(|room| room.name).collect()
}

async fn listed(person: &Person, filter: &str) -> Vec<String> {
    let response = person.post_form("/api/rooms", &[("filter", filter), ("page", "0")]).await;
    let rooms = response.json::<RoomDirectory>().await.expect("rooms").rooms;
    rooms.into_iter().map(|room| room.name).collect()
}

/// The refusal a socket gets for joining `room`.
async fn join_refused(socket: &mut Socket, room: &str) -> String {
    socket.send(&ClientFrame::Join { room: room.into(), after: None, changes: None }).await;
    socket.refused().await
}

async fn status_of(person: &Person, path: &str, form: &[(&str, &str)]) -> u16 {
    person.post_form(path, form).await.status().as_u16()
}

/// Alice makes a private room and runs it; Bob is added, appointed, and removed; Carol is
/// outside and never learns the room exists. Each person talks to their own server (the same
/// one, or two instances).
pub async fn a_private_room_is_for_its_members_only(alice: Person, bob: Person, carol: Person) {
    assert_eq!(status_of(&alice, "/api/open_room", &[("name", "secret"), ("private", "true")]).await, 200);
    assert_eq!(my_rooms(&alice).await, ["secret"], "the creator's room is theirs before any read");

    // To Carol it is a room that does not exist: by address, list, history, socket, and name.
    assert_eq!(carol.get("/rooms/secret").await.status(), 404);
    assert_eq!(carol.get("/rooms/nothing-here").await.status(), 404);
    assert!(listed(&carol, "secret").await.is_empty());
    assert_eq!(listed(&alice, "secret").await, ["secret"], "its members see it listed");
    assert_eq!(status_of(&carol, "/api/history", &[("room", "secret")]).await, 404);
    assert_eq!(status_of(&carol, "/api/pinned", &[("room", "secret")]).await, 404);
    let mut carol_socket = carol.socket().await;
    assert_eq!(join_refused(&mut carol_socket, "secret").await, "No such room");
    carol_socket
        .send(&ClientFrame::Send {
            room: "secret".into(),
            nonce: "c1".into(),
            body: "hi".into(),
            reply_to: None,
        })
        .await;
    assert_eq!(carol_socket.refused().await, "No such room");
    assert_eq!(status_of(&carol, "/api/open_room", &[("name", "secret")]).await, 409, "the name is taken");
    assert_eq!(status_of(&carol, "/api/add_member", &[("room", "secret"), ("username", "carol")]).await, 404);
    assert_eq!(status_of(&carol, "/api/leave_room", &[("room", "secret")]).await, 404);

    // Added by name, Bob finds it among his rooms and talks there.
    assert_eq!(status_of(&alice, "/api/add_member", &[("room", "secret"), ("username", "bob")]).await, 200);
    assert_eq!(status_of(&alice, "/api/add_member", &[("room", "secret"), ("username", "bob")]).await, 400);
    assert_eq!(
        status_of(&alice, "/api/add_member", &[("room", "secret"), ("username", "nobody")]).await,
        404
    );
    assert_eq!(my_rooms(&bob).await, ["secret"]);
    assert_eq!(bob.get("/rooms/secret").await.status(), 200);
    let mut alice_socket = alice.socket().await;
    alice_socket.join("secret").await;
    let mut bob_socket = bob.socket().await;
    bob_socket.join("secret").await;
    bob_socket.post("secret", "b1", "hello in private").await;
    alice_socket.message("hello in private").await;

    // A member runs nothing; a moderator adds and removes members, not the owner.
    assert_eq!(status_of(&bob, "/api/add_member", &[("room", "secret"), ("username", "carol")]).await, 403);
    assert_eq!(
        status_of(&bob, "/api/set_room_private", &[("room", "secret"), ("private", "false")]).await,
        403
    );
    let appoint = [("room", "secret"), ("username", "bob"), ("role", "moderator")];
    assert_eq!(status_of(&bob, "/api/appoint", &appoint).await, 403, "nobody appoints themselves");
    assert_eq!(status_of(&alice, "/api/appoint", &appoint).await, 200);
    // His sockets rejoin with the new role (none keeps acting on the old one); the page stays.
    assert_eq!(bob_socket.closed().await, Some(CLOSE_TOO_SLOW));
    let mut bob_socket = bob.socket().await;
    bob_socket.join("secret").await;
    assert_eq!(status_of(&bob, "/api/add_member", &[("room", "secret"), ("username", "carol")]).await, 200);
    assert_eq!(
        status_of(&bob, "/api/remove_member", &[("room", "secret"), ("username", "carol")]).await,
        200
    );
    assert_eq!(
        status_of(&bob, "/api/remove_member", &[("room", "secret"), ("username", "alice")]).await,
        400
    );
    assert_eq!(status_of(&alice, "/api/leave_room", &[("room", "secret")]).await, 400, "the owner stays");
    assert_eq!(carol.get("/rooms/secret").await.status(), 404, "removed, Carol is outside again");

    // Removed, Bob's open socket leaves the room at once, and it stays closed to him.
    assert_eq!(
        status_of(&alice, "/api/remove_member", &[("room", "secret"), ("username", "bob")]).await,
        200
    );
    let gone = bob_socket
        .expect(|frame| match frame {
            ServerFrame::RoomGone { room, why } => Some((room, why)),
            _ => None,
        })
        .await;
    assert_eq!(gone, ("secret".to_owned(), Gone::Removed));
    assert_eq!(bob_socket.closed().await, Some(CLOSE_TOO_SLOW), "closed, to reconnect without the room");
    let mut bob_again = bob.socket().await;
    assert_eq!(join_refused(&mut bob_again, "secret").await, "No such room");
    assert!(my_rooms(&bob).await.is_empty());
    alice_socket.post("secret", "a1", "after bob").await;

    // Handing over: Carol, added back, becomes the owner; Alice stays on as a moderator and can
    // now leave.
    assert_eq!(status_of(&alice, "/api/add_member", &[("room", "secret"), ("username", "carol")]).await, 200);
    let hand_over = [("room", "secret"), ("username", "carol"), ("role", "owner")];
    assert_eq!(status_of(&alice, "/api/appoint", &hand_over).await, 200);
    assert_eq!(
        status_of(&alice, "/api/set_room_private", &[("room", "secret"), ("private", "false")]).await,
        403
    );
    assert_eq!(status_of(&alice, "/api/leave_room", &[("room", "secret")]).await, 200);
    assert!(my_rooms(&alice).await.is_empty());
    assert_eq!(alice.get("/rooms/secret").await.status(), 404);

    // Made public, it is listed and anyone opening it becomes a member, until they leave.
    assert_eq!(
        status_of(&carol, "/api/set_room_private", &[("room", "secret"), ("private", "false")]).await,
        200
    );
    assert_eq!(listed(&bob, "secret").await, ["secret"]);
    assert_eq!(bob.get("/rooms/secret").await.status(), 200);
    assert_eq!(my_rooms(&bob).await, ["secret"]);
    assert_eq!(status_of(&bob, "/api/leave_room", &[("room", "secret")]).await, 200);
    assert!(my_rooms(&bob).await.is_empty());

    // Each step of it is in the moderation log its new owner reads.
    let page = carol.get("/rooms/secret").await.text().await.expect("page");
    for entry in [
        "carol made the room public",
        "alice made carol the owner",
        "alice added carol",
        "alice removed bob from the room",
        "bob removed carol from the room",
        "bob added carol",
        "alice made bob a moderator",
        "alice added bob",
    ] {
        assert!(page.contains(entry), "{entry}");
    }
}

#[tokio::test]
async fn a_private_room_is_for_its_members_only_on_sqlite() {
    let app = spawn_app().await;
    let (alice, bob, carol) =
        (app.signed_up("alice").await, app.signed_up("bob").await, app.signed_up("carol").await);
    a_private_room_is_for_its_members_only(alice, bob, carol).await;
}

#[tokio::test]
async fn a_private_rooms_counts_and_creation_never_reach_the_room_lists() {
    let app = spawn_app().await;
    let (alice, carol) = (app.signed_up("alice").await, app.signed_up("carol").await);
    let mut watcher = carol.socket().await;
    watcher.send(&ClientFrame::WatchRooms).await;
    assert_eq!(status_of(&alice, "/api/open_room", &[("name", "hidden"), ("private", "true")]).await, 200);
    let mut inside = alice.socket().await;
    inside.join("hidden").await;
    alice.open_room("visible").await;
    // The public room's creation comes; nothing of the private one came before it.
    let first = watcher
        .expect(|frame| match frame {
            ServerFrame::RoomActivity { room, .. } => Some(room),
            _ => None,
        })
        .await;
    assert_eq!(first, "visible");
    let mut late = carol.socket().await;
    late.send(&ClientFrame::WatchRooms).await;
    late.send(&ClientFrame::Follow { rooms: vec!["hidden".into()] }).await;
    inside.post("hidden", "h1", "not for carol").await;
    late.send(&ClientFrame::Join { room: "visible".into(), after: None, changes: None }).await;
    loop {
        match late.next_frame().await.expect("frames") {
            ServerFrame::RoomActivity { room, .. } | ServerFrame::Presence { room, .. }
                if room == "visible" =>
            {
                break
            }
            ServerFrame::RoomActivity { room, .. } => assert_ne!(room, "hidden"),
            ServerFrame::Message { message } => {
                panic!("a private room's message reached an outsider: {message:?}")
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_room_made_private_stops_reaching_those_outside_it() {
    let app = spawn_app().await;
    let (alice, carol) = (app.signed_up("alice").await, app.signed_up("carol").await);
    alice.open_room("open").await;
    let mut alice_socket = alice.socket().await;
    alice_socket.join("open").await;
    // Carol follows it from a room list without being in it.
    let mut follower = carol.socket().await;
    follower.send(&ClientFrame::Follow { rooms: vec!["open".into()] }).await;
    // A socket's frames are handled in order: once this refusal comes, the follow is in place.
    assert_eq!(join_refused(&mut follower, "nowhere").await, "No such room");
    alice_socket.post("open", "o1", "still public").await;
    follower.message("still public").await;

    assert_eq!(
        status_of(&alice, "/api/set_room_private", &[("room", "open"), ("private", "true")]).await,
        200
    );
    assert_eq!(follower.closed().await, Some(CLOSE_TOO_SLOW), "every socket receiving it rejoins");
    let mut follower = carol.socket().await;
    follower.send(&ClientFrame::Follow { rooms: vec!["open".into()] }).await;
    assert_eq!(join_refused(&mut follower, "open").await, "No such room");
    let mut alice_socket = alice.socket().await;
    alice_socket.join("open").await;
    alice_socket.post("open", "o2", "now private").await;
    follower.send(&ClientFrame::WatchRooms).await;
    loop {
        match follower.next_frame().await {
            None => break,
            Some(ServerFrame::Message { message }) => panic!("an outsider received {message:?}"),
            Some(_) => {}
        }
    }
}

#[tokio::test]
async fn moderators_set_the_topic_members_do_not() {
    let app = spawn_app().await;
    let (alice, bob, carol) =
        (app.signed_up("alice").await, app.signed_up("bob").await, app.signed_up("carol").await);
    assert_eq!(status_of(&alice, "/api/open_room", &[("name", "team"), ("private", "true")]).await, 200);
    assert_eq!(status_of(&alice, "/api/add_member", &[("room", "team"), ("username", "bob")]).await, 200);
    let topic = |text: &'static str| [("room", "team"), ("topic", text)];
    assert_eq!(status_of(&bob, "/api/set_room_topic", &topic("mine now")).await, 403);
    assert_eq!(
        status_of(&carol, "/api/set_room_topic", &topic("hello")).await,
        404,
        "not even told it exists"
    );
    assert_eq!(status_of(&alice, "/api/set_room_topic", &topic("  Release planning, Fridays  ")).await, 200);
    let page = bob.get("/rooms/team").await.text().await.expect("page");
    assert!(page.contains("Release planning, Fridays"), "the topic shows on the room's page");
    assert!(!page.contains("Edit topic"), "a member is not offered it");
    assert!(alice.get("/rooms/team").await.text().await.expect("page").contains("Edit topic"));

    // One line, at most 200 characters; empty clears it.
    assert_eq!(status_of(&alice, "/api/set_room_topic", &topic("two\nlines")).await, 400);
    let long = "x".repeat(201);
    assert_eq!(status_of(&alice, "/api/set_room_topic", &[("room", "team"), ("topic", &long)]).await, 400);
    let appoint = [("room", "team"), ("username", "bob"), ("role", "moderator")];
    assert_eq!(status_of(&alice, "/api/appoint", &appoint).await, 200);
    assert_eq!(status_of(&bob, "/api/set_room_topic", &topic("")).await, 200);
    let page = bob.get("/rooms/team").await.text().await.expect("page");
    assert!(!page.contains(r#"<p class="topic">"#), "cleared");
    // Now a moderator, he reads both changes in the log.
    assert!(page.contains("bob cleared the topic"));
    assert!(page.contains("alice set the topic to “Release planning, Fridays”"));
}
