//! Replies: a message answers one of its own room and shows a quote of it, live and in history;
//! the quote follows its original's edits and deletion; nothing answers another room's message.

use mini_discord::shared::{
    protocol::{ClientFrame, ServerFrame},
    views::{HistoryPage, ReplyQuote},
};

use crate::support::{spawn_app, Person};

fn reply(nonce: &str, body: &str, to: i64) -> ClientFrame {
    ClientFrame::Send { room: "general".into(), nonce: nonce.into(), body: body.into(), reply_to: Some(to) }
}

/// How the history shows message `id`'s quote now.
async fn quote_in_history(person: &Person, id: i64) -> Option<ReplyQuote> {
    let answer = person.post_form("/api/history", &[("room", "general")]).await;
    let page: HistoryPage = answer.json().await.expect("history");
    page.messages.into_iter().find(|m| m.id == id).and_then(|m| m.reply)
}

#[tokio::test]
async fn a_reply_quotes_its_original_live_and_in_history_and_follows_its_edits_and_deletion() {
    let app = spawn_app().await;
    let (alice, bob, mut a, mut b) = app.alice_and_bob_in_general().await;
    let original = a.post("general", "1", "Has anyone seen\n\nthe   keys?").await;

    b.send(&reply("r1", "In the kitchen", original)).await;
    let live = a.message("In the kitchen").await;
    let quote = live.reply.clone().expect("a reply carries its quote");
    assert_eq!(
        (quote.id, quote.author.as_str(), quote.excerpt.as_str(), quote.deleted),
        (original, "alice", "Has anyone seen the keys?", false),
        "the author and the start of the text, on one line"
    );
    assert_eq!(b.message("In the kitchen").await, live, "the replier sees the same");
    assert_eq!(quote_in_history(&bob, live.id).await, Some(quote));

    // The original is edited: the reply, read again, quotes the new text.
    a.send(&ClientFrame::Edit {
        room: "general".into(),
        id: original,
        body: "Has anyone seen my keys?".into(),
    })
    .await;
    let edited = b.changed().await;
    let quote = quote_in_history(&alice, live.id).await.expect("still a reply");
    assert_eq!((quote.excerpt.as_str(), quote.version), ("Has anyone seen my keys?", edited.version));

    // Deleted: the quote says so and keeps none of its text, in the page too.
    a.send(&ClientFrame::Delete { room: "general".into(), id: original }).await;
    b.changed().await;
    let quote = quote_in_history(&bob, live.id).await.expect("still a reply");
    assert!(quote.deleted && quote.excerpt.is_empty());
    let html = bob.get("/rooms/general").await.text().await.expect("page");
    assert!(html.contains("Original message deleted") && !html.contains("keys"));

    // A reply queued before the deletion is still taken, its quote saying what became of it.
    b.send(&reply("r2", "too late?", original)).await;
    let late = a.message("too late?").await;
    assert!(late.reply.is_some_and(|quote| quote.deleted && quote.excerpt.is_empty()));
}

#[tokio::test]
async fn a_reply_answers_only_a_message_of_its_own_room() {
    let app = spawn_app().await;
    let (alice, _bob, mut a, mut b) = app.alice_and_bob_in_general().await;
    alice.open_room("other").await;
    a.join("other").await;
    let elsewhere = a.post("other", "1", "a message in another room").await;

    for to in [elsewhere, elsewhere + 1000] {
        b.send(&reply("r1", "sneaky", to)).await;
        let (message, nonce) = b
            .expect(|frame| match frame {
                ServerFrame::Error { message, nonce } => Some((message, nonce)),
                _ => None,
            })
            .await;
        assert_eq!(message, "The message you are replying to is not in this room");
        assert_eq!(nonce.as_deref(), Some("r1"), "the refusal names the message, whose text goes back");
    }
    assert_eq!(app.count_rows("messages WHERE body = 'sneaky'").await, 0);
}

#[tokio::test]
async fn a_reply_whose_original_an_administrator_removed_says_it_is_gone_and_replays_with_its_quote() {
    let app = spawn_app().await;
    let (alice, bob, mut a, mut b) = app.alice_and_bob_in_general().await;
    let original = a.post("general", "1", "spam").await;
    b.send(&reply("r1", "reported", original)).await;
    let answer = a.message("reported").await;

    // A tab that was away gets the reply, quote and all, in its replay.
    let mut away = bob.socket().await;
    away.send(&ClientFrame::Join { room: "general".into(), after: Some(original), changes: None }).await;
    assert_eq!(away.message("reported").await, answer);

    mini_discord::server::db::users::set_admin(&app.state.db, "alice", true).await.expect("admin");
    let removed = alice.post_form("/api/admin/delete_message", &[("id", &original.to_string())]).await;
    assert_eq!(removed.status(), 200);
    assert_eq!(quote_in_history(&bob, answer.id).await, Some(ReplyQuote::removed(original)));
    // A resend of the stored reply (its ack lost) is acknowledged, not refused.
    b.send(&reply("r1", "reported", original)).await;
    let acked = b
        .expect(|frame| match frame {
            ServerFrame::Ack { nonce, id } if nonce == "r1" => Some(id),
            ServerFrame::Error { message, .. } => panic!("refused: {message}"),
            _ => None,
        })
        .await;
    assert_eq!(acked, answer.id);
    assert_eq!(app.count_rows("messages WHERE body = 'reported'").await, 1);
    let html = bob.get("/rooms/general").await.text().await.expect("page");
    assert!(html.contains("Original message deleted") && !html.contains(">spam<"));
}
