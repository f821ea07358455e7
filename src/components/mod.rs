//! Small reusable views.

pub mod composer;
pub mod connection_status;
pub mod edit_history;
pub mod form_alert;
pub mod mention_suggestions;
pub mod message_body;
pub mod message_editor;
pub mod message_list;
pub mod nav;
pub mod notify_choice;
pub mod online_list;
pub mod pinned_messages;
pub mod reaction_picker;
pub mod reactions;
pub mod reply_quote;
pub mod room_entries;
pub mod room_membership;
pub mod room_sidebar;
pub mod timestamp;
pub mod typing_indicator;
pub mod unread_badge;
