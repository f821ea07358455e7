//! Mentions: "@name" names an account, stored as a reference to it (so it follows a rename),
//! shown live and in history, counted apart among the unread; "@" offers the room's people.

use mini_discord::shared::{
    protocol::{ClientFrame, ServerFrame},
    views::{HistoryPage, MessageView, ReadState, RoomDirectory},
};

use crate::support::{spawn_app, Person, Socket};

async fn history(person: &Person) -> Vec<MessageView> {
    let page: HistoryPage =
        person.post_form("/api/history", &[("room", "general")]).await.json().await.expect("history");
    page.messages
}

async fn read_state(person: &Person) -> ReadState {
    let listed: RoomDirectory = person.post_form("/api/rooms", &[]).await.json().await.expect("rooms");
    listed.rooms.into_iter().find(|room| room.name == "general").and_then(|room| room.read).expect("a member")
}

async fn read(socket: &mut Socket, id: i64) -> ReadState {
    socket.send(&ClientFrame::Read { room: "general".into(), id }).await;
    socket.next_read().await
}

async fn suggestions(socket: &mut Socket, room: &str, prefix: &str) -> Vec<String> {
    socket.send(&ClientFrame::SuggestMentions { room: room.into(), prefix: prefix.into() }).await;
    socket
        .expect(|frame| match frame {
            ServerFrame::MentionSuggestions { names, .. } => Some(names),
            ServerFrame::Error { message, .. } => panic!("refused: {message}"),
            _ => None,
        })
        .await
}

#[tokio::test]
async fn a_mention_names_its_person_live_and_in_history_and_counts_apart_among_the_unread() {
    let app = spawn_app().await;
    let (alice, bob, mut a, mut b) = app.alice_and_bob_in_general().await;
    read(&mut b, 0).await;

    let body = "@Bob look, and @alice and mail bob@example.com and @nobody";
    a.post("general", "1", body).await;
    let live = b.message(body).await;
    assert_eq!(live.mentions, ["bob", "alice"], "by the accounts' names; not an address or no account");
    let plain = a.post("general", "2", "no mention here").await;
    assert!(b.message("no mention here").await.mentions.is_empty());
    let in_history = history(&bob).await;
    assert_eq!(
        in_history.iter().find(|m| m.id == live.id).map(|m| m.mentions.clone()),
        Some(vec!["bob".into(), "alice".into()])
    );
    assert_eq!(app.count_rows("message_mentions").await, 2);

    // Alice's own mention of herself is not news to her.
    b.post("general", "b1", "hello").await;
    let hers = read(&mut a, 0).await;
    assert_eq!((hers.unread, hers.mentions), (1, 0));

    // Two unread for bob, one of them a mention; reading catches both up.
    let state = read_state(&bob).await;
    assert_eq!((state.unread, state.mentions), (2, 1));
    let caught_up = read(&mut b, plain).await;
    assert_eq!((caught_up.unread, caught_up.mentions), (0, 0));

    // An edit's mentions replace the old; deleting drops them with the text.
    let edited = a.post("general", "3", "hey @bob").await;
    a.send(&ClientFrame::Edit { room: "general".into(), id: edited, body: "hey all".into() }).await;
    assert!(b.changed().await.mentions.is_empty());
    assert_eq!(read_state(&bob).await.mentions, 0, "the edit took the mention back");
    a.send(&ClientFrame::Edit { room: "general".into(), id: edited, body: "hey @BOB".into() }).await;
    assert_eq!(b.changed().await.mentions, ["bob"]);
    assert_eq!(read_state(&bob).await.mentions, 1);
    a.send(&ClientFrame::Delete { room: "general".into(), id: live.id }).await;
    assert!(b.changed().await.mentions.is_empty());
    assert_eq!(app.count_rows("message_mentions").await, 1, "only the edited message's is left");
    let _ = alice;
}

#[tokio::test]
async fn a_mention_follows_its_person_through_a_rename() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app().await;
    let (_alice, bob, mut a, mut b) = app.alice_and_bob_in_general().await;
    let thanks = a.post("general", "1", "thanks @Bob, and (@bob)!").await;
    let meet = a.post("general", "2", "@Alice meet @bob").await;
    b.send(&ClientFrame::Send {
        room: "general".into(),
        nonce: "r".into(),
        body: "hello".into(),
        reply_to: Some(meet),
    })
    .await;
    b.message("hello").await;

    // Bob becomes robert, then alice takes the name bob.
    let db = &app.state.db;
    for rename in [
        "UPDATE users SET username = 'robert', username_key = 'robert' WHERE username = 'bob'",
        "UPDATE users SET username = 'bob', username_key = 'bob' WHERE username = 'alice'",
    ] {
        db.execute_raw(Statement::from_string(db.get_database_backend(), rename)).await.expect("renamed");
    }
    let shown = history(&bob).await;
    let find = |id| shown.iter().find(|m| m.id == id).expect("the message");
    assert_eq!(find(thanks).body, "thanks @robert, and (@robert)!");
    assert_eq!(find(thanks).mentions, ["robert"]);
    assert_eq!(find(meet).body, "@bob meet @robert", "each name where it belongs now");
    assert_eq!(find(meet).mentions, ["bob", "robert"]);
    let quote = shown.iter().find_map(|m| m.reply.clone()).expect("the reply's quote");
    assert_eq!(quote.excerpt, "@bob meet @robert", "the quote follows too");
}

#[tokio::test]
async fn at_offers_the_people_of_the_room_by_the_start_of_their_names() {
    let app = spawn_app().await;
    let (_alice, _bob, mut a, mut b) = app.alice_and_bob_in_general().await;
    read(&mut a, 0).await;
    read(&mut b, 0).await;
    let bea = app.signed_up("bea_2").await;
    let mut c = bea.socket().await;
    c.join("general").await;
    read(&mut c, 0).await;
    // Someone who never opened the room is not offered.
    app.signed_up("bernard").await;

    assert_eq!(suggestions(&mut a, "general", "b").await, ["bea_2", "bob"]);
    assert_eq!(suggestions(&mut a, "general", "BO").await, ["bob"], "ignoring case");
    assert_eq!(suggestions(&mut a, "general", "").await, ["alice", "bea_2", "bob"]);
    assert!(suggestions(&mut a, "general", "b_").await.is_empty(), "`_` is a letter, not a wildcard");
    assert!(suggestions(&mut a, "general", "%").await.is_empty());

    // Only in a joined room.
    a.send(&ClientFrame::SuggestMentions { room: "random".into(), prefix: "b".into() }).await;
    assert!(a.refused().await.contains("Join the room"));
}
