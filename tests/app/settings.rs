//! Account settings: changing the password asks for the current one, and logs out every other
//! browser of the account (its open tabs told why), keeping this one logged in. The same scenario
//! runs on SQLite here and across two instances in `cluster` (the other browser on the other).

use mini_discord::{
    error::AppError,
    shared::protocol::{ServerFrame, CLOSE_SIGNED_OUT},
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
