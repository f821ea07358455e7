//! The timings both ends agree on, in one place: the server's rate for "is typing" and the
//! browser's repeat and display of it, how long a message may wait for its ack, how often read
//! markers go out.

use std::time::Duration;

/// The server passes on at most one "is typing" per connection in this time.
pub const TYPING_RELAY_EVERY: Duration = Duration::from_millis(2_000);

/// A browser whose user keeps typing says so again after this long: a little over the server's
/// relay interval, so none of its repeats is dropped.
pub const TYPING_REPEAT_EVERY: Duration = Duration::from_millis(2_500);

/// How long "… is typing" stays without news: a little over the repeat interval, so the line
/// does not flicker while someone types.
pub const TYPING_SHOWN_FOR: Duration = Duration::from_millis(4_000);

/// How long a sender waits for its message to be stored. The server gives up on storing it after
/// this long and says so; the browser shows a message still unanswered then as not delivered
/// (a retry keeps its nonce, so it is never stored twice).
pub const ACK_DEADLINE: Duration = Duration::from_secs(15);

/// A browser sends a room's read marker at most this often (the newest id wins).
pub const READ_MARKER_EVERY: Duration = Duration::from_millis(1_000);

/// Someone who leaves a room (closes the tab, reloads, hops to another room) counts as present
/// this much longer: back within it, nobody was told they left or came back. A flurry of joins
/// and leaves costs the room's members nothing.
pub const PRESENCE_GRACE: Duration = Duration::from_millis(2_000);

/// Milliseconds, for the browser's clock arithmetic.
pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}
