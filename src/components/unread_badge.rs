use leptos::prelude::*;

use crate::shared::views::{NotifyLevel, ReadState};

/// "3 unread" beside a room's name (only a dot, "Unread messages", in a room whose notifications
/// are for mentions or nothing), and "@1" ("1 mention") when some of them mention the reader
/// (unless the room tells nothing); nothing when all is read or the room was never opened.
#[component]
pub fn UnreadBadge(read: Option<ReadState>) -> impl IntoView {
    read.filter(|read| read.unread > 0).map(|read| {
        let (class, count, counts) = if read.counted() {
            ("unread", read.badge(), " unread")
        } else {
            ("unread dot", String::new(), "Unread messages")
        };
        let mentions = (read.mentions > 0 && read.notify != NotifyLevel::Nothing).then(|| {
            let noun = if read.mentions == 1 { " mention" } else { " mentions" };
            view! {
                <span class="mention-count">
                    <span aria-hidden="true">"@"</span>
                    {read.mention_badge()}
                    <span class="visually-hidden">{noun}</span>
                </span>
            }
        });
        view! {
            <span class=class>
                {count}
                <span class="visually-hidden">{counts}</span>
            </span>
            {mentions}
        }
    })
}
