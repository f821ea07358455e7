//! Editing and deleting messages: who may, what everyone sees at once, what is kept and what is
//! gone from storage, and what a tab that was away is told when it comes back.

use mini_discord::{
    server::db::{changes, messages, rooms},
    shared::{
        protocol::{ClientFrame, ServerFrame},
        views::MessageVersion,
    },
};
use sea_orm::{ConnectionTrait, Statement};

use crate::support::spawn_app;

fn edit(id: i64, body: &str) -> ClientFrame {
    ClientFrame::Edit { room: "general".into(), id, body: body.into() }
}

fn delete(id: i64) -> ClientFrame {
    ClientFrame::Delete { room: "general".into(), id }
}

/// The stored text of a message, read straight from the table.
async fn stored_body(db: &sea_orm::DatabaseConnection, id: i64) -> String {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT body FROM messages WHERE id = {id}"),
        ))
        .await
        .expect("query")
        .expect("row");
    row.try_get("", "body").expect("body")
}

#[tokio::test]
async fn only_the_author_edits_and_everyone_in_the_room_sees_it_at_once() {
    let app = spawn_app().await;
    let (alice, bob, mut a, mut b) = app.alice_and_bob_in_general().await;
    alice.open_room("other").await;
    let id = a.post("general", "n1", "helo").await;

    a.send(&edit(id, "  hello  ")).await;
    let seen = b.changed().await;
    assert_eq!((seen.id, seen.body.as_str(), seen.edited, seen.deleted), (id, "hello", true, false));
    assert!(seen.version > 0);
    assert_eq!(a.changed().await, seen, "the author's tab too, in the same state");

    b.send(&edit(id, "bob was here")).await;
    assert_eq!(b.refused().await, "That is not your message");
    a.send(&edit(id, &"x".repeat(2001))).await;
    assert!(a.refused().await.contains("2000"), "the same rule as a new message");
    a.send(&edit(id, "   ")).await;
    a.refused().await;
    // The message is in "general": a frame naming another room cannot reach it.
    a.send(&ClientFrame::Edit { room: "other".into(), id, body: "moved?".into() }).await;
    assert_eq!(a.refused().await, "That is not your message");
    assert_eq!(stored_body(&app.state.db, id).await, "hello", "refusals changed nothing");

    // Everyone in the room may see the earlier versions, oldest first, with their times.
    a.send(&edit(id, "hello, world")).await;
    b.changed().await;
    let answer = bob.post_form("/api/versions", &[("room", "general"), ("id", &id.to_string())]).await;
    assert_eq!(answer.status(), 200);
    let versions: Vec<MessageVersion> = answer.json().await.expect("versions");
    let texts: Vec<&str> = versions.iter().map(|v| v.body.as_str()).collect();
    assert_eq!(texts, ["helo", "hello", "hello, world"]);
    assert!(versions.windows(2).all(|w| w[0].written_at_ms <= w[1].written_at_ms));
    let elsewhere = bob.post_form("/api/versions", &[("room", "other"), ("id", &id.to_string())]).await;
    assert_eq!(elsewhere.status(), 404, "not a message of that room");
    let anonymous =
        app.person("nobody").post_form("/api/versions", &[("room", "general"), ("id", "1")]).await;
    assert_eq!(anonymous.status(), 401);

    // A page load shows the edited text and its marker.
    let html = bob.get("/rooms/general").await.text().await.expect("page");
    assert!(html.contains("hello, world") && html.contains("(edited)"));
}

#[tokio::test]
async fn a_deleted_message_keeps_its_place_and_its_text_is_gone_from_storage() {
    let app = spawn_app().await;
    let (_, _, mut a, mut b) = app.alice_and_bob_in_general().await;
    let carol = app.signed_up("carol").await;
    let id = a.post("general", "n1", "a secret first draft").await;
    a.send(&edit(id, "a secret second draft")).await;
    b.changed().await;
    a.changed().await;

    b.send(&delete(id)).await;
    assert_eq!(b.refused().await, "That is not your message");
    a.send(&delete(id)).await;
    let gone = b.changed().await;
    assert_eq!((gone.id, gone.body.as_str(), gone.deleted), (id, "", true));
    assert_eq!(a.changed().await, gone);
    a.send(&edit(id, "back again")).await;
    assert_eq!(a.refused().await, "This message was deleted");

    let db = &app.state.db;
    assert_eq!(stored_body(db, id).await, "");
    assert_eq!(
        app.count_rows(&format!("message_edits WHERE message_id = {id}")).await,
        0,
        "no earlier version kept"
    );
    assert_eq!(app.count_rows("messages WHERE body LIKE '%secret%'").await, 0);
    let html = carol.get("/rooms/general").await.text().await.expect("page");
    assert!(html.contains("Message deleted") && !html.contains("secret"));

    // An administrator deletes anyone's message, in any room.
    let id = b.post("general", "n2", "spam").await;
    mini_discord::server::db::users::set_admin(db, "carol", true).await.expect("admin");
    let mut c = carol.socket().await;
    c.join("general").await;
    c.send(&delete(id)).await;
    let gone = a.changed().await;
    assert_eq!((gone.id, gone.deleted), (id, true));
}

#[tokio::test]
async fn a_tab_that_was_away_gets_the_final_state_of_what_changed() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let bob = app.signed_up("bob").await;
    alice.open_room("general").await;
    let mut a = alice.socket().await;
    a.join("general").await;
    let first = a.post("general", "1", "first").await;
    let second = a.post("general", "2", "second").await;
    let untouched = a.post("general", "3", "untouched").await;
    // Bob's page was drawn here: it shows every change up to this one.
    let seen = changes::latest(&app.state.db).await.expect("latest");

    a.send(&edit(first, "first, fixed")).await;
    a.changed().await;
    a.send(&edit(first, "first, fixed twice")).await;
    a.changed().await;
    a.send(&delete(second)).await;
    a.changed().await;
    let later = a.post("general", "4", "later").await;
    a.send(&edit(later, "later, fixed")).await;
    a.changed().await;

    let mut b = bob.socket().await;
    b.send(&ClientFrame::Join { room: "general".into(), after: Some(untouched), changes: Some(seen) }).await;
    let mut got = Vec::new();
    while got.len() < 3 {
        match b.next_frame().await.expect("a frame") {
            ServerFrame::Message { message } | ServerFrame::Changed { message } => got.push(message),
            _ => {}
        }
    }
    let states: Vec<(i64, &str, bool)> = got.iter().map(|m| (m.id, m.body.as_str(), m.deleted)).collect();
    assert_eq!(
        states,
        [(later, "later, fixed", false), (first, "first, fixed twice", false), (second, "", true)],
        "the new message as it is now, then each older one changed, once, in its final state"
    );
    assert!(!got.iter().any(|m| m.id == untouched));

    // Past the replay limit the tab reloads instead.
    let room = rooms::by_name(&app.state.db, "general").await.expect("db").expect("room");
    let limit = app.state.config.limits.replay_limit;
    let mut ids = Vec::new();
    for n in 0..=limit {
        let author = mini_discord::server::db::users::by_name(&app.state.db, "alice")
            .await
            .expect("db")
            .expect("alice");
        let author = mini_discord::server::db::users::Author::from(&author);
        match messages::insert(&app.state.db, &room, &author, &format!("m{n}"), None).await.expect("stored") {
            messages::Stored::New(message) | messages::Stored::Duplicate(message) => ids.push(message.id),
        }
    }
    let before = changes::latest(&app.state.db).await.expect("latest");
    for id in &ids {
        let row = changes::current(&app.state.db, *id).await.expect("db").expect("row");
        changes::edit(&app.state.db, &row, "edited", &[]).await.expect("edited");
    }
    let mut b = bob.socket().await;
    let newest = *ids.last().expect("ids");
    b.send(&ClientFrame::Join { room: "general".into(), after: Some(newest), changes: Some(before) }).await;
    let room = b
        .expect(|frame| match frame {
            ServerFrame::Resync { room } => Some(room),
            _ => None,
        })
        .await;
    assert_eq!(room, "general");
}
