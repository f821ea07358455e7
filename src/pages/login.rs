use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{api::auth::Login, components::form_alert::FormAlert};

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = query.read_untracked().get("next").unwrap_or_default();
    view! {
        <section class="page auth">
            <h1>"Log in"</h1>
            <LoginForm next/>
            <p>"New here? " <A href="/signup">"Create an account"</A></p>
        </section>
    }
}

/// An island so a refused log-in shows its error in place, the typed name kept; without
/// JavaScript it is a plain form whose error comes back with the page.
#[island]
fn LoginForm(next: String) -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = Signal::derive(move || login.value().get().and_then(Result::err).map(|err| err.to_string()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let field = crate::client::form_submit::take_over(&ev);
        login.dispatch(Login {
            username: field("username"),
            password: field("password"),
            next: Some(field("next")),
        });
    };
    view! {
        <form method="post" action={<Login as leptos::server_fn::ServerFn>::url()} on:submit=submit>
            <FormAlert message=error/>
            <input type="hidden" name="next" value=next/>
            <label for="login-username">"Username"</label>
            <input id="login-username" name="username" autocomplete="username" required/>
            <label for="login-password">"Password"</label>
            <input id="login-password" name="password" type="password" autocomplete="current-password" required/>
            <button type="submit">"Log in"</button>
        </form>
    }
}
