//! Bans: a room's owner or moderators ban someone, who leaves the room at once on every device and
//! stays out of it by every way in (its page, the socket, being added, invite links) until
//! unbanned. The same scenario runs on SQLite here and across two instances in `cluster`.

use mini_discord::{
    error::AppError,
    shared::protocol::{ClientFrame, Gone, ServerFrame, CLOSE_TOO_SLOW},
};

use crate::support::{spawn_app, Person};

async fn status_of(person: &Person, path: &str, form: &[(&str, &str)]) -> u16 {
    person.post_form(path, form).await.status().as_u16()
}

async fn refusal(person: &Person, path: &str, form: &[(&str, &str)]) -> String {
    let response = person.post_form(path, form).await;
    response.json::<AppError>().await.expect("one of our errors").to_string()
}

/// Alice owns "town"; Bob talks there until she bans him; Carol is a member; Dave never came.
pub async fn a_banned_person_is_out_at_once_and_stays_out(
    alice: Person,
    bob: Person,
    carol: Person,
    dave: Person,
) {
    alice.open_room("town").await;
    bob.open_room("town").await;
    carol.open_room("town").await;
    let mut bob_socket = bob.socket().await;
    bob_socket.join("town").await;
    let rude = bob_socket.post("town", "b1", "something rude").await;
    let mut alice_socket = alice.socket().await;
    alice_socket.join("town").await;
    alice_socket.send(&ClientFrame::Delete { room: "town".into(), id: rude }).await;
    bob_socket.changed().await;

    let ban_bob = [("room", "town"), ("username", "bob")];
    assert_eq!(status_of(&carol, "/api/ban", &ban_bob).await, 403, "members do not ban");
    assert_eq!(status_of(&alice, "/api/ban", &ban_bob).await, 200);

    // Out at once, with the reason.
    let gone = bob_socket
        .expect(|frame| match frame {
            ServerFrame::RoomGone { room, why } => Some((room, why)),
            _ => None,
        })
        .await;
    assert_eq!(gone, ("town".to_owned(), Gone::Banned));
    assert_eq!(bob_socket.closed().await, Some(CLOSE_TOO_SLOW));
    let gone_page = bob.get("/rooms?gone=banned&room=town").await.text().await.expect("page");
    assert!(gone_page.contains("You were banned from #town"));

    // And out by every way back: the page, the socket, the room form, his list, being added.
    const BANNED: &str = "You are banned from this room";
    let page = bob.get("/rooms/town").await;
    let status = page.status();
    let body = page.text().await.expect("page");
    assert_eq!(status, 403, "{}", &body[body.len().saturating_sub(3000)..]);
    assert!(body.contains(BANNED));
    let mut again = bob.socket().await;
    again.send(&ClientFrame::Join { room: "town".into(), after: None, changes: None }).await;
    assert_eq!(again.refused().await, BANNED);
    assert_eq!(refusal(&bob, "/api/open_room", &[("name", "town")]).await, BANNED);
    assert_eq!(status_of(&bob, "/api/history", &[("room", "town")]).await, 403);
    assert_eq!(
        refusal(&alice, "/api/add_member", &[("room", "town"), ("username", "bob")]).await,
        "That person is banned from this room: unban them first"
    );
    let code: String =
        alice.post_form("/api/create_invite", &[("room", "town")]).await.json().await.expect("code");
    let refused = bob.get(&format!("/invite/{code}")).await;
    let to = refused.headers()["location"].to_str().expect("location").to_owned();
    assert!(bob.get(&to).await.text().await.expect("page").contains(BANNED));
    assert_eq!(status_of(&bob, "/api/unban", &ban_bob).await, 403, "not even his own");

    // Someone who never came can be banned by name; the owner cannot be.
    assert_eq!(status_of(&carol, "/api/ban", &[("room", "town"), ("username", "dave")]).await, 403);
    assert_eq!(status_of(&alice, "/api/ban", &[("room", "town"), ("username", "dave")]).await, 200);
    assert_eq!(dave.get("/rooms/town").await.status(), 403);
    assert_eq!(
        refusal(&alice, "/api/ban", &[("room", "town"), ("username", "alice")]).await,
        "The room's owner cannot be removed"
    );

    // The owner sees who is banned, and lifts a ban.
    let listed = alice.get("/rooms/town").await.text().await.expect("page");
    assert!(listed.contains("Banned (2)") && listed.contains("Unban bob") && listed.contains("Unban dave"));
    assert!(!carol.get("/rooms/town").await.text().await.expect("page").contains("Banned ("));
    assert_eq!(status_of(&alice, "/api/unban", &ban_bob).await, 200);
    assert_eq!(refusal(&alice, "/api/unban", &ban_bob).await, "That person is not banned from this room");
    assert_eq!(bob.get("/rooms/town").await.status(), 200, "back in a public room");

    // Every step is in the room's moderation log, for those who moderate it only.
    let log = alice.get("/rooms/town").await.text().await.expect("page");
    let log = &log[log.find("Moderation log").expect("the owner reads the log")..];
    let entries = [
        "alice unbanned bob",
        "alice banned dave",
        "alice created an invite link",
        "alice banned bob",
        "alice deleted a message by bob",
    ];
    let at: Vec<usize> = entries.iter().map(|entry| log.find(entry).expect(entry)).collect();
    assert!(at.windows(2).all(|pair| pair[0] < pair[1]), "newest first: {at:?}");
    assert!(!carol.get("/rooms/town").await.text().await.expect("page").contains("Moderation log"));
}

#[tokio::test]
async fn a_banned_person_is_out_at_once_and_stays_out_on_sqlite() {
    let app = spawn_app().await;
    let (alice, bob, carol, dave) = (
        app.signed_up("alice").await,
        app.signed_up("bob").await,
        app.signed_up("carol").await,
        app.signed_up("dave").await,
    );
    a_banned_person_is_out_at_once_and_stays_out(alice, bob, carol, dave).await;
}
