use leptos::prelude::*;
use leptos_router::components::A;

use super::unread_badge::UnreadBadge;
use crate::{
    api::rooms::{list_rooms, RoomDirectory},
    client::room_directory::use_live_rooms,
    shared::paths,
};

/// The rooms the user has opened, with live unread counts, beside the conversation on wide
/// screens (narrow ones reach the room list through the navigation bar).
#[component]
pub fn RoomSidebar(current: String) -> impl IntoView {
    let live = use_live_rooms();
    // Going from room to room, the tab's list is already live: only a first page loads it.
    let directory = Resource::new(
        || (),
        move |_| async move { if live.is_live() { Ok(None) } else { list_rooms().await.map(Some) } },
    );
    view! {
        <nav class="sidebar" aria-label="Your rooms">
            <h2>"Your rooms"</h2>
            <Suspense fallback=|| ()>
                {
                    let current = current.clone();
                    move || {
                        let current = current.clone();
                        Suspend::new(async move {
                            match directory.await {
                                Ok(initial) => view! { <YourRooms initial current/> }.into_any(),
                                Err(err) => view! { <p class="alert">{err.to_string()}</p> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
            <A href="/rooms" attr:class="all-rooms">"All rooms"</A>
        </nav>
    }
}

#[component]
fn YourRooms(initial: Option<RoomDirectory>, current: String) -> impl IntoView {
    let live = use_live_rooms();
    if let Some(initial) = initial {
        live.seed(initial);
    }
    live.set_current(Some(current.clone()));
    let leaving = current.clone();
    on_cleanup(move || live.leave_current(&leaving));
    let rooms = live.rooms();
    let yours = move || rooms.with(|list| list.iter().filter(|summary| summary.read.is_some()).cloned().collect::<Vec<_>>());
    view! {
        <ul>
            <For each=yours key=|summary| (summary.name.clone(), summary.read.map(|read| read.unread)) let:summary>
                {
                    let here = summary.name == current;
                    view! {
                        <li class:here=here>
                            <A href=paths::room(&summary.name) attr:aria-current=here.then_some("page")>
                                {format!("#{}", summary.name)}
                            </A>
                            // The room being read counts nothing: its new messages are right there.
                            {(!here).then(|| view! { <UnreadBadge read=summary.read/> })}
                        </li>
                    }
                }
            </For>
        </ul>
    }
}
