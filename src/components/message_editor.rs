use leptos::{ev, html, prelude::*};

use crate::{
    client::socket::{use_socket, ConnState},
    shared::validate,
};

/// Editing a message in place: Enter saves, Escape cancels, Shift+Enter starts a new line. The
/// text is checked by the same rule as a new message before it goes (the server checks it
/// again), and stays in the box whenever it cannot go, so nothing typed is lost.
#[component]
pub fn MessageEditor(
    room: String,
    id: i64,
    body: String,
    /// The message being edited: set to `None` when this editor closes.
    editing: RwSignal<Option<i64>>,
    /// The text in the box, kept by the list: the message re-renders whenever anyone reacts to
    /// it or pins it, and what the author typed so far must survive that.
    text: RwSignal<String>,
) -> impl IntoView {
    let socket = use_socket();
    let problem = RwSignal::new(None::<String>);
    let input = NodeRef::<html::Textarea>::new();
    // Opened by a click or a key: the cursor goes into the box, at the end of the text.
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
            let end = input.value().encode_utf16().count() as u32;
            let _ = input.set_selection_range(end, end);
        }
    });
    let save = move || {
        let edited = text.get_untracked();
        match validate::message_body(&edited) {
            Err(err) => problem.set(Some(err.to_string())),
            Ok(_) if socket.state().get_untracked() != ConnState::Connected => {
                problem.set(Some("You are offline: your edit waits here until you are back online.".into()))
            }
            Ok(edited) => {
                if edited != body.trim() {
                    socket.change(&room, id, Some(edited.to_owned()));
                }
                editing.set(None);
            }
        }
    };
    let save_on_click = save.clone();
    let on_keydown = move |event: ev::KeyboardEvent| match event.key().as_str() {
        "Enter" if !event.shift_key() && !event.is_composing() => {
            event.prevent_default();
            save();
        }
        "Escape" => {
            event.prevent_default();
            editing.set(None);
        }
        _ => {}
    };
    view! {
        <div class="editor">
            <textarea
                node_ref=input
                aria-label="Edit message"
                rows="2"
                prop:value=move || text.get()
                on:input=move |event| {
                    text.set(event_target_value(&event));
                    problem.set(None);
                }
                on:keydown=on_keydown
            ></textarea>
            {move || problem.get().map(|problem| view! { <p class="alert" role="alert">{problem}</p> })}
            <div class="editor-buttons">
                <button type="button" on:click=move |_| save_on_click()>"Save"</button>
                <button type="button" class="link-button" on:click=move |_| editing.set(None)>"Cancel"</button>
                <span class="hint">"Enter saves, Escape cancels"</span>
            </div>
        </div>
    }
}
