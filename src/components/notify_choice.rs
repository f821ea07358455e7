use leptos::prelude::*;

use crate::{
    client::{
        room_directory::use_live_rooms,
        socket::{use_socket, ConnState},
    },
    shared::{protocol::ServerFrame, views::NotifyLevel},
};

const SELECT_ID: &str = "notify-level";

/// "Notifications" in the room header: for every message, for mentions, or for nothing. Kept on
/// the server, so every device follows it (a choice made on one shows on the others at once).
///
/// Written as HTML, its choice kept current through the DOM: as a view of a label, a select and
/// its options it cost the bundle about 3 KB compressed, more than the budget had left.
#[component]
pub fn NotifyChoice(room: String) -> impl IntoView {
    let socket = use_socket();
    let live = use_live_rooms();
    // Written by the server only: hydrating keeps the server's inner HTML as it is.
    #[cfg(feature = "ssr")]
    let html = {
        let current =
            live.rooms().with_untracked(|list| crate::client::room_directory::level_in(list, &room));
        let options: String = NotifyLevel::EVERY
            .iter()
            .map(|level| {
                let selected = if *level == current { " selected" } else { "" };
                format!(r#"<option value="{}"{selected}>{}</option>"#, level.number(), level.label())
            })
            .collect();
        format!(
            r#"<label for="{SELECT_ID}">Notifications</label><select id="{SELECT_ID}">{options}</select>"#
        )
    };
    #[cfg(not(feature = "ssr"))]
    let html = String::new();
    // Another device's choice (every device gets the room's `read` with it) moves the select.
    let followed = room.clone();
    let listener = socket.on_frame(move |frame| {
        let ServerFrame::Read { room, read } = frame else { return };
        if *room == followed {
            show_level(read.notify);
        }
    });
    on_cleanup(move || socket.off(listener));
    view! {
        <div
            class="notify-level"
            inner_html=html
            on:change=move |event| {
                let level = NotifyLevel::from_number(event_target_value(&event).parse().unwrap_or_default());
                if socket.state().get_untracked() == ConnState::Connected {
                    live.choose_level(&room, level);
                    socket.set_notify(&room, level);
                } else {
                    // Nothing reaches the server offline: the choice goes back to what it has.
                    show_level(live.notify_level(&room));
                }
            }
        ></div>
    }
}

/// Puts the select on `level` (in the browser).
fn show_level(level: NotifyLevel) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(select) = document().get_element_by_id(SELECT_ID) {
            let value = i64::from(level.number()).to_string();
            select.unchecked_into::<leptos::web_sys::HtmlSelectElement>().set_value(&value);
        }
    }
    let _ = level;
}
