//! Compiled for both the server and the browser: the wire format and the input rules.
//! Nothing here does I/O.

pub mod paths;
pub mod protocol;
pub mod validate;
pub mod views;
