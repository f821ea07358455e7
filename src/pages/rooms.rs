use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::rooms::{list_rooms, OpenRoom},
    client::{room_directory::LiveRooms, socket::ChatSocket},
    components::room_entries::RoomEntries,
    shared::{
        paths,
        views::{RoomDirectory, RoomQuery},
    },
};

#[component]
pub fn RoomsPage() -> impl IntoView {
    let params = use_query_map().read_untracked();
    let filter = params.get("q").unwrap_or_default();
    // Page 1 is the first in the address, as people count.
    let page = params.get("page").and_then(|page| page.parse::<u64>().ok()).unwrap_or(1).max(1) - 1;
    let gone = gone_notice(params.get("gone").as_deref(), &params.get("room").unwrap_or_default());
    let asked = params.get("name").unwrap_or_default();
    let private = params.get("private").is_some_and(|ticked| ticked == "true");
    #[cfg(feature = "ssr")]
    let (refused, invite_refused) = {
        use crate::api::context::refused_in;
        let shown = |key: &str| refused_in(params.get(key)).map(|err| err.to_string());
        (shown("refused"), shown("invite_refused"))
    };
    #[cfg(not(feature = "ssr"))]
    let (refused, invite_refused) = (None, None::<String>);
    let query = RoomQuery { filter: filter.clone(), page };
    let rooms = Resource::new(move || query.clone(), |query| list_rooms(query.filter, query.page));

    view! {
        <section class="page rooms">
            <h1>"Rooms"</h1>
            {gone.map(|notice| view! { <p role="status" class="notice">{notice}</p> })}
            {invite_refused.map(|message| view! { <p role="alert" class="alert">{message}</p> })}
            <OpenRoomForm name=asked private refused/>
            // A plain form: the filter is part of the address, so it works without JavaScript
            // and a filtered list can be bookmarked.
            <form method="get" action="/rooms" class="room-filter" role="search" aria-label="Rooms">
                <label for="room-filter">"Filter rooms"</label>
                <div class="row">
                    <input id="room-filter" type="search" name="q" value=filter autocomplete="off"/>
                    <button type="submit" class="secondary">"Filter"</button>
                </div>
            </form>
            <Suspense fallback=|| view! { <p>"Loading rooms…"</p> }>
                {move || Suspend::new(async move {
                    match rooms.await {
                        Ok(list) => {
                            let pages = list.query.clone().map(|query| view! { <Pages query has_more=list.has_more/> });
                            view! { <RoomList initial=list/> {pages} }.into_any()
                        }
                        Err(err) => view! { <p role="alert" class="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// "Previous" and "Next" between pages of the room list, keeping the filter.
#[component]
fn Pages(query: RoomQuery, has_more: bool) -> impl IntoView {
    let link = move |page: u64| paths::rooms_page(&query.filter, page);
    let previous = (query.page > 0).then(|| link(query.page - 1));
    let next = has_more.then(|| link(query.page + 1));
    (previous.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="pages" aria-label="Room list pages">
                {previous.map(|href| view! { <a href=href rel="prev">"Previous page"</a> })}
                <span>{format!("Page {}", query.page + 1)}</span>
                {next.map(|href| view! { <a href=href rel="next">"Next page"</a> })}
            </nav>
        }
    })
}

/// Opening or creating a room. A plain form (no island): a refused name comes back in the
/// address with the name and the choice kept for mending, and the bundle carries none of it.
#[component]
fn OpenRoomForm(name: String, private: bool, refused: Option<String>) -> impl IntoView {
    let action = <OpenRoom as leptos::server_fn::ServerFn>::url();
    view! {
        <form class="open-room" method="post" action=action>
            {refused.map(|message| view! { <p role="alert" class="alert">{message}</p> })}
            <label for="room-name">"Room name"</label>
            <div class="row">
                <input id="room-name" name="name" autocomplete="off" required value=name
                    placeholder="general" aria-describedby="room-name-hint"/>
                <label class="checkbox">
                    <input type="checkbox" name="private" value="true" checked=private/>
                    "Private room"
                </label>
                <button type="submit">"Open room"</button>
            </div>
            <p id="room-name-hint" class="hint">
                "Type a name and press Enter to create or join a room. A private room is for the people you add."
            </p>
        </form>
    }
}

/// What the room list says about a room that went away for the user (`/rooms?gone=…&room=…`).
fn gone_notice(why: Option<&str>, room: &str) -> Option<String> {
    match why? {
        "deleted" => Some("This room was deleted".to_owned()),
        "left" => Some(format!("You left #{room}")),
        "removed" => Some(format!("You were removed from #{room}")),
        "banned" => Some(format!("You were banned from #{room}")),
        _ => None,
    }
}

/// Every room with its live online count, and unread counts in the rooms the user has opened.
#[island]
fn RoomList(initial: RoomDirectory) -> impl IntoView {
    let initial_filter = initial.query.as_ref().map(|query| query.filter.clone()).unwrap_or_default();
    let socket = ChatSocket::provide(&initial.me);
    let live = LiveRooms::provide(socket);
    live.seed(initial);
    live.set_current(None);
    let rooms = live.rooms();
    // Online counts are only shown here: only this page listens to every room's comings and goings.
    socket.watch_rooms();
    on_cleanup(move || socket.unwatch_rooms());
    let empty = match initial_filter.trim() {
        "" => "No rooms yet: name one above to start it.".to_owned(),
        filter => format!("No rooms match “{filter}”."),
    };
    view! {
        {move || rooms.with(Vec::is_empty).then(|| view! { <p class="empty">{empty.clone()}</p> })}
        <ul class="room-list" aria-label="Room list">
            <RoomEntries rooms current=None/>
        </ul>
    }
}
