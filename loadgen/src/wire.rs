//! The app's own wire types, compiled from its source (`src/shared`), so the generator speaks
//! exactly the protocol the server does without building the app (and Leptos) again. The
//! generator uses a few of them; the rest are the app's.

#[path = "../../src/shared/views.rs"]
#[allow(dead_code)]
pub mod views;

#[path = "../../src/shared/protocol.rs"]
#[allow(dead_code)]
pub mod protocol;

#[path = "../../src/shared/tag_first.rs"]
pub mod tag_first;
