use leptos::prelude::*;
use leptos_router::components::A;

use crate::{api::auth::Logout, session::use_auth};

/// The navigation bar: the app's name, then either the user with "Log out" or the ways in.
/// Rendered on the server only: "Log out" is a plain form, and the page it leads to is drawn
/// afresh, so nothing of the last user stays in the tab.
#[component]
pub fn Nav() -> impl IntoView {
    let auth = use_auth();
    let logout = ServerAction::<Logout>::new();

    let signed_in = move || auth.user.get().and_then(|result| result.ok()).flatten();

    view! {
        <nav aria-label="Main" class="nav">
            <A href="/" attr:class="brand">"mini-discord"</A>
            <Transition fallback=|| ()>
                {move || match signed_in() {
                    Some(user) => view! {
                        <A href="/rooms">"Rooms"</A>
                        {user.is_admin.then(|| view! { <A href="/admin">"Admin"</A> })}
                        <span class="me" title="Logged in as">{user.username}</span>
                        <A href="/settings">"Settings"</A>
                        <ActionForm action=logout>
                            <button type="submit" class="link-button">"Log out"</button>
                        </ActionForm>
                    }
                    .into_any(),
                    None => view! {
                        <A href="/login">"Log in"</A>
                        <A href="/signup">"Sign up"</A>
                    }
                    .into_any(),
                }}
            </Transition>
        </nav>
    }
}
