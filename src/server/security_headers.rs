//! The headers that tell a browser what this site's pages may do: run only the scripts the server
//! sent (a Content-Security-Policy keyed to the per-request nonce Leptos puts on its inline
//! scripts), never be framed by another site, never have a file's type guessed, and keep
//! addresses (room names) out of the Referer sent to other sites.

use axum::{
    extract::{Request, State},
    http::{header, HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};

use super::state::AppState;

/// The policy for a page whose inline scripts carry `nonce`; responses that are not pages (files,
/// server function answers) get it without one, so nothing inline can run from them.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let nonce = nonce.map(|nonce| format!(" 'nonce-{nonce}'")).unwrap_or_default();
    // Under `cargo leptos watch` the page also talks to the live-reload socket.
    let reload = std::env::var("LEPTOS_WATCH")
        .ok()
        .and(std::env::var("LEPTOS_RELOAD_PORT").ok())
        .map(|port| format!(" ws://127.0.0.1:{port} ws://localhost:{port}"))
        .unwrap_or_default();
    // 'wasm-unsafe-eval' lets the page compile the app's own WebAssembly, and nothing else.
    format!(
        "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'{reload}; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Gives the page being drawn a policy naming its own nonce. Called from the document shell,
/// where Leptos has just made the nonce its scripts will carry.
pub fn provide_page_policy() {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), leptos::prelude::use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
    }
}

/// HSTS only where the cookie is HTTPS-only: on plain HTTP (loopback) it would be ignored at
/// best and, behind a misconfigured proxy, lock people out at worst.
const HSTS: &str = "max-age=31536000";

pub async fn add(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&content_security_policy(None)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    // For browsers that predate frame-ancestors.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if state.site.secure_cookies {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}
