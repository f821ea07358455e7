//! What one account may send per second, across all its connections.

use mini_discord::shared::protocol::{ClientFrame, ServerFrame};

use crate::support::spawn_app_with;

#[tokio::test]
async fn an_account_sending_too_fast_is_told_when_to_try_again_on_every_connection() {
    let app = spawn_app_with(|config| {
        config.limits.messages_per_second = 1;
        config.limits.message_burst = 3;
        config.limits.actions_per_second = 1;
        config.limits.action_burst = 1;
    })
    .await;
    let (alice, _bob, mut a, mut b) = app.alice_and_bob_in_general().await;
    let mut second_tab = alice.socket().await;
    second_tab.join("general").await;

    // The burst, spent from two tabs of the same account.
    a.post("general", "n-1", "one").await;
    second_tab.post("general", "n-2", "two").await;
    a.post("general", "n-3", "three").await;
    for socket in [&mut a, &mut second_tab] {
        socket
            .send(&ClientFrame::Send {
                room: "general".into(),
                nonce: "n-4".into(),
                body: "four".into(),
                reply_to: None,
            })
            .await;
        let refused = socket
            .expect(|frame| match frame {
                ServerFrame::Error { message, nonce: Some(nonce) } if nonce == "n-4" => Some(message),
                _ => None,
            })
            .await;
        assert_eq!(refused, "Slow down: try again in 1 second");
    }
    // A resend of a message already stored (its ack lost) is answered, not refused: refused, it
    // would be typed back into the composer and sent twice.
    a.post("general", "n-3", "three").await;
    // Someone else is not held back, and nothing refused was stored.
    b.post("general", "b-1", "bob's turn").await;
    assert_eq!(app.count_rows("messages").await, 4);

    // Other actions have an allowance of their own, over HTTP too: 429 with Retry-After.
    let set_topic = || alice.post_form("/api/set_room_topic", &[("room", "general"), ("topic", "quick")]);
    assert_eq!(set_topic().await.status(), 200);
    let refused = set_topic().await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    let error: mini_discord::error::AppError = refused.json().await.expect("one of our errors");
    assert_eq!(error.to_string(), "Slow down: try again in 1 second");
}
