use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::rooms::{list_rooms, OpenRoom},
    client::{room_directory::LiveRooms, socket::ChatSocket},
    components::{form_alert::FormAlert, unread_badge::UnreadBadge},
    shared::{paths, views::RoomDirectory},
};

#[component]
pub fn RoomsPage() -> impl IntoView {
    let rooms = Resource::new(|| (), |_| list_rooms());
    let deleted = use_query_map().read_untracked().get("deleted").is_some();

    view! {
        <section class="page rooms">
            <h1>"Rooms"</h1>
            {deleted.then(|| view! { <p role="status" class="notice">"This room was deleted"</p> })}
            <OpenRoomForm/>
            <Suspense fallback=|| view! { <p>"Loading rooms…"</p> }>
                {move || Suspend::new(async move {
                    match rooms.await {
                        Ok(list) => view! { <RoomList initial=list/> }.into_any(),
                        Err(err) => view! { <p role="alert" class="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// An island so a refused name shows its error in place, the name kept for mending.
#[island]
fn OpenRoomForm() -> impl IntoView {
    let open = ServerAction::<OpenRoom>::new();
    let error = Signal::derive(move || open.value().get().and_then(Result::err).map(|e| e.to_string()));
    view! {
        <ActionForm action=open attr:class="open-room">
            <FormAlert message=error/>
            <label for="room-name">"Room name"</label>
            <div class="row">
                <input id="room-name" name="name" autocomplete="off" required
                    placeholder="general" aria-describedby="room-name-hint"/>
                <button type="submit">"Open room"</button>
            </div>
            <p id="room-name-hint" class="hint">"Type a name and press Enter to create or join a room."</p>
        </ActionForm>
    }
}

/// Every room with its live online count, and unread counts in the rooms the user has opened.
#[island]
fn RoomList(initial: RoomDirectory) -> impl IntoView {
    let socket = ChatSocket::provide(&initial.me);
    let live = LiveRooms::provide(socket);
    live.seed(initial);
    live.set_current(None);
    let rooms = live.rooms();
    // Online counts are only shown here: only this page listens to every room's comings and goings.
    socket.watch_rooms();
    on_cleanup(move || socket.unwatch_rooms());
    view! {
        <Show when=move || rooms.with(Vec::is_empty)>
            <p class="empty">"No rooms yet: name one above to start it."</p>
        </Show>
        <ul class="room-list" aria-label="Room list">
            <For each=move || rooms.get() key=|summary| (summary.name.clone(), summary.online, summary.read.map(|read| read.unread)) let:summary>
                <li class:has-unread=summary.read.is_some_and(|read| read.unread > 0)>
                    <a href=paths::room(&summary.name)>{summary.name.clone()}</a>
                    <UnreadBadge read=summary.read/>
                    <span class="count" class:active=summary.online.gt(&0)>
                        {format!("{} online", summary.online)}
                    </span>
                </li>
            </For>
        </ul>
    }
}
