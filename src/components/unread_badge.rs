use leptos::prelude::*;

use crate::shared::views::ReadState;

/// "3 unread" beside a room's name, and "@1" ("1 mention") when some of them mention the
/// reader; nothing when all is read or the room was never opened.
#[component]
pub fn UnreadBadge(read: Option<ReadState>) -> impl IntoView {
    read.filter(|read| read.unread > 0).map(|read| {
        let mentions = (read.mentions > 0).then(|| {
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
            <span class="unread">
                {read.badge()}
                <span class="visually-hidden">" unread"</span>
            </span>
            {mentions}
        }
    })
}
