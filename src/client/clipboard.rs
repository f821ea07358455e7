//! Copying a link to the clipboard, with what happened said back to the user.

use leptos::prelude::*;

/// How long "Link copied" stays before the status line empties again.
const STATUS_SHOWN_FOR: std::time::Duration = std::time::Duration::from_secs(4);

/// Copies this site's `path` as a full address; `done` gets `Ok`, or `Err` with the address when
/// the browser refused (no clipboard outside a secure context, or permission denied), so the user
/// can still copy it by hand.
pub fn copy_address(path: &str, done: impl FnOnce(Result<(), String>) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let address = format!("{}{path}", window().location().origin().unwrap_or_default());
        let navigator = window().navigator();
        // Absent outside secure contexts: calling it then would throw.
        let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
            .ok()
            .filter(|clipboard| !clipboard.is_undefined() && !clipboard.is_null())
            .map(|clipboard| clipboard.unchecked_into::<web_sys::Clipboard>());
        let Some(clipboard) = clipboard else { return done(Err(address)) };
        let writing = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&address));
        leptos::task::spawn_local(async move {
            done(writing.await.map(|_| ()).map_err(|_| address));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    done(Err(path.to_owned()));
}

/// Empties a status line after a while.
pub fn clear_later(status: RwSignal<String>) {
    set_timeout(move || drop(status.try_set(String::new())), STATUS_SHOWN_FOR);
}
