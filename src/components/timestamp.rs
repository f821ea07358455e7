use leptos::prelude::*;

use crate::client::time::{format_time, iso_utc};

/// A message time: UTC from the server, then the reader's local time once the page is live.
#[component]
pub fn Timestamp(ms: i64) -> impl IntoView {
    let text = RwSignal::new(format!("{} UTC", format_time(ms, 0, ms)));
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let (offset, now) = crate::client::time::local_offset_and_now();
        text.set(format_time(ms, offset, now));
    });
    view! { <time datetime=iso_utc(ms)>{move || text.get()}</time> }
}
