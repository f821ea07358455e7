use leptos::prelude::*;
use leptos_router::components::A;

use crate::{api::auth::Signup, components::form_alert::FormAlert, shared::validate};

#[component]
pub fn SignupPage() -> impl IntoView {
    view! {
        <section class="page auth">
            <h1>"Sign up"</h1>
            <SignupForm/>
            <p>"Already have an account? " <A href="/login">"Log in"</A></p>
        </section>
    }
}

/// An island: hints as the user types, and a refused sign-up shows its error in place with
/// everything typed kept. Without JavaScript it is a plain form.
#[island]
fn SignupForm() -> impl IntoView {
    let signup = ServerAction::<Signup>::new();
    let error = Signal::derive(move || signup.value().get().and_then(Result::err).map(|err| err.to_string()));
    // Live hints from the same rules the server enforces; the server still has the last word.
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let username_hint = move || {
        let name = username.get();
        (!name.is_empty()).then(|| validate::username(&name).err()).flatten().map(|e| e.to_string())
    };
    let password_hint = move || {
        let (password, confirm) = (password.get(), confirm.get());
        if password.is_empty() {
            None
        } else if let Err(err) = validate::password(&password) {
            Some(err.to_string())
        } else if !confirm.is_empty() && confirm != password {
            Some(validate::InvalidInput::PasswordMismatch.to_string())
        } else {
            None
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let field = crate::client::form_submit::take_over(&ev);
        signup.dispatch(Signup {
            username: field("username"),
            password: field("password"),
            confirm: field("confirm"),
        });
    };
    view! {
        <form method="post" action={<Signup as leptos::server_fn::ServerFn>::url()} on:submit=submit>
            <FormAlert message=error/>
            <label for="signup-username">"Username"</label>
            <input id="signup-username" name="username" autocomplete="username" required
                aria-describedby="signup-username-hint"
                on:input=move |ev| username.set(event_target_value(&ev))/>
            <p id="signup-username-hint" class="hint">
                {move || username_hint().unwrap_or_else(validate::username_hint)}
            </p>
            <label for="signup-password">"Password"</label>
            <input id="signup-password" name="password" type="password" autocomplete="new-password" required
                aria-describedby="signup-password-hint"
                on:input=move |ev| password.set(event_target_value(&ev))/>
            <label for="signup-confirm">"Confirm password"</label>
            <input id="signup-confirm" name="confirm" type="password" autocomplete="new-password" required
                aria-describedby="signup-password-hint"
                on:input=move |ev| confirm.set(event_target_value(&ev))/>
            <p id="signup-password-hint" class="hint">
                {move || password_hint().unwrap_or_else(validate::password_hint)}
            </p>
            <button type="submit">"Sign up"</button>
        </form>
    }
}
