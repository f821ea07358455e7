//! Browser-side services shared by every page. Compiled on the server too, where they do nothing,
//! so pages can use them without `cfg` noise.

pub mod attention;
pub mod clipboard;
pub mod form_error;
pub mod form_submit;
pub mod jump;
pub mod message_order;
pub mod offline;
pub mod room_directory;
pub mod socket;
pub mod time;
