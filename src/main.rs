//! The `mini-discord` binary: serves the app (the default) and carries the admin commands.

/// Thousands of long-lived sockets are allocated between short-lived request buffers; glibc's
/// malloc fragments under that mix (a GiB after a burst of log-ins, 14 KiB per idle socket),
/// mimalloc's size-segregated pages keep it tight (docs/BENCHMARKS.md, idle row).
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    mini_discord::server::cli::main().await
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser build has no binary: cargo-leptos builds the server with `--features ssr`.
}
