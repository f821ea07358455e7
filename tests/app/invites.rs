//! Invite links: made and revoked by a room's owner and moderators, each letting in as many people
//! as it says until it expires; an anonymous visitor signs up first and comes back to it. The same
//! scenario runs on SQLite here and across two instances sharing PostgreSQL in `cluster`.

use mini_discord::{error::AppError, shared::paths};

use crate::support::{spawn_app, Person};

async fn status_of(person: &Person, path: &str, form: &[(&str, &str)]) -> u16 {
    person.post_form(path, form).await.status().as_u16()
}

/// A new link to `room` (lasting `hours`, for `uses` people; "0": no limit), by its code.
async fn invite(person: &Person, room: &str, hours: &str, uses: &str) -> String {
    let form = [("room", room), ("expires_hours", hours), ("max_uses", uses)];
    let response = person.post_form("/api/create_invite", &form).await;
    assert_eq!(response.status(), 200, "create_invite");
    response.json::<String>().await.expect("code")
}

/// The sentence a refused request answers with.
async fn refusal(response: reqwest::Response) -> String {
    response.json::<AppError>().await.expect("one of our errors").to_string()
}

/// Where opening `path` sends the person.
async fn lands(person: &Person, path: &str) -> String {
    let response = person.get(path).await;
    assert!(response.status().is_redirection(), "{path}: {}", response.status());
    response.headers()["location"].to_str().expect("location").to_owned()
}

/// What the room list says when a link let the person in nowhere.
async fn refused(person: &Person, code: &str) -> String {
    let to = lands(person, &paths::invite(code)).await;
    assert!(to.starts_with("/rooms?invite_refused="), "{to}");
    person.get(&to).await.text().await.expect("page")
}

const NOT_VALID: &str = "This invite link is not valid: it may have expired, been used up or been revoked";

/// Alice runs a private room and shares links; Bob, Carol and a newcomer open them.
pub async fn invite_links_let_people_into_a_private_room(
    alice: Person,
    bob: Person,
    carol: Person,
    newcomer: Person,
) {
    assert_eq!(status_of(&alice, "/api/open_room", &[("name", "club"), ("private", "true")]).await, 200);
    let once = invite(&alice, "club", "24", "1").await;
    let page = alice.get("/rooms/club").await.text().await.expect("page");
    assert!(page.contains(&format!("{}\"", paths::invite(&once))), "the page shows the link to copy");
    assert!(page.contains("Invite links (1)") && page.contains("Used 0 of 1 · expires in 24 hours"));

    // Outsiders cannot tell the room exists, let alone invite to it.
    assert_eq!(status_of(&bob, "/api/create_invite", &[("room", "club")]).await, 404);

    // Bob opens the link: he is a member, at the room. Opening it again still takes him there,
    // though it is used up now.
    assert_eq!(lands(&bob, &paths::invite(&once)).await, "/rooms/club");
    assert_eq!(bob.get("/rooms/club").await.status(), 200);
    assert_eq!(lands(&bob, &paths::invite(&once)).await, "/rooms/club");
    assert!(!bob.get("/rooms/club").await.text().await.expect("page").contains("Invite links"));
    assert_eq!(
        status_of(&bob, "/api/create_invite", &[("room", "club")]).await,
        403,
        "members do not invite"
    );

    // Used up, it lets Carol in nowhere, and says so.
    assert!(refused(&carol, &once).await.contains(NOT_VALID));
    assert_eq!(carol.get("/rooms/club").await.status(), 404);
    assert!(refused(&carol, "no-such-code").await.contains(NOT_VALID));

    // Revoked, likewise.
    let open = invite(&alice, "club", "0", "0").await;
    let revoke = [("room", "club"), ("code", open.as_str())];
    assert_eq!(status_of(&bob, "/api/revoke_invite", &revoke).await, 403);
    assert_eq!(status_of(&alice, "/api/revoke_invite", &revoke).await, 200);
    assert_eq!(status_of(&alice, "/api/revoke_invite", &revoke).await, 404, "already gone");
    assert!(refused(&carol, &open).await.contains(NOT_VALID));
    assert_eq!(carol.get("/rooms/club").await.status(), 404);

    // Limits beyond what a link can have are refused with the reason.
    let too_long =
        alice.post_form("/api/create_invite", &[("room", "club"), ("expires_hours", "9000")]).await;
    assert_eq!(too_long.status(), 400);
    assert_eq!(refusal(too_long).await, "An invite link lasts at most 365 days");
    assert_eq!(status_of(&alice, "/api/create_invite", &[("room", "club"), ("max_uses", "5000")]).await, 400);

    // A newcomer is sent to log in first; signing up instead brings them back to the link.
    let link = paths::invite(&invite(&alice, "club", "1", "0").await);
    assert_eq!(lands(&newcomer, &link).await, paths::login_then(&link));
    let signed_up = newcomer.signup(&newcomer.name, "correct horse", "correct horse").await;
    assert_eq!(signed_up.headers()["location"], link.as_str());
    assert_eq!(lands(&newcomer, &link).await, "/rooms/club");
    assert_eq!(newcomer.get("/rooms/club").await.status(), 200);
}

#[tokio::test]
async fn invite_links_let_people_into_a_private_room_on_sqlite() {
    let app = spawn_app().await;
    let (alice, bob, carol) =
        (app.signed_up("alice").await, app.signed_up("bob").await, app.signed_up("carol").await);
    invite_links_let_people_into_a_private_room(alice, bob, carol, app.person("dora")).await;
}

#[tokio::test]
async fn an_expired_link_lets_nobody_in_and_frees_its_place() {
    let app = spawn_app().await;
    let (alice, bob) = (app.signed_up("alice").await, app.signed_up("bob").await);
    assert_eq!(status_of(&alice, "/api/open_room", &[("name", "club"), ("private", "true")]).await, 200);
    let stale = invite(&alice, "club", "1", "0").await;
    for _ in 1..mini_discord::shared::invites::LINKS_MOST {
        invite(&alice, "club", "1", "0").await;
    }
    let one_more = alice.post_form("/api/create_invite", &[("room", "club")]).await;
    assert_eq!(one_more.status(), 400);
    assert_eq!(
        refusal(one_more).await,
        "This room has as many invite links as it can hold (25): revoke one first"
    );

    // An hour later (as far as the database can tell).
    use sea_orm::ConnectionTrait;
    let expire = format!("UPDATE room_invites SET expires_at = 1 WHERE code = '{stale}'");
    app.state.db.execute_unprepared(&expire).await.expect("expire");
    assert!(refused(&bob, &stale).await.contains(NOT_VALID));
    assert_eq!(bob.get("/rooms/club").await.status(), 404);
    let page = alice.get("/rooms/club").await.text().await.expect("page");
    assert!(!page.contains(&stale) && page.contains("Invite links (24)"), "listed no more");
    invite(&alice, "club", "1", "0").await;
}
