use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{api::auth::Login, components::form_alert::FormAlert, session::use_auth};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    use_auth().refresh_after(move || login.version().get());
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || {
        login.value().get().and_then(Result::err).map(|err| err.to_string())
    });
    view! {
        <section class="page auth">
            <h1>"Log in"</h1>
            <ActionForm action=login>
                <FormAlert message=error/>
                <input type="hidden" name="next" value=next/>
                <label for="login-username">"Username"</label>
                <input id="login-username" name="username" autocomplete="username" required/>
                <label for="login-password">"Password"</label>
                <input id="login-password" name="password" type="password" autocomplete="current-password" required/>
                <button type="submit">"Log in"</button>
            </ActionForm>
            <p>"New here? " <A href="/signup">"Create an account"</A></p>
        </section>
    }
}
