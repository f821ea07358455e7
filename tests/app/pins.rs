//! Pins: anyone who may post pins, everyone sees it at once, the room's list is the latest pinned
//! first, a deleted message cannot be pinned and loses its pin, and a room's pins are bounded.

use mini_discord::shared::{protocol::ClientFrame, views::MessageView};

use crate::support::spawn_app;

fn pin(id: i64) -> ClientFrame {
    ClientFrame::Pin { room: "general".into(), id }
}

/// The room's pinned list as the server function answers it: ids, the latest pinned first.
async fn pinned(person: &crate::support::Person, room: &str) -> Vec<i64> {
    let answer = person.post_form("/api/pinned", &[("room", room)]).await;
    assert_eq!(answer.status(), 200);
    let list: Vec<MessageView> = answer.json().await.expect("pinned messages");
    assert!(list.iter().all(|message| message.pinned));
    list.into_iter().map(|message| message.id).collect()
}

#[tokio::test]
async fn anyone_in_the_room_pins_and_the_list_is_the_latest_pinned_first() {
    let app = spawn_app().await;
    let (alice, bob, mut a, mut b) = app.alice_and_bob_in_general().await;
    alice.open_room("other").await;
    let first = a.post("general", "1", "the rules").await;
    let second = a.post("general", "2", "the schedule").await;

    // Bob pins alice's message: both see it pinned at once.
    b.send(&pin(second)).await;
    let now = a.changed().await;
    assert_eq!((now.id, now.pinned), (second, true));
    assert_eq!(b.changed().await, now);
    b.send(&pin(first)).await;
    a.changed().await;
    assert_eq!(b.changed().await.id, first);
    assert_eq!(pinned(&alice, "general").await, [first, second], "the latest pinned first");
    // Pinning a pinned message changes nothing; the next change is the unpin.
    a.send(&pin(first)).await;
    a.send(&ClientFrame::Unpin { room: "general".into(), id: second }).await;
    let now = b.changed().await;
    assert_eq!((now.id, now.pinned), (second, false));
    assert_eq!(a.changed().await, now);
    assert_eq!(pinned(&bob, "general").await, [first]);

    // Only messages of the room named; the list only for who may read the room.
    a.send(&ClientFrame::Pin { room: "other".into(), id: first }).await;
    assert_eq!(a.refused().await, "No such message");
    let anonymous = app.person("nobody").post_form("/api/pinned", &[("room", "general")]).await;
    assert_eq!(anonymous.status(), 401);
    let nowhere = bob.post_form("/api/pinned", &[("room", "nowhere")]).await;
    assert_eq!(nowhere.status(), 404);

    // A page drawn now marks the pinned message.
    let html = bob.get("/rooms/general").await.text().await.expect("page");
    assert!(html.contains("pinned-marker") && html.contains(">Unpin<"));
}

#[tokio::test]
async fn a_deleted_message_loses_its_pin_and_cannot_be_pinned() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("general").await;
    let mut a = alice.socket().await;
    a.join("general").await;
    let id = a.post("general", "1", "pinned, then regretted").await;
    a.send(&pin(id)).await;
    a.changed().await;
    a.send(&ClientFrame::Delete { room: "general".into(), id }).await;
    let gone = a.changed().await;
    assert!(gone.deleted && !gone.pinned);
    assert!(pinned(&alice, "general").await.is_empty());
    a.send(&pin(id)).await;
    assert_eq!(a.refused().await, "This message was deleted");
}

#[tokio::test]
async fn a_room_holds_at_most_fifty_pinned_messages() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("general").await;
    let mut a = alice.socket().await;
    a.join("general").await;
    let mut ids = Vec::new();
    for n in 0..51 {
        ids.push(a.post("general", &n.to_string(), &format!("m{n}")).await);
    }
    for id in &ids[..50] {
        a.send(&pin(*id)).await;
        a.changed().await;
    }
    a.send(&pin(ids[50])).await;
    assert_eq!(
        a.refused().await,
        "This room has as many pinned messages as it can hold (50): unpin one first"
    );
    a.send(&ClientFrame::Unpin { room: "general".into(), id: ids[0] }).await;
    a.changed().await;
    a.send(&pin(ids[50])).await;
    assert_eq!(a.changed().await.id, ids[50], "room again once one is unpinned");
    assert_eq!(pinned(&alice, "general").await.len(), 50);
}
