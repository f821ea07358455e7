//! Accounts, sessions and page access over real HTTP.

use crate::support::spawn_app;

/// The user-facing sentence of a server function's error answer.
async fn error_text(response: reqwest::Response) -> String {
    let body = response.text().await.expect("body");
    serde_json::from_str::<mini_discord::error::AppError>(&body).map(|err| err.to_string()).unwrap_or(body)
}

#[tokio::test]
async fn sign_up_logs_in_and_the_session_survives_reloads() {
    let app = spawn_app().await;
    let alice = app.signed_up("Alice").await;
    let page = alice.get("/rooms").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    assert!(html.contains("Alice"), "the navigation bar names the user");
    assert!(html.contains("Log out"));
    // Reload: still logged in.
    assert_eq!(alice.get("/rooms").await.status(), 200);
}

#[tokio::test]
async fn sign_up_refuses_bad_input_with_a_clear_message() {
    let app = spawn_app().await;
    app.signed_up("alice").await;
    let someone = app.person("someone");
    let cases = [
        (("ab", "correct horse", "correct horse"), "Username must be 3–32 characters"),
        (("bad name", "correct horse", "correct horse"), "Username must be 3–32 characters"),
        (("carol", "short", "short"), "Password must be at least 8 characters"),
        (("carol", "correct horse", "correct hose"), "Passwords do not match"),
        (("ALICE", "correct horse", "correct horse"), "Username already taken"),
    ];
    for ((name, password, confirm), expected) in cases {
        let response = someone.signup(name, password, confirm).await;
        assert!(response.status().is_client_error(), "{name}: {}", response.status());
        let body = error_text(response).await;
        assert!(body.contains(expected), "{name}: expected {expected:?} in {body}");
    }
    assert_eq!(someone.get("/rooms").await.status(), 303, "nobody was logged in");
}

#[tokio::test]
async fn log_in_has_one_message_for_a_wrong_name_or_password() {
    let app = spawn_app().await;
    app.signed_up("alice").await;
    let visitor = app.person("visitor");
    let wrong_password = error_text(visitor.login("alice", "wrong password").await).await;
    let wrong_name = error_text(visitor.login("nobody", "correct horse").await).await;
    assert!(wrong_password.contains("Invalid username or password"));
    assert_eq!(wrong_password, wrong_name);

    let response = visitor.login("ALICE", "correct horse").await;
    assert!(!response.status().is_client_error());
    assert_eq!(visitor.get("/rooms").await.status(), 200);
}

#[tokio::test]
async fn log_in_renews_the_session_id_and_log_out_ends_it() {
    let app = spawn_app().await;
    app.signed_up("alice").await;
    let visitor = app.person("visitor");
    visitor.get("/login").await;
    let before = visitor.cookie_header();
    visitor.login("alice", "correct horse").await;
    let after = visitor.cookie_header();
    assert!(after.is_some());
    assert_ne!(before, after, "a fresh session id at log-in");

    let stolen = after.clone().expect("cookie");
    visitor.post_form("/api/logout", &[]).await;
    assert_eq!(visitor.get("/rooms").await.status(), 303);
    // The old cookie is worthless after log-out.
    let replay =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let response = replay.get(app.url("/rooms")).header("cookie", stolen).send().await.expect("request");
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn a_disabled_account_cannot_log_in_and_loses_its_sessions() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let user =
        mini_discord::server::db::users::by_name(&app.state.db, "alice").await.expect("db").expect("user");
    mini_discord::server::db::users::set_disabled(&app.state.db, user.id, true).await.expect("db");
    app.state.sessions.delete_for_user(user.id).await.expect("db");
    assert_eq!(alice.get("/rooms").await.status(), 303);
    let body = error_text(alice.login("alice", "correct horse").await).await;
    assert!(body.contains("This account is disabled"));
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_log_in_and_see_nothing_of_a_room() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("secret").await;
    let mut socket = alice.socket().await;
    socket.join("secret").await;
    socket
        .send(&mini_discord::shared::protocol::ClientFrame::Send {
            room: "secret".into(),
            nonce: "n".into(),
            body: "the launch code".into(),
            reply_to: None,
        })
        .await;
    socket
        .expect(|f| matches!(f, mini_discord::shared::protocol::ServerFrame::Ack { .. }).then_some(()))
        .await;

    let stranger = app.person("stranger");
    let response = stranger.get("/rooms/secret").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2Frooms%2Fsecret");
    assert!(!response.text().await.expect("body").contains("launch code"));
    let data = stranger.post_form("/api/room_page", &[("name", "secret")]).await;
    assert_eq!(data.status(), 401);
    assert!(!data.text().await.expect("body").contains("launch code"));
    // A link to the message, and reading forward from it, are as closed.
    let link = stranger.get("/rooms/secret/messages/1").await;
    assert_eq!(link.status(), 303);
    assert!(!link.text().await.expect("body").contains("launch code"));
    let newer = stranger.post_form("/api/history", &[("room", "secret"), ("after", "0")]).await;
    assert_eq!(newer.status(), 401);
    assert!(!newer.text().await.expect("body").contains("launch code"));
}

#[tokio::test]
async fn the_original_addresses_still_work() {
    let app = spawn_app().await;
    let visitor = app.person("visitor");
    for (old, new) in [
        ("/chat/", "/rooms"),
        ("/chat/lobby/", "/rooms/lobby"),
        ("/accounts/login/", "/login"),
        ("/user/signup/", "/signup"),
        ("/accounts/logout/", "/logout"),
    ] {
        let response = visitor.get(old).await;
        assert!(response.status().is_redirection(), "{old}");
        assert_eq!(response.headers()["location"], new, "{old}");
    }
}

#[tokio::test]
async fn admin_is_for_administrators_only() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    let page = alice.get("/admin").await;
    assert_eq!(page.status(), 403);
    assert!(page.text().await.expect("body").contains("Forbidden"));
    let refused = alice.post_form("/api/admin/users", &[("query", ""), ("page", "0")]).await;
    assert_eq!(refused.status(), 403);

    for (path, form) in [
        ("/api/admin/rooms", vec![("query", ""), ("page", "0")]),
        ("/api/admin/messages", vec![("query", ""), ("page", "0")]),
        ("/api/admin/delete_message", vec![("id", "1")]),
        ("/api/admin/delete_room", vec![("name", "general")]),
        ("/api/admin/set_disabled", vec![("id", "1"), ("disabled", "true")]),
    ] {
        assert_eq!(alice.post_form(path, &form).await.status(), 403, "{path} refuses a non-administrator");
    }

    assert!(mini_discord::server::db::users::set_admin(&app.state.db, "alice", true).await.expect("db"));
    let page = alice.get("/admin").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body");
    for part in ["Search users", "Search rooms", "Search messages", "Disable"] {
        assert!(html.contains(part), "the admin screen shows {part:?}");
    }
}

#[tokio::test]
async fn admin_actions_reach_everyone_at_once() {
    use mini_discord::shared::protocol::{ClientFrame, ServerFrame};

    let app = spawn_app().await;
    let admin = app.signed_up("root").await;
    assert!(mini_discord::server::db::users::set_admin(&app.state.db, "root", true).await.expect("db"));
    let bob = app.signed_up("bob").await;
    bob.open_room("general").await;
    let mut socket = bob.socket().await;
    socket.join("general").await;
    socket
        .send(&ClientFrame::Send {
            room: "general".into(),
            nonce: "n".into(),
            body: "delete me".into(),
            reply_to: None,
        })
        .await;
    let id = socket
        .expect(|f| match f {
            ServerFrame::Ack { id, .. } => Some(id),
            _ => None,
        })
        .await;

    // Searching finds it, ignoring case.
    let found = admin.post_form("/api/admin/messages", &[("query", "DELETE"), ("page", "0")]).await;
    assert!(found.text().await.expect("body").contains("delete me"));

    let id_text = id.to_string();
    assert!(admin.post_form("/api/admin/delete_message", &[("id", &id_text)]).await.status().is_success());
    let deleted = socket
        .expect(|f| match f {
            ServerFrame::MessageDeleted { id, .. } => Some(id),
            _ => None,
        })
        .await;
    assert_eq!(deleted, id);

    assert!(admin.post_form("/api/admin/delete_room", &[("name", "general")]).await.status().is_success());
    let room = socket
        .expect(|f| match f {
            ServerFrame::RoomGone { room, .. } => Some(room),
            _ => None,
        })
        .await;
    assert_eq!(room, "general");

    let bob_id =
        mini_discord::server::db::users::by_name(&app.state.db, "bob").await.expect("db").expect("user").id;
    let form = [("id", bob_id.to_string()), ("disabled", "true".to_owned())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(admin.post_form("/api/admin/set_disabled", &form).await.status().is_success());
    let reason = socket
        .expect(|f| match f {
            ServerFrame::SignedOut { reason } => Some(reason),
            _ => None,
        })
        .await;
    assert_eq!(reason, "This account is disabled");
    assert_eq!(bob.get("/rooms").await.status(), 303, "bob's session is gone");
    let body = error_text(bob.login("bob", "correct horse").await).await;
    assert!(body.contains("This account is disabled"));
}

#[tokio::test]
async fn pages_travel_compressed_when_the_browser_accepts_it() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for (accepted, expected) in [("br", Some("br")), ("gzip", Some("gzip")), ("identity", None)] {
        let response = client
            .get(app.url("/"))
            .header("accept", "text/html")
            .header("accept-encoding", accepted)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200);
        let encoding = response.headers().get("content-encoding").and_then(|value| value.to_str().ok());
        assert_eq!(encoding, expected, "with Accept-Encoding: {accepted}");
    }
}

#[tokio::test]
async fn browsers_keep_no_copy_of_a_page_so_back_after_log_out_shows_nothing() {
    let app = spawn_app().await;
    let alice = app.signed_up("alice").await;
    alice.open_room("kitchen").await;
    for path in ["/rooms/kitchen", "/rooms", "/"] {
        let response = alice.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let cache = response.headers().get("cache-control").and_then(|value| value.to_str().ok());
        assert_eq!(cache, Some("no-store"), "{path}");
    }
}

#[tokio::test]
async fn an_oversized_request_body_is_refused_with_413() {
    let app = spawn_app().await;
    let person = app.person("mallory");
    let huge = "x".repeat(3 * 1024 * 1024);
    let response = person.post_form("/api/login", &[("username", "mallory"), ("password", &huge)]).await;
    assert_eq!(response.status(), 413);
    // The server carries on.
    assert!(app.signed_up("alice").await.get("/rooms").await.status().is_success());
}
