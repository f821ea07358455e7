//! Server functions by area. Each is a thin wrapper: check who is asking, validate, call into
//! `server/`, return a view type or an `AppError`.

pub mod admin;
pub mod auth;
pub mod codec;
#[cfg(feature = "ssr")]
pub mod context;
pub mod members;
pub mod rooms;
