//! The document shell, the app-wide context, and the router: one line per page.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    components::nav::Nav,
    pages::{
        admin::AdminPage, home::HomePage, login::LoginPage, logout::LogoutPage, not_found::NotFound,
        room::RoomPage, rooms::RoomsPage, settings::SettingsPage, signup::SignupPage,
    },
    session::AuthContext,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::security_headers::provide_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                // Islands: the page is complete as the server sent it; the bundle loads once the
                // browser is idle and brings to life only the parts marked `#[island]`.
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    AuthContext::provide();

    view! {
        <Stylesheet id="leptos" href="/pkg/mini-discord.css"/>
        <Title text="mini-discord"/>
        <Meta name="description" content="A small, fast, self-hosted group chat."/>
        <Meta name="theme-color" content="#4f46e5"/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Link rel="manifest" href="/manifest.webmanifest"/>
        <Link rel="apple-touch-icon" href="/icons/apple-touch-icon.png"/>
        <Router>
            <Nav/>
            <main id="main">
                // Every page waits for its data before the first byte, so it is complete without
                // JavaScript and can still answer with a redirect or an error status.
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/logout") view=LogoutPage ssr=SsrMode::Async/>
                    <Route path=path!("/rooms") view=RoomsPage ssr=SsrMode::Async/>
                    <Route path=path!("/rooms/:name") view=RoomPage ssr=SsrMode::Async/>
                    <Route path=path!("/rooms/:name/messages/:id") view=RoomPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
