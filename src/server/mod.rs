//! Server-only layer: never compiled into the WASM bundle.

pub mod auth;
pub mod bus;
pub mod cli;
pub mod config;
pub mod db;
pub mod hub;
pub mod presence;
pub mod router;
pub mod state;
pub mod subscribers;
pub mod writer;
pub mod ws;
