//! Read markers and unread counts: kept on the server per user, so every device agrees.

use mini_discord::shared::{
    protocol::{ClientFrame, ServerFrame},
    views::{ReadState, RoomDirectory},
};

use crate::support::{spawn_app, spawn_app_with, Person, Socket};

async fn directory(person: &Person) -> RoomDirectory {
    let response = person.post_form("/api/rooms", &[]).await;
    assert!(response.status().is_success(), "list_rooms: {}", response.status());
    response.json().await.expect("a room directory")
}

fn read_state(directory: &RoomDirectory, room: &str) -> Option<ReadState> {
    directory.rooms.iter().find(|summary| summary.name == room).and_then(|summary| summary.read)
}

async fn post(socket: &mut Socket, nonce: &str, body: &str) -> i64 {
    socket
        .send(&ClientFrame::Send {
            room: "general".into(),
            nonce: nonce.into(),
            body: body.into(),
            reply_to: None,
        })
        .await;
    socket
        .expect(|frame| match frame {
            ServerFrame::Ack { id, .. } => Some(id),
            _ => None,
        })
        .await
}

#[tokio::test]
async fn unread_counts_follow_what_each_user_read_on_every_device() {
    let app = spawn_app().await;
    let bob = app.signed_up("bob").await;
    let alice = app.signed_up("alice").await;
    bob.open_room("general").await;
    alice.open_room("random").await;

    // Alice reads general on her laptop; a room she only opened has no count.
    let mut laptop = alice.socket().await;
    laptop.join("general").await;
    laptop.send(&ClientFrame::Read { room: "general".into(), id: 0 }).await;
    assert_eq!(
        laptop.next_read().await,
        ReadState { last_read: 0, unread: 0, newest: 0, mentions: 0, ..ReadState::default() }
    );
    let listed = directory(&alice).await;
    assert_eq!(listed.me, "alice");
    assert_eq!(
        read_state(&listed, "general"),
        Some(ReadState { last_read: 0, unread: 0, newest: 0, mentions: 0, ..ReadState::default() })
    );
    assert_eq!(read_state(&listed, "random"), None);

    // Her phone (another log-in) follows general without being in it.
    let phone_login = app.person("alice");
    assert!(phone_login.login("alice", "correct horse").await.status().is_success());
    let mut phone = phone_login.socket().await;
    phone.send(&ClientFrame::Follow { rooms: vec!["general".into()] }).await;

    let mut bob_socket = bob.socket().await;
    assert_eq!(bob_socket.join("general").await, vec!["alice", "bob"], "following is not being online");
    let first = post(&mut bob_socket, "b1", "one").await;
    let second = post(&mut bob_socket, "b2", "two").await;
    let third = post(&mut bob_socket, "b3", "three").await;
    for id in [first, second, third] {
        let got = phone
            .expect(|frame| match frame {
                ServerFrame::Message { message } => Some(message.id),
                _ => None,
            })
            .await;
        assert_eq!(got, id, "a followed room's messages reach the phone in order");
    }
    assert_eq!(read_state(&directory(&alice).await, "general").map(|read| read.unread), Some(3));

    // Reading on the laptop moves the count on both devices.
    laptop.send(&ClientFrame::Read { room: "general".into(), id: second }).await;
    let expected =
        ReadState { last_read: second, unread: 1, newest: third, mentions: 0, ..ReadState::default() };
    assert_eq!(laptop.next_read().await, expected);
    assert_eq!(phone.next_read().await, expected);
    assert_eq!(read_state(&directory(&phone_login).await, "general"), Some(expected));

    // A marker never goes back, and never past the newest message.
    laptop.send(&ClientFrame::Read { room: "general".into(), id: first }).await;
    assert_eq!(laptop.next_read().await.last_read, second);
    laptop.send(&ClientFrame::Read { room: "general".into(), id: i64::MAX }).await;
    assert_eq!(
        laptop.next_read().await,
        ReadState { last_read: third, unread: 0, newest: third, mentions: 0, ..ReadState::default() }
    );

    // One's own messages are never unread.
    bob_socket.send(&ClientFrame::Read { room: "general".into(), id: first }).await;
    assert_eq!(bob_socket.next_read().await.unread, 0);

    // After unfollowing, the phone hears the read marker but no more messages.
    phone.send(&ClientFrame::Unfollow { rooms: vec!["general".into()] }).await;
    let _ = phone.next_read().await;
    let _ = phone.next_read().await;
    let fourth = post(&mut bob_socket, "b4", "four").await;
    laptop.send(&ClientFrame::Read { room: "general".into(), id: fourth }).await;
    let next = phone
        .expect(|frame| match frame {
            frame @ (ServerFrame::Message { .. } | ServerFrame::Read { .. }) => Some(frame),
            _ => None,
        })
        .await;
    assert!(matches!(next, ServerFrame::Read { .. }), "no message after unfollowing, got {next:?}");
}

#[tokio::test]
async fn only_a_joined_room_can_be_marked_read() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("general").await;
    let mut socket = alice.socket().await;
    socket.send(&ClientFrame::Read { room: "general".into(), id: 0 }).await;
    let refused = socket
        .expect(|frame| match frame {
            ServerFrame::Error { message, .. } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!(refused, "Join the room before marking it read");
    socket.send(&ClientFrame::Follow { rooms: vec!["no such/room!".into()] }).await;
    let refused = socket
        .expect(|frame| match frame {
            ServerFrame::Error { message, .. } => Some(message),
            _ => None,
        })
        .await;
    assert!(refused.contains("name"), "a bad room name is refused clearly: {refused}");
}

#[tokio::test]
async fn a_user_with_many_rooms_follows_them_all_in_one_frame() {
    // 150 rooms made by one person, well past the hourly allowance.
    let app = spawn_app_with(|config| config.limits.rooms_created_per_hour = 1000).await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    let rooms: Vec<String> = (0..150).map(|n| format!("room-{n}")).collect();
    for room in &rooms {
        bob.open_room(room).await;
    }
    // Well past the burst a connection may send frame by frame: one frame carries them all.
    let mut socket = alice.socket().await;
    socket.send(&ClientFrame::Follow { rooms: rooms.clone() }).await;
    // Frames are handled in order: once a later one is answered, the rooms are followed.
    socket.send(&ClientFrame::Read { room: "room-0".into(), id: 0 }).await;
    socket.refused().await;
    let mut bob_socket = bob.socket().await;
    bob_socket.join("room-149").await;
    bob_socket
        .send(&ClientFrame::Send {
            room: "room-149".into(),
            nonce: "last".into(),
            body: "still here?".into(),
            reply_to: None,
        })
        .await;
    let got = socket
        .expect(|frame| match frame {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .await;
    assert_eq!((got.room.as_str(), got.body.as_str()), ("room-149", "still here?"));
}

#[tokio::test]
async fn a_room_page_carries_the_rooms_one_has_opened_not_every_room() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("kitchen").await;
    alice.open_room("garden").await;
    bob.open_room("bobs-corner").await;
    let mut socket = alice.socket().await;
    socket.join("garden").await;
    socket.send(&ClientFrame::Read { room: "garden".into(), id: 0 }).await;
    socket.next_read().await;

    let html = alice.get("/rooms/kitchen").await.text().await.expect("body");
    assert!(html.contains("#garden"), "the sidebar lists the room alice has read");
    assert!(!html.contains("bobs-corner"), "a room alice never opened does not weigh down her room page");
}
