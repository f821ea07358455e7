use leptos::prelude::*;

use super::unread_badge::UnreadBadge;
use crate::{client::room_directory::use_live_rooms, shared::paths};

/// The rooms the user has opened, with live unread counts, beside the conversation on wide
/// screens (narrow ones reach the room list through the navigation bar). Part of the room's
/// island: it reads the page's live list of rooms.
#[component]
pub fn RoomSidebar(current: String) -> impl IntoView {
    let rooms = use_live_rooms().rooms();
    let yours = move || {
        rooms.with(|list| list.iter().filter(|summary| summary.read.is_some()).cloned().collect::<Vec<_>>())
    };
    view! {
        <nav class="sidebar" aria-label="Your rooms">
            <h2>"Your rooms"</h2>
            <ul>
                <For each=yours key=|summary| (summary.name.clone(), summary.read.map(|read| read.unread)) let:summary>
                    {
                        let here = summary.name == current;
                        view! {
                            <li class:here=here>
                                <a href=paths::room(&summary.name) aria-current=here.then_some("page")>
                                    {format!("#{}", summary.name)}
                                </a>
                                // The room being read counts nothing: its new messages are right there.
                                {(!here).then(|| view! { <UnreadBadge read=summary.read/> })}
                            </li>
                        }
                    }
                </For>
            </ul>
            <a href="/rooms" class="all-rooms">"All rooms"</a>
        </nav>
    }
}
