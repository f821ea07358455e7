use leptos::prelude::*;
use leptos_router::components::A;

use crate::session::use_auth;

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    let signed_in = move || auth.user.get().and_then(Result::ok).flatten().is_some();
    // `paths::ACCOUNT_DELETED` brings someone here who just deleted their account. (Rendered on
    // the server only: the bundle carries none of it.)
    #[cfg(feature = "ssr")]
    let deleted = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("account")
        .filter(|what| what == "deleted")
        .map(|_| view! { <p role="status" class="notice">"Your account was deleted."</p> });
    #[cfg(not(feature = "ssr"))]
    let deleted: Option<()> = None;
    view! {
        <section class="home">
            <h1>"mini-discord"</h1>
            {deleted}
            <p class="lead">
                "A small group chat you host yourself: make a room, invite your people, and talk in "
                "real time. Everything said is kept, and you can see who is around."
            </p>
            <ul class="cta">
                <li><A href="/rooms" attr:class="button">"Rooms"</A></li>
                <Transition fallback=|| ()>
                    <Show when=move || !signed_in()>
                        <li><A href="/signup" attr:class="button secondary">"Sign up"</A></li>
                        <li><A href="/login" attr:class="button secondary">"Log in"</A></li>
                    </Show>
                </Transition>
            </ul>
        </section>
    }
}
