use leptos::prelude::*;

use crate::{
    api::rooms::pinned_messages,
    client::{jump::go_to, socket::use_socket},
    shared::{excerpt::excerpt, paths, protocol::ServerFrame, views::MessageView},
};

/// "Pinned messages" in the room header: opens the room's pinned list, the latest pinned first,
/// kept current while open as messages are pinned, unpinned or edited; Escape or a click
/// elsewhere closes it. Each entry goes to its
/// message: in place when the conversation shows it, else through its link (the history around
/// it).
#[component]
pub fn PinnedMessages(
    room: String,
    /// The conversation's highlighted message: an entry that goes to its message in place sets it.
    highlighted: RwSignal<Option<i64>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    // `None` until loaded; the error of a failed load otherwise.
    let pins = RwSignal::new(None::<Result<Vec<MessageView>, String>>);
    // The newest state seen of each message while the list is open: across instances an older
    // state can come after a newer one, and must not bring an unpinned message back.
    let newest = StoredValue::new(Vec::<(i64, i64)>::new());
    // Which opening a load answers: an answer for an earlier one (slower than the latest) goes.
    let openings = StoredValue::new(0u32);
    let socket = use_socket();
    let watched = room.clone();
    let listener = socket.on_frame(move |frame| {
        if let ServerFrame::Changed { message } = frame {
            let fresh = newest
                .try_update_value(|seen| newer_than_seen(seen, message.id, message.version))
                .unwrap_or(false);
            if message.room == watched && fresh && pins.with_untracked(|pins| matches!(pins, Some(Ok(_)))) {
                pins.update(|pins| {
                    if let Some(Ok(list)) = pins {
                        keep_current(list, message);
                    }
                });
            }
        }
    });
    on_cleanup(move || socket.off(listener));
    let load_room = room.clone();
    let toggle = move |_| {
        open.update(|open| *open = !*open);
        if open.get_untracked() {
            let room = load_room.clone();
            let opening = openings.try_update_value(|n| {
                *n += 1;
                *n
            });
            leptos::task::spawn_local(async move {
                let loaded = pinned_messages(room).await.map_err(|err| err.to_string());
                if openings.try_get_value() == opening {
                    newest.set_value(Vec::new());
                    pins.set(Some(loaded));
                }
            });
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
        }
    };
    // A click anywhere else closes it, as menus do.
    let wrapper = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        let outside = window_event_listener(leptos::ev::click, move |ev| {
            use wasm_bindgen::JsCast;
            let target = ev.target().and_then(|target| target.dyn_into::<leptos::web_sys::Node>().ok());
            let inside = wrapper.get_untracked().is_some_and(|wrapper| wrapper.contains(target.as_ref()));
            if !inside && open.get_untracked() {
                open.set(false);
            }
        });
        on_cleanup(move || outside.remove());
    }
    let entries = move || match pins.get() {
        None => view! { <p>"Loading…"</p> }.into_any(),
        Some(Err(err)) => view! { <p class="alert" role="alert">{err}</p> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! { <p>"No pinned messages yet."</p> }.into_any(),
        Some(Ok(list)) => view! {
            <ol>
                {list.into_iter().map(|message| {
                    let excerpt = excerpt(&message.body);
                    let id = message.id;
                    view! {
                        <li>
                            <a href=paths::message(&room, id) on:click=move |ev| if go_to(id, highlighted) {
                                ev.prevent_default();
                                open.set(false);
                            }>
                                <span class="author">{message.author}</span>" "{excerpt}
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }
        .into_any(),
    };
    view! {
        <div class="pins" node_ref=wrapper on:keydown=on_keydown>
            <button
                type="button"
                class="link-button"
                aria-controls="pinned-messages"
                aria-expanded=move || open.get().to_string()
                on:click=toggle
            >
                "Pinned messages"
            </button>
            {move || open.get().then(|| view! {
                <section id="pinned-messages" class="pins-panel" aria-label="Pinned messages">{entries.clone()}</section>
            })}
        </div>
    }
}

/// Records the state `version` of message `id`; false when a newer one was seen already.
fn newer_than_seen(seen: &mut Vec<(i64, i64)>, id: i64, version: i64) -> bool {
    match seen.iter_mut().find(|(at, _)| *at == id) {
        Some((_, newest)) if *newest >= version => false,
        Some((_, newest)) => {
            *newest = version;
            true
        }
        None => {
            seen.push((id, version));
            true
        }
    }
}

/// Keeps an open pinned list in step with a changed message: newly pinned goes first, unpinned
/// goes, a pinned one edited shows its new text in its place.
fn keep_current(list: &mut Vec<MessageView>, changed: &MessageView) {
    match (list.iter().position(|m| m.id == changed.id), changed.pinned) {
        (Some(at), true) if changed.version >= list[at].version => list[at] = changed.clone(),
        (Some(at), false) if changed.version >= list[at].version => {
            list.remove(at);
        }
        (None, true) => list.insert(0, changed.clone()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pinned(id: i64, version: i64, pinned: bool) -> MessageView {
        MessageView { id, version, pinned, body: format!("v{version}"), ..MessageView::default() }
    }

    #[test]
    fn an_older_state_of_a_message_is_not_news() {
        let mut seen = Vec::new();
        assert!(newer_than_seen(&mut seen, 1, 5));
        assert!(!newer_than_seen(&mut seen, 1, 4), "the pin before the unpin, late");
        assert!(newer_than_seen(&mut seen, 1, 6));
        assert!(newer_than_seen(&mut seen, 2, 1));
    }

    #[test]
    fn the_open_list_follows_pins_unpins_and_edits() {
        let mut list = vec![pinned(2, 5, true), pinned(1, 4, true)];
        keep_current(&mut list, &pinned(3, 6, true));
        keep_current(&mut list, &pinned(1, 7, true));
        keep_current(&mut list, &pinned(2, 8, false));
        keep_current(&mut list, &pinned(4, 9, false));
        let shown: Vec<(i64, &str)> = list.iter().map(|m| (m.id, m.body.as_str())).collect();
        assert_eq!(shown, [(3, "v6"), (1, "v7")], "newest pin first, edits in place, unpinned gone");
        keep_current(&mut list, &pinned(1, 3, false));
        assert_eq!(list.len(), 2, "an older state changes nothing");
    }
}
