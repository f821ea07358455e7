//! One file per screen.

pub mod admin;
pub mod home;
pub mod login;
pub mod logout;
pub mod not_found;
pub mod room;
pub mod rooms;
pub mod settings;
pub mod signup;
