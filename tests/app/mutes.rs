//! Mutes: a room's owner or moderators mute someone for a while; they still read the room but
//! cannot post, react or edit there, on any socket, until the time is up or they are unmuted. The
//! same scenario runs on SQLite here and across two instances in `cluster`.

use mini_discord::shared::protocol::{ClientFrame, CLOSE_TOO_SLOW};

use crate::support::{spawn_app, Person};

async fn status_of(person: &Person, path: &str, form: &[(&str, &str)]) -> u16 {
    person.post_form(path, form).await.status().as_u16()
}

/// Alice owns "hall"; Bob talks there until she mutes him for an hour; Carol is a member.
pub async fn a_muted_member_reads_but_cannot_speak(alice: Person, bob: Person, carol: Person) {
    alice.open_room("hall").await;
    bob.open_room("hall").await;
    carol.open_room("hall").await;
    let mut bob_socket = bob.socket().await;
    bob_socket.join("hall").await;
    let said = bob_socket.post("hall", "b1", "before").await;

    let mute_bob = [("room", "hall"), ("username", "bob"), ("minutes", "60")];
    assert_eq!(status_of(&carol, "/api/mute", &mute_bob).await, 403, "members do not mute");
    assert_eq!(
        status_of(&alice, "/api/mute", &[("room", "hall"), ("username", "bob"), ("minutes", "0")]).await,
        400
    );
    assert_eq!(
        status_of(&alice, "/api/mute", &[("room", "hall"), ("username", "bob"), ("minutes", "99999")]).await,
        400
    );
    assert_eq!(status_of(&alice, "/api/mute", &mute_bob).await, 200);
    // His socket rejoins with the new standing; nothing he sends lands.
    assert_eq!(bob_socket.closed().await, Some(CLOSE_TOO_SLOW));
    let mut bob_socket = bob.socket().await;
    bob_socket.join("hall").await;
    const MUTED: &str = "You are muted in this room for another 1 hour";
    let frames = [
        ClientFrame::Send { room: "hall".into(), nonce: "b2".into(), body: "during".into(), reply_to: None },
        ClientFrame::React { room: "hall".into(), id: said, emoji: "👍".into() },
        ClientFrame::Edit { room: "hall".into(), id: said, body: "changed".into() },
        ClientFrame::Pin { room: "hall".into(), id: said },
    ];
    for frame in frames {
        bob_socket.send(&frame).await;
        assert_eq!(bob_socket.refused().await, MUTED, "{frame:?}");
    }
    // He still reads, and his page says why he cannot speak; the owner sees it too.
    assert_eq!(status_of(&bob, "/api/history", &[("room", "hall")]).await, 200);
    assert!(bob.get("/rooms/hall").await.text().await.expect("page").contains(MUTED));
    let page = alice.get("/rooms/hall").await.text().await.expect("page");
    assert!(page.contains("muted for another 1 hour") && page.contains("Unmute bob"));

    // Unmuted, he speaks again.
    assert_eq!(status_of(&carol, "/api/unmute", &[("room", "hall"), ("username", "bob")]).await, 403);
    assert_eq!(status_of(&alice, "/api/unmute", &[("room", "hall"), ("username", "bob")]).await, 200);
    assert_eq!(bob_socket.closed().await, Some(CLOSE_TOO_SLOW));
    let mut bob_socket = bob.socket().await;
    bob_socket.join("hall").await;
    bob_socket.post("hall", "b3", "after").await;
    let page = alice.get("/rooms/hall").await.text().await.expect("page");
    assert!(page.contains("alice unmuted bob") && page.contains("alice muted bob for 1 hour"));
}

#[tokio::test]
async fn a_muted_member_reads_but_cannot_speak_on_sqlite() {
    let app = spawn_app().await;
    let (alice, bob, carol) =
        (app.signed_up("alice").await, app.signed_up("bob").await, app.signed_up("carol").await);
    a_muted_member_reads_but_cannot_speak(alice, bob, carol).await;
}
