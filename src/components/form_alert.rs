use leptos::prelude::*;

/// Shows a form's error, announced to screen readers as it appears.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|message| view! { <p role="alert" class="alert">{message}</p> })
}
