use leptos::prelude::*;

use super::unread_badge::UnreadBadge;
use crate::shared::{paths, views::RoomSummary};

/// Rooms as a list shows them, one `li` each, with their unread counts: the room list's (every
/// room, with its online count), or with `current` the sidebar's (the rooms the user opened, "#name", the
/// room on screen marked and its count left out: its new messages are right there). One
/// component for both, so the bundle carries one keyed list of rooms instead of two.
#[component]
pub fn RoomEntries(rooms: ReadSignal<Vec<RoomSummary>>, current: Option<String>) -> impl IntoView {
    let sidebar = current.is_some();
    let shown = move || {
        rooms.with(|list| {
            list.iter().filter(|summary| !sidebar || summary.read.is_some()).cloned().collect::<Vec<_>>()
        })
    };
    view! {
        <For each=shown key=RoomSummary::shown let:summary>
            {
                let here = current.as_deref() == Some(summary.name.as_str());
                let name = if sidebar { format!("#{}", summary.name) } else { summary.name.clone() };
                let online = (!sidebar).then(|| view! {
                    <span class="count" class:active=summary.online.gt(&0)>
                        {format!("{} online", summary.online)}
                    </span>
                });
                view! {
                    <li class:here=here class:has-unread=summary.read.is_some_and(|read| read.unread > 0)>
                        <a href=paths::room(&summary.name) aria-current=here.then_some("page")>{name}</a>
                        {(!here).then(|| view! { <UnreadBadge read=summary.read/> })}
                        {online}
                    </li>
                }
            }
        </For>
    }
}
