//! The error a form sent before the page was live came back with. Such a form is posted as plain
//! HTML; a refusal sends the browser back to the form's page with the error in the address
//! (`__err`, and `__path` naming the server function). The server shows it in the form's island;
//! the browser must show it too, or the island would not match what the server drew.

/// Makes that error known to the form islands of this page (they read it when they start).
#[cfg(feature = "hydrate")]
pub fn provide_from_address() {
    let Some(search) = web_sys::window().and_then(|window| window.location().search().ok()) else { return };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else { return };
    if let (Some(err), Some(path)) = (params.get("__err"), params.get("__path")) {
        leptos::prelude::provide_context(leptos::server::ServerActionError::new(&path, &err));
    }
}
