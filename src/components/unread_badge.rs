use leptos::prelude::*;

use crate::shared::views::ReadState;

/// "3 unread" beside a room's name; nothing when all is read or the room was never opened.
#[component]
pub fn UnreadBadge(read: Option<ReadState>) -> impl IntoView {
    read.filter(|read| read.unread > 0).map(|read| {
        view! {
            <span class="unread">
                {read.badge()}
                <span class="visually-hidden">" unread"</span>
            </span>
        }
    })
}
