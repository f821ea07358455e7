// Leptos view types nest deeply; release builds of the WASM bundle need a higher limit.
#![recursion_limit = "256"]

//! mini-discord: a small self-hosted group chat.
//!
//! `shared` is compiled for both targets; `pages`, `components`, `client` and `api` make the UI;
//! `server` (feature `ssr`) never reaches the WASM bundle.
//!
//! The UI is built as islands: pages are rendered on the server only, and just the parts that
//! live in the browser (a room, the room list, the log-in and sign-up forms) are `#[island]`s
//! hydrated there. The bundle carries those and nothing of the other pages or of the router.

pub mod api;
pub mod app;
pub mod client;
pub mod components;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod session;
pub mod shared;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console are for developers: debug builds (the browser tests') have
    // them; release builds leave the hook's formatting out of the bundle people download.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // Server functions that answer with a redirect (log-in, opening a room) lead to another
    // page: without a client-side router, that is a plain navigation.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().set_href(to);
        }
    });
    leptos::mount::hydrate_islands();
    // Under the root the islands are brought to life in, once this returns.
    client::form_error::provide_from_address();
    client::offline::register_service_worker();
}
