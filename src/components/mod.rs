//! Small reusable views.

pub mod composer;
pub mod connection_status;
pub mod form_alert;
pub mod message_list;
pub mod nav;
pub mod online_list;
pub mod timestamp;
pub mod typing_indicator;
