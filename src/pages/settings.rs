//! The account's settings: changing the password. Plain forms rendered by the server (no island:
//! they work without JavaScript and cost the bundle nothing); a refusal comes back in the address
//! and shows above the form.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;

use crate::{api::auth::ChangePassword, shared::validate};

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
    #[cfg(feature = "ssr")]
    let refused = crate::api::context::refused_in(params.get("refused")).map(|err| err.to_string());
    #[cfg(not(feature = "ssr"))]
    let refused: Option<String> = None;
    view! {
        <section class="page settings">
            <h1>"Settings"</h1>
            {changed}
            <h2>"Change password"</h2>
            <form method="post" action=ChangePassword::url()>
                {refused.map(|message| view! { <p role="alert" class="alert">{message}</p> })}
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
        </section>
    }
}
