use leptos::prelude::*;

use super::room_entries::RoomEntries;
use crate::client::room_directory::use_live_rooms;

/// The rooms the user has opened, with live unread counts, beside the conversation on wide
/// screens (narrow ones reach the room list through the navigation bar). Part of the room's
/// island: it reads the page's live list of rooms.
#[component]
pub fn RoomSidebar(current: String) -> impl IntoView {
    let rooms = use_live_rooms().rooms();
    view! {
        <nav class="sidebar" aria-label="Your rooms">
            <h2>"Your rooms"</h2>
            <ul>
                <RoomEntries rooms current=Some(current)/>
            </ul>
            <a href="/rooms" class="all-rooms">"All rooms"</a>
        </nav>
    }
}
