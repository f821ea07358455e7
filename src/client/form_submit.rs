//! Sending a form island through its server action: what `ActionForm` does, without decoding the
//! form into the server function's arguments through a generic query-string decoder (about 25 KB
//! of the bundle for three small forms). The form stays a plain POST to the server function's
//! address, so it works the same before the page is live and without JavaScript.

use leptos::ev::SubmitEvent;

/// Takes over a submitted form: stops the browser's own post, makes the server function's
/// redirects (a log-in's next page) move the whole page as a plain post would, and returns the
/// form's fields by name ("" when there is none).
pub fn take_over(ev: &SubmitEvent) -> impl Fn(&str) -> String {
    ev.prevent_default();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        // The first form to send sets it; later calls leave it as it is.
        let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href(to);
            }
        });
        let data = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlFormElement>().ok())
            .and_then(|form| web_sys::FormData::new_with_form(&form).ok());
        move |name: &str| data.as_ref().and_then(|data| data.get(name).as_string()).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    |_: &str| String::new()
}
