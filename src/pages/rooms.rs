use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::rooms::{list_rooms, OpenRoom},
    client::socket::use_socket,
    components::form_alert::FormAlert,
    shared::{paths, protocol::ServerFrame, views::RoomSummary},
};

#[component]
pub fn RoomsPage() -> impl IntoView {
    let open = ServerAction::<OpenRoom>::new();
    let error = Signal::derive(move || open.value().get().and_then(Result::err).map(|e| e.to_string()));
    let rooms = Resource::new(|| (), |_| list_rooms());
    let query = use_query_map();
    let deleted = move || query.read().get("deleted");

    view! {
        <section class="page rooms">
            <h1>"Rooms"</h1>
            {move || deleted().map(|_| view! { <p role="status" class="notice">"This room was deleted"</p> })}
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

/// Every room with its live online count.
#[component]
fn RoomList(initial: Vec<RoomSummary>) -> impl IntoView {
    let rooms = RwSignal::new(initial);
    let socket = use_socket();
    let listener = socket.on_frame(move |frame| match frame {
        ServerFrame::RoomActivity { room, online } => rooms.update(|list| {
            match list.iter_mut().find(|summary| &summary.name == room) {
                Some(summary) => summary.online = *online,
                None => {
                    let at = list.partition_point(|summary| summary.name < *room);
                    list.insert(at, RoomSummary { name: room.clone(), online: *online });
                }
            }
        }),
        ServerFrame::RoomDeleted { room } => rooms.update(|list| list.retain(|summary| &summary.name != room)),
        // A (re)connection: counts may have changed unseen, so take a fresh list; live updates
        // carry on from here.
        ServerFrame::Ready { .. } => leptos::task::spawn_local(async move {
            if let Ok(list) = list_rooms().await {
                rooms.set(list);
            }
        }),
        _ => {}
    });
    socket.watch_rooms();
    on_cleanup(move || {
        socket.off(listener);
        socket.unwatch_rooms();
    });

    view! {
        <Show when=move || rooms.with(Vec::is_empty)>
            <p class="empty">"No rooms yet: name one above to start it."</p>
        </Show>
        <ul class="room-list" aria-label="Room list">
            <For each=move || rooms.get() key=|summary| (summary.name.clone(), summary.online) let:summary>
                <li>
                    <A href=paths::room(&summary.name)>{summary.name.clone()}</A>
                    <span class="count" class:active=summary.online.gt(&0)>
                        {format!("{} online", summary.online)}
                    </span>
                </li>
            </For>
        </ul>
    }
}
