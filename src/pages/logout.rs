use leptos::prelude::*;
use leptos_router::components::A;

use crate::{api::auth::Logout, session::use_auth};

/// Where the original app's log-out address leads: it logged out on a plain GET, which any link
/// or image on another site could trigger. Now it asks, and the answer is a POST.
#[component]
pub fn LogoutPage() -> impl IntoView {
    let auth = use_auth();
    let logout = ServerAction::<Logout>::new();
    let signed_in = move || auth.user.get().and_then(Result::ok).flatten();
    view! {
        <section class="page auth">
            <h1>"Log out"</h1>
            <Transition fallback=|| ()>
                {move || match signed_in() {
                    Some(user) => view! {
                        <p>"You are logged in as " <strong>{user.username}</strong> "."</p>
                        <ActionForm action=logout>
                            <button type="submit">"Log out"</button>
                        </ActionForm>
                        <p><A href="/rooms">"Back to the rooms"</A></p>
                    }
                    .into_any(),
                    None => view! {
                        <p>"You are not logged in. " <A href="/login">"Log in"</A></p>
                    }
                    .into_any(),
                }}
            </Transition>
        </section>
    }
}
