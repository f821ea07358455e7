// Leptos view types nest deeply; release builds of the WASM bundle need a higher limit.
#![recursion_limit = "256"]

//! mini-discord: a small self-hosted group chat.
//!
//! `shared` is compiled for both targets; `pages`, `components`, `client` and `api` make the UI;
//! `server` (feature `ssr`) never reaches the WASM bundle.

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
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    client::offline::register_service_worker();
}
