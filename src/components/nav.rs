use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::auth::Logout,
    client::{room_directory::use_live_rooms, socket::use_socket},
    session::use_auth,
};

/// The navigation bar: the app's name, then either the user with "Log out" or the ways in.
#[component]
pub fn Nav() -> impl IntoView {
    let auth = use_auth();
    let socket = use_socket();
    let live = use_live_rooms();
    let logout = ServerAction::<Logout>::new();
    auth.refresh_after(move || logout.version().get());

    let signed_in = move || {
        auth.user.get().and_then(|result| result.ok()).flatten()
    };

    view! {
        <nav aria-label="Main" class="nav">
            <A href="/" attr:class="brand">"mini-discord"</A>
            <Transition fallback=|| ()>
                {move || match signed_in() {
                    Some(user) => view! {
                        <A href="/rooms">"Rooms"</A>
                        {user.is_admin.then(|| view! { <A href="/admin">"Admin"</A> })}
                        <span class="me" title="Logged in as">{user.username}</span>
                        <ActionForm action=logout on:submit=move |_| {
                            socket.leaving();
                            live.forget();
                        }>
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
