//! Server-only layer: never compiled into the WASM bundle.

pub mod allowances;
pub mod auth;
pub mod bus;
/// Rooms, messages, read markers: the service every path calls, and who may do what.
pub mod chat;
pub mod cli;
pub mod client_address;
/// Several instances sharing rooms and presence through Redis.
pub mod cluster;
pub mod config;
pub mod db;
pub mod hub;
pub mod invite_link;
pub mod presence;
pub mod router;
pub mod security_headers;
pub mod service_worker;
pub mod site;
pub mod state;
pub mod storage_floor;
pub mod subscribers;
pub mod writer;
pub mod ws;
