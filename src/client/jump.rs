//! Going to a message of the conversation on the page: from the pinned list, from a reply's
//! quote.

use leptos::prelude::*;

/// Brings message `id` into view, highlighted and focused, if the conversation shows it; false
/// when it does not (the link then loads the history around it).
pub fn go_to(id: i64, highlighted: RwSignal<Option<i64>>) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(target) = document()
            .query_selector(&format!("article[data-id=\"{id}\"]"))
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        else {
            return false;
        };
        highlighted.set(Some(id));
        let options = leptos::web_sys::ScrollIntoViewOptions::new();
        options.set_block(leptos::web_sys::ScrollLogicalPosition::Center);
        target.scroll_into_view_with_scroll_into_view_options(&options);
        let _ = target.focus();
        true
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (id, highlighted);
        false
    }
}
