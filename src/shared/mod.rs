//! Compiled for both the server and the browser: the wire format, the input rules, the page data
//! and the timings both ends agree on.
//! Nothing here does I/O.

pub mod account_deletion;
pub mod excerpt;
pub mod invites;
pub mod markup;
pub mod membership;
pub mod mentions;
pub mod moderation;
pub mod paths;
pub mod protocol;
pub mod reactions;
pub mod replies;
pub mod room_page;
pub mod tag_first;
pub mod time_words;
pub mod timings;
pub mod validate;
pub mod views;
