use leptos::prelude::*;
use leptos_router::components::A;

/// Answers the page being drawn with 404 (a page, unlike a server function's answer, sets its
/// status itself).
pub fn answer_not_found() {
    answer_status(404);
}

/// Answers the page being drawn with `status` (an error's own: 403 for a refusal, …).
pub fn answer_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

#[component]
pub fn NotFound() -> impl IntoView {
    answer_not_found();
    view! {
        <section class="page">
            <h1>"Not found"</h1>
            <p>"There is nothing at this address. " <A href="/rooms">"Go to the rooms"</A></p>
        </section>
    }
}

/// The answer to a page the visitor may not see.
#[component]
pub fn Forbidden() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::FORBIDDEN);
    }
    view! {
        <section class="page">
            <h1>"Forbidden"</h1>
            <p>"This page is for administrators only."</p>
        </section>
    }
}
