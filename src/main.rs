//! The `mini-discord` binary: serves the app (the default) and carries the admin commands.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    mini_discord::server::cli::main().await
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser build has no binary: cargo-leptos builds the server with `--features ssr`.
}
