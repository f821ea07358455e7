use leptos::prelude::*;

use crate::client::socket::use_socket;

/// Connected, reconnecting or offline: the tab's socket state, announced politely.
#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let state = use_socket().state();
    view! {
        <p role="status" aria-label="Connection" class="connection" data-state=move || format!("{:?}", state.get())>
            {move || state.get().label()}
        </p>
    }
}
