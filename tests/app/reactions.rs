//! Reactions: one per person per emoji, who reacted shown to everyone at once, a bounded number
//! of different emoji, none on a deleted message, and the final state for a tab that was away.

use mini_discord::{
    server::db::{changes, messages},
    shared::{
        protocol::ClientFrame,
        views::{MessageView, Reaction},
    },
};

use crate::support::spawn_app;

fn react(id: i64, emoji: &str) -> ClientFrame {
    ClientFrame::React { room: "general".into(), id, emoji: emoji.into() }
}

fn unreact(id: i64, emoji: &str) -> ClientFrame {
    ClientFrame::Unreact { room: "general".into(), id, emoji: emoji.into() }
}

/// Each emoji with who gave it, as a reader is shown them.
fn shown(message: &MessageView) -> Vec<(&str, Vec<&str>)> {
    message
        .reactions
        .iter()
        .map(|Reaction { emoji, users }| (emoji.as_str(), users.iter().map(String::as_str).collect()))
        .collect()
}

#[tokio::test]
async fn one_reaction_per_person_per_emoji_and_everyone_sees_who_reacted() {
    let app = spawn_app().await;
    let (alice, _, mut a, mut b) = app.alice_and_bob_in_general().await;
    let carol = app.signed_up("carol").await;
    alice.open_room("other").await;
    let id = a.post("general", "n1", "lunch?").await;
    let seen_by_carol = changes::latest(&app.state.db).await.expect("latest");

    b.send(&react(id, "👍")).await;
    let now = a.changed().await;
    assert_eq!(shown(&now), [("👍", vec!["bob"])]);
    assert_eq!(b.changed().await, now, "the reactor's tab too");

    // Reacting again with the same emoji changes nothing: the next change shows one bob.
    b.send(&react(id, " 👍 ")).await;
    a.send(&react(id, "👍")).await;
    a.send(&react(id, "🎉")).await;
    b.changed().await;
    let now = b.changed().await;
    assert_eq!(shown(&now), [("👍", vec!["bob", "alice"]), ("🎉", vec!["alice"])]);
    a.changed().await;
    assert_eq!(a.changed().await, now);

    b.send(&unreact(id, "👍")).await;
    let now = a.changed().await;
    assert_eq!(shown(&now), [("👍", vec!["alice"]), ("🎉", vec!["alice"])]);
    b.changed().await;
    b.send(&unreact(id, "👍")).await;
    a.send(&unreact(id, "🎉")).await;
    let now = b.changed().await;
    assert_eq!(shown(&now), [("👍", vec!["alice"])], "taking back what was not given changed nothing");

    // Only one emoji, never text or markup, and only messages of the room named.
    for bad in ["hi", "<script>alert(1)</script>", "👍👍", ""] {
        b.send(&react(id, bad)).await;
        assert_eq!(b.refused().await, "A reaction is one emoji", "{bad:?}");
    }
    b.send(&ClientFrame::React { room: "other".into(), id, emoji: "👍".into() }).await;
    assert_eq!(b.refused().await, "No such message");
    assert_eq!(
        app.count_rows(&format!("message_reactions WHERE message_id = {id}")).await,
        1,
        "refusals changed nothing"
    );

    // A page drawn now shows them, named for screen readers.
    let html = carol.get("/rooms/general").await.text().await.expect("page");
    assert!(html.contains("👍 1: alice"), "the reaction and who gave it");
    // A tab that was away is told the final state.
    let mut c = carol.socket().await;
    c.send(&ClientFrame::Join { room: "general".into(), after: Some(id), changes: Some(seen_by_carol) })
        .await;
    let caught_up = c.changed().await;
    assert_eq!((caught_up.id, shown(&caught_up)), (id, vec![("👍", vec!["alice"])]));
}

#[tokio::test]
async fn a_message_takes_at_most_twenty_different_emoji() {
    let app = spawn_app().await;
    let (_, _, mut a, mut b) = app.alice_and_bob_in_general().await;
    let id = a.post("general", "n1", "vote").await;
    let emoji: Vec<String> =
        (0..21).map(|n| char::from_u32(0x1F600 + n).expect("emoji").to_string()).collect();
    for e in &emoji[..20] {
        a.send(&react(id, e)).await;
        a.changed().await;
    }
    a.send(&react(id, &emoji[20])).await;
    assert_eq!(a.refused().await, "This message has as many different reactions as it can take (20)");
    // Joining one already there always works.
    b.send(&react(id, &emoji[0])).await;
    let now = a.changed().await;
    assert_eq!(now.reactions.len(), 20);
    assert_eq!(now.reactions[0].users, ["alice", "bob"]);
}

#[tokio::test]
async fn a_deleted_message_loses_its_reactions_and_takes_no_more() {
    let app = spawn_app().await;
    let (_, _, mut a, mut b) = app.alice_and_bob_in_general().await;
    let id = a.post("general", "n1", "oops").await;
    b.send(&react(id, "😂")).await;
    a.changed().await;
    b.changed().await;
    a.send(&ClientFrame::Delete { room: "general".into(), id }).await;
    let gone = b.changed().await;
    assert!(gone.deleted && gone.reactions.is_empty());
    assert_eq!(app.count_rows(&format!("message_reactions WHERE message_id = {id}")).await, 0);
    b.send(&react(id, "😂")).await;
    assert_eq!(b.refused().await, "This message was deleted");

    // An administrator removing a message from the history takes its reactions with it.
    let id = a.post("general", "n2", "again").await;
    b.send(&react(id, "😂")).await;
    a.changed().await;
    assert!(messages::delete(&app.state.db, id).await.expect("deleted"));
    assert_eq!(app.count_rows(&format!("message_reactions WHERE message_id = {id}")).await, 0);
}

#[tokio::test]
async fn an_emoji_typed_with_or_without_its_selector_is_one_reaction() {
    let app = spawn_app().await;
    let (_, _, mut a, mut b) = app.alice_and_bob_in_general().await;
    let id = a.post("general", "n1", "love it").await;
    b.send(&react(id, "❤")).await;
    a.changed().await;
    a.send(&react(id, "❤\u{FE0F}")).await;
    let now = a.changed().await;
    assert_eq!(shown(&now), [("❤\u{FE0F}", vec!["bob", "alice"])]);
    // Taking it back works whichever way it is typed.
    b.send(&unreact(id, "❤\u{FE0F}")).await;
    assert_eq!(shown(&a.changed().await), [("❤\u{FE0F}", vec!["alice"])]);
}
