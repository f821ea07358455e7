//! The integration tests, as one binary: each file is an area, all of them share `support`.
//! One binary rather than one per file because every test binary links the whole server
//! (Leptos, sea-orm, axum), which costs minutes and gigabytes per extra link.

mod allowances;
mod bans;
mod changes;
mod cluster;
mod config_files;
mod http;
mod invites;
mod membership;
mod mentions;
mod mutes;
mod notify;
mod pins;
mod reactions;
mod realtime;
mod replies;
mod security;
mod settings;
mod storage;
mod support;
mod unread;
