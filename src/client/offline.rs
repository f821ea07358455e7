//! The service worker (public/sw.js, served by the server as `/sw.js`): it keeps the app shell
//! so the app opens, and says it is offline, when the server cannot be reached.

/// Registers the worker once the page is hydrated. Browsers without service workers (or pages
/// not served over HTTPS or from localhost) simply go without the offline page.
#[cfg(feature = "hydrate")]
pub fn register_service_worker() {
    use wasm_bindgen::JsValue;

    let Some(window) = web_sys::window() else { return };
    // `navigator.serviceWorker` is undefined where unsupported; the binding would trap on it.
    let navigator = window.navigator();
    let supported = js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    if !supported || !window.is_secure_context() {
        return;
    }
    let registration = navigator.service_worker().register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(err) = wasm_bindgen_futures::JsFuture::from(registration).await {
            web_sys::console::warn_2(
                &JsValue::from_str("mini-discord: service worker not registered:"),
                &err,
            );
        }
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn register_service_worker() {}
