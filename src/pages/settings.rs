//! The account's settings: changing the password, deleting the account. Plain forms rendered by the server (no island:
//! they work without JavaScript and cost the bundle nothing); a refusal comes back in the address
//! and shows above the form.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

use crate::{
    api::auth::{ChangePassword, DeleteAccount},
    shared::{account_deletion::TheirMessages, validate},
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let params = use_query_map().read_untracked();
    let changed = params.get("changed").filter(|what| what == "password").map(|_| {
        view! {
            <p role="status" class="notice">
                "Your password was changed. Every other browser logged in to this account was logged out."
            </p>
        }
    });
    // Which form a refusal belongs to: each shows its own, above its fields. (Server-rendered
    // only: the bundle carries none of this.)
    #[cfg(feature = "ssr")]
    let (refused, refused_deleting) = {
        let refused = crate::api::context::refused_in(params.get("refused")).map(|err| err.to_string());
        match params.get("form").as_deref() {
            Some("delete") => (None, refused),
            _ => (refused, None),
        }
    };
    #[cfg(not(feature = "ssr"))]
    let (refused, refused_deleting): (Option<String>, Option<String>) = (None, None);
    let alert = |message: String| view! { <p role="alert" class="alert">{message}</p> };
    view! {
        <section class="page settings">
            <h1>"Settings"</h1>
            {changed}
            <h2>"Change password"</h2>
            <form method="post" action=ChangePassword::url()>
                {refused.map(alert)}
                <label for="current-password">"Current password"</label>
                <input id="current-password" name="current" type="password" autocomplete="current-password"
                    required/>
                <label for="new-password">"New password"</label>
                <input id="new-password" name="password" type="password" autocomplete="new-password" required
                    aria-describedby="new-password-hint"/>
                <label for="confirm-password">"Confirm new password"</label>
                <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required
                    aria-describedby="new-password-hint"/>
                <p id="new-password-hint" class="hint">{validate::password_hint()}</p>
                <button type="submit">"Change password"</button>
                <p class="hint">"Every other browser logged in to this account will be logged out."</p>
            </form>
            <h2>"Delete account"</h2>
            <form method="post" action=DeleteAccount::url() class="delete-account">
                {refused_deleting.map(alert)}
                <p class="hint">
                    "You leave every room and are logged out everywhere. Rooms you own pass to their "
                    "longest-serving moderator, or else member; a room with nobody else in it is deleted. "
                    "Your username becomes free for anyone to take. This cannot be undone."
                </p>
                <fieldset>
                    <legend>"Your messages"</legend>
                    {TheirMessages::CHOICES
                        .iter()
                        .enumerate()
                        .map(|(i, (_, value, label))| {
                            let id = format!("their-messages-{value}");
                            view! {
                                <div class="choice">
                                    <input type="radio" id=id.clone() name="messages" value=*value checked=i == 0/>
                                    <label for=id>{*label}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <label for="delete-password">"Password"</label>
                <input id="delete-password" name="password" type="password" autocomplete="current-password"
                    required/>
                <button type="submit" class="danger">"Delete account"</button>
            </form>
        </section>
    }
}
