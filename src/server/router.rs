//! The HTTP surface: Leptos pages and server functions, `/ws`, `/healthz`, the original app's
//! addresses, and the layers (sessions, log-in checks) around them.

use std::time::Duration;

use axum::{
    extract::{Path, Request},
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Router,
};
use axum_login::AuthManagerLayerBuilder;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer, timeout::TimeoutLayer, CompressionLevel,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use super::{
    auth::{AuthSession, Backend},
    invite_link, security_headers,
    service_worker::ServiceWorker,
    site,
    state::AppState,
    ws,
};
use crate::{
    app::{shell, App},
    shared::paths,
};

pub fn build(state: AppState) -> Router {
    let routes = routes();
    let options = state.leptos_options.clone();
    let service_worker = ServiceWorker::load(std::path::Path::new(options.site_root.as_ref()));

    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name("mini_discord_session")
        .with_http_only(true)
        // Lax, not Strict: a link to a room from elsewhere should open it logged in.
        .with_same_site(SameSite::Lax)
        // HTTPS-only unless the site is on loopback (`site::Site`).
        .with_secure(state.site.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(30)));
    let auth =
        AuthManagerLayerBuilder::new(Backend::new(state.db.clone(), state.hashing.clone()), sessions).build();

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/sw.js", get(move || async move { service_worker.response() }))
        .route("/chat", get(|| async { Redirect::permanent("/rooms") }))
        .route("/chat/", get(|| async { Redirect::permanent("/rooms") }))
        .route("/chat/{room}", get(legacy_room))
        .route("/chat/{room}/", get(legacy_room))
        .route("/accounts/login/", get(|| async { Redirect::permanent("/login") }))
        // Old bookmarks logged out on a plain GET; now they ask first, and the answer is a POST.
        .route("/accounts/logout/", get(|| async { Redirect::permanent(paths::LOG_OUT) }))
        .route("/user/signup/", get(|| async { Redirect::permanent("/signup") }))
        .route("/invite/{code}", get(invite_link::open))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Pages, server function answers and above all the WASM bundle (a third of its size in
        // brotli) travel compressed. Level 5 of either codec takes milliseconds even for the
        // bundle, where the default brotli level would take the better part of a second per
        // request. The socket is added below, outside this layer: it has no body to compress.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(5)))
        // Every request is answered in bounded time; the socket, below, lives as long as it is used.
        // 503, not 408: browsers silently resend a request answered 408, and a half-done
        // server function must not run twice.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(state.config.limits.request_timeout_secs),
        ))
        .route("/ws", get(ws::upgrade))
        // A body over the limit is refused with 413 before anyone reads it.
        .layer(RequestBodyLimitLayer::new(state.config.limits.max_request_bytes))
        .layer(middleware::map_response(pages_not_stored))
        .layer(middleware::from_fn(require_login))
        .layer(auth)
        // Before anything reads the session: a cross-site request never reaches it.
        .layer(middleware::from_fn_with_state(state.clone(), site::refuse_cross_site))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers::add))
        .with_state(state)
}

/// The app's routes, worked out once per process. Working them out runs the app with resource
/// loading suppressed by a flag global to the process (leptos_server 0.8's `SuppressResourceLoad`):
/// a page that starts loading its data on another thread meanwhile waits for it forever (leptos
/// issue #4773). A server builds its router once, before it serves; the tests build one per app,
/// many side by side in one process, where a room page now and then hung until its 30 s timeout.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

async fn legacy_room(Path(room): Path<String>) -> Redirect {
    Redirect::permanent(&paths::room(&room))
}

/// Pages are drawn for whoever is logged in, at that moment: the browser keeps no copy. Otherwise
/// Back after logging out would show the last room again from the browser's cache.
async fn pages_not_stored(mut response: Response) -> Response {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|kind| kind.to_str().ok())
        .is_some_and(|kind| kind.starts_with("text/html"));
    if html {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Pages that show people's conversations are for logged-in users: anyone else is sent to log
/// in and brought back afterwards. Checked here, before any page renders, so nothing of a room
/// ever reaches an anonymous visitor whatever the request looks like.
async fn require_login(auth: AuthSession, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // (An invite link sends anonymous visitors to log in itself: `invite_link::open`.)
    let protected =
        path == "/rooms" || path.starts_with("/rooms/") || path == "/admin" || path == paths::SETTINGS;
    if protected && auth.user.is_none() {
        let target = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or(path);
        return Redirect::to(&paths::login_then(target)).into_response();
    }
    next.run(request).await
}
