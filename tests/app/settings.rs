//! Account settings: changing the password asks for the current one, and logs out every other
//! browser of the account (its open tabs told why), keeping this one logged in; deleting the
//! account asks for it too, and leaves its rooms and words to the others. The same scenario
//! runs on SQLite here and across two instances in `cluster` (the other browser on the other).

use mini_discord::{
    error::AppError,
    shared::{
        protocol::{ClientFrame, ServerFrame, CLOSE_SIGNED_OUT},
        views::HistoryPage,
    },
};

use crate::support::{spawn_app, Person};

async fn change(person: &Person, current: &str, password: &str, confirm: &str) -> reqwest::Response {
    let form = [("current", current), ("password", password), ("confirm", confirm)];
    person.post_form("/api/change_password", &form).await
}

async fn refusal(response: reqwest::Response) -> String {
    assert!(response.status().is_client_error(), "{}", response.status());
    response.json::<AppError>().await.expect("one of our errors").to_string()
}

/// Alice is logged in here and in `elsewhere` (another browser, maybe on another instance).
pub async fn a_new_password_logs_out_every_other_browser(alice: Person, elsewhere: Person, other_base: &str) {
    assert_eq!(elsewhere.login("alice", "correct horse").await.status(), 200);
    let mut other_tab = elsewhere.socket().await;
    alice.open_room("general").await;
    other_tab.join("general").await;

    assert_eq!(
        refusal(change(&alice, "wrong guess", "battery staple", "battery staple").await).await,
        "Your current password is not right"
    );
    assert_eq!(
        refusal(change(&alice, "correct horse", "battery staple", "battery stapel").await).await,
        "Passwords do not match"
    );
    assert_eq!(
        refusal(change(&alice, "correct horse", "short", "short").await).await,
        "Password must be at least 8 characters"
    );
    assert_eq!(elsewhere.get("/rooms").await.status(), 200, "nothing changed yet");

    assert_eq!(change(&alice, "correct horse", "battery staple", "battery staple").await.status(), 200);
    // The other browser's tab is told why and closed; its session is gone.
    let told = other_tab
        .expect(|frame| match frame {
            ServerFrame::SignedOut { reason } => Some(reason),
            _ => None,
        })
        .await;
    assert_eq!(told, "Your password was changed: please log in again");
    assert_eq!(other_tab.closed().await, Some(CLOSE_SIGNED_OUT));
    let page = elsewhere.get("/rooms").await;
    assert!(page.status().is_redirection(), "logged out: {}", page.status());
    // This browser stays logged in; only the new password opens the account from now on.
    assert_eq!(alice.get("/rooms").await.status(), 200);
    let fresh = Person::at(other_base, "alice");
    assert_eq!(fresh.login("alice", "correct horse").await.status(), 401);
    assert_eq!(fresh.login("alice", "battery staple").await.status(), 200);
    let settings = alice.get("/settings?changed=password").await.text().await.expect("page");
    assert!(settings.contains("Your password was changed"));
}

#[tokio::test]
async fn a_new_password_logs_out_every_other_browser_on_sqlite() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let elsewhere = app.person("alice");
    a_new_password_logs_out_every_other_browser(alice, elsewhere, &app.url("")).await;
}

#[tokio::test]
async fn settings_are_for_the_logged_in() {
    let app = spawn_app().await;
    let visitor = app.person("visitor");
    let page = visitor.get("/settings").await;
    assert_eq!(page.headers()["location"], "/login?next=%2Fsettings");
    assert_eq!(change(&visitor, "a", "battery staple", "battery staple").await.status(), 401);
}

async fn delete_account(person: &Person, password: &str, messages: &str) -> reqwest::Response {
    person.post_form("/api/delete_account", &[("password", password), ("messages", messages)]).await
}

async fn history(person: &Person, room: &str) -> HistoryPage {
    person.post_form("/api/history", &[("room", room)]).await.json().await.expect("history")
}

/// `by` makes `whom` a moderator of "general": the answer's status.
async fn make_moderator(by: &Person, whom: &str) -> u16 {
    let form = [("room", "general"), ("username", whom), ("role", "moderator")];
    by.post_form("/api/appoint", &form).await.status().as_u16()
}

/// Alice deletes her account, keeping her messages: her other browser (`elsewhere`, maybe on
/// another instance) is told and closed; "general", which she owns, passes to Carol, its
/// moderator, ahead of Bob, a member there longer; "solo", with nobody else in it, is deleted; her messages stay as "deleted user"'s; her
/// password opens nothing, and her name is free for a newcomer at `other_base`.
pub async fn a_deleted_account_leaves_its_rooms_and_words_behind(
    alice: Person,
    elsewhere: Person,
    bob: Person,
    carol: Person,
    other_base: &str,
) {
    alice.open_room("general").await;
    alice.open_room("solo").await;
    let mut a = alice.socket().await;
    a.join("general").await;
    for person in [&bob, &carol] {
        person.socket().await.join("general").await;
    }
    a.post("general", "a-1", "alice was here").await;
    assert_eq!(make_moderator(&alice, "carol").await, 200);
    assert_eq!(elsewhere.login("alice", "correct horse").await.status(), 200);
    let mut other_tab = elsewhere.socket().await;
    other_tab.join("general").await;

    assert_eq!(
        refusal(delete_account(&alice, "wrong guess", "keep").await).await,
        "Your current password is not right"
    );
    assert_eq!(
        refusal(delete_account(&alice, "correct horse", "maybe").await).await,
        "Choose whether your messages stay or go"
    );
    assert_eq!(history(&bob, "general").await.messages.len(), 1, "nothing changed yet");

    assert_eq!(delete_account(&alice, "correct horse", "keep").await.status(), 200);
    let told = other_tab
        .expect(|frame| match frame {
            ServerFrame::SignedOut { reason } => Some(reason),
            _ => None,
        })
        .await;
    assert_eq!(told, "This account was deleted");
    assert_eq!(other_tab.closed().await, Some(CLOSE_SIGNED_OUT));
    for browser in [&alice, &elsewhere] {
        assert!(browser.get("/rooms").await.status().is_redirection(), "logged out");
    }
    assert_eq!(Person::at(other_base, "alice").login("alice", "correct horse").await.status(), 401);

    let kept: Vec<(String, String)> =
        history(&bob, "general").await.messages.into_iter().map(|m| (m.author, m.body)).collect();
    assert_eq!(kept, [("deleted user".to_owned(), "alice was here".to_owned())]);
    // "general" went to Carol, its moderator, ahead of Bob, there longer: only its owner hands
    // out roles.
    assert_eq!(make_moderator(&bob, "bob").await, 403);
    assert_eq!(make_moderator(&carol, "bob").await, 200);
    assert_eq!(bob.post_form("/api/room_page", &[("name", "solo")]).await.status(), 404);
    // The name is anyone's again.
    let newcomer = Person::at(other_base, "alice");
    assert!(newcomer.signup("alice", "another horse", "another horse").await.status().is_success());
}

#[tokio::test]
async fn a_deleted_account_leaves_its_rooms_and_words_behind_on_sqlite() {
    let app = spawn_app().await;
    let (alice, bob, carol) =
        (app.signed_up("alice").await, app.signed_up("bob").await, app.signed_up("carol").await);
    let elsewhere = app.person("alice");
    a_deleted_account_leaves_its_rooms_and_words_behind(alice, elsewhere, bob, carol, &app.url("")).await;
}

#[tokio::test]
async fn a_deleted_account_can_take_its_messages_and_reactions_with_it() {
    let app = spawn_app().await;
    let (alice, bob) = (app.signed_up("alice").await, app.signed_up("bob").await);
    // Bob's room: nothing is handed over, so his socket stays in it to be told what changes.
    bob.open_room("general").await;
    let (mut a, mut b) = (alice.socket().await, bob.socket().await);
    a.join("general").await;
    b.join("general").await;
    let bobs = b.post("general", "b-1", "bob speaks").await;
    let first = a.post("general", "a-1", "first of alice").await;
    let second = a.post("general", "a-2", "second of alice").await;
    a.send(&ClientFrame::React { room: "general".into(), id: bobs, emoji: "👍".into() }).await;
    assert_eq!(b.changed().await.reactions.len(), 1);

    assert_eq!(delete_account(&alice, "correct horse", "remove").await.status(), 200);
    // Bob's open page is told of each change as it happens.
    let mut changed = Vec::new();
    for _ in 0..3 {
        let message = b.changed().await;
        changed.push((message.id, message.deleted, message.reactions.len()));
    }
    changed.sort_unstable();
    assert_eq!(changed, [(bobs, false, 0), (first, true, 0), (second, true, 0)]);
    let shown: Vec<(String, String, bool)> =
        history(&bob, "general").await.messages.into_iter().map(|m| (m.author, m.body, m.deleted)).collect();
    assert_eq!(
        shown,
        [
            ("bob".to_owned(), "bob speaks".to_owned(), false),
            ("deleted user".to_owned(), String::new(), true),
            ("deleted user".to_owned(), String::new(), true),
        ]
    );
    // She left it; the room stays Bob's.
    assert_eq!(app.count_rows("room_members").await, 1);
}
