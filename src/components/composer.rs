use leptos::{ev, html, prelude::*};

use super::{
    form_alert::FormAlert,
    mention_suggestions::{MentionSuggestions, LIST_ID},
    message_list::{expect_ack, Pending},
};
use crate::{
    client::socket::use_socket,
    shared::{timings, validate, views::ReplyQuote},
};

/// The message box's id: what "Reply" and "Cancel reply" give the keyboard to.
const INPUT_ID: &str = "composer-input";

/// The "Replying to" line's id: it describes the message box.
const REPLYING_ID: &str = "composer-replying";

/// Puts the keyboard in the message box (browser only).
pub fn focus_composer() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(input) = document()
            .get_element_by_id(INPUT_ID)
            .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = input.focus();
        }
    }
}

/// The message box: Enter sends, Shift+Enter starts a new line. Checks the length rule before
/// sending (the server checks it again) and keeps the text when a message is refused. While
/// `replying` names a message, what is sent answers it ("Replying to NAME"; "Cancel reply" or
/// Escape to stop). "@" offers the room's people to mention.
#[component]
pub fn Composer(
    room: String,
    pending: RwSignal<Vec<Pending>>,
    error: RwSignal<Option<String>>,
    text: RwSignal<String>,
    replying: RwSignal<Option<ReplyQuote>>,
) -> impl IntoView {
    let socket = use_socket();
    let input = NodeRef::<html::Textarea>::new();
    let suggestions = MentionSuggestions::new(room.clone(), INPUT_ID);
    let (typed_into, pressed_in, left) = (suggestions.clone(), suggestions.clone(), suggestions.clone());
    let suggesting_room = room.clone();
    // When this tab last said its user is typing: once per TYPING_REPEAT_EVERY at most.
    let told_typing_at = StoredValue::new(f64::MIN);
    let typing_room = room.clone();
    let say_typing = move || {
        let now = crate::client::time::now_ms();
        if now - told_typing_at.get_value() >= timings::millis(timings::TYPING_REPEAT_EVERY) {
            told_typing_at.set_value(now);
            socket.typing(&typing_room);
        }
    };
    let send = move || {
        let body = text.get_untracked();
        match validate::message_body(&body) {
            Ok(body) => {
                let reply = replying.get_untracked();
                let nonce = socket.send_message(&room, body, reply.as_ref().map(|quote| quote.id));
                pending.update(|list| list.push(Pending::new(nonce.clone(), body, reply)));
                replying.set(None);
                expect_ack(pending, nonce);
                text.set(String::new());
                error.set(None);
                // The next keystroke starts a new "is typing".
                told_typing_at.set_value(f64::MIN);
            }
            Err(err) => error.set(Some(err.to_string())),
        }
    };
    let send_on_click = send.clone();
    // Until the page is live, the server's HTML would submit the box as a plain form (the text
    // in the address), and hydrating would empty it: it waits, read-only with the button disabled,
    // for a moment. Read-only rather than disabled: a disabled box is drawn again when it turns
    // live, which browsers count as the page's largest paint happening only then.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let on_keydown = move |event: ev::KeyboardEvent| {
        if suggestions.key(&event, input, text) {
            return;
        }
        if event.key() == "Enter" && !event.shift_key() && !event.is_composing() {
            event.prevent_default();
            send();
        } else if event.key() == "Escape" && replying.with_untracked(Option::is_some) {
            event.prevent_default();
            replying.set(None);
        }
    };
    let replying_to = move || {
        replying.get().map(|quote| {
            view! {
                <div class="replying">
                    <span>"Replying to "<strong>{quote.author}</strong></span>
                    <button type="button" class="link-button" on:click=move |_| {
                        replying.set(None);
                        focus_composer();
                    }>"Cancel reply"</button>
                </div>
            }
        })
    };
    view! {
        <form class="composer" on:submit=move |event: ev::SubmitEvent| {
            event.prevent_default();
            send_on_click();
        }>
            <FormAlert message=error/>
            // Always there (empty, and hidden, when not replying), so the box can name it as its
            // description without an attribute that comes and goes.
            <div class="replying-slot" id=REPLYING_ID>{replying_to}</div>
            <label for=INPUT_ID class="visually-hidden">"Message"</label>
            // Filled while a mention is being typed (`MentionSuggestions`).
            <ul
                id=LIST_ID
                class="mention-suggestions"
                role="listbox"
                aria-label="Mention someone"
                hidden
                on:mousedown=move |event| pressed_in.pressed(&event, input, text)
            ></ul>
            <textarea
                node_ref=input
                id=INPUT_ID
                aria-describedby=REPLYING_ID
                aria-autocomplete="list"
                aria-controls=LIST_ID
                name="body"
                rows="2"
                placeholder="Message the room — Enter sends, Shift+Enter for a new line"
                readonly=move || !live.get()
                prop:value=move || text.get()
                on:input=move |event| {
                    let typed = event_target_value(&event);
                    if let Some(input) = input.get_untracked() {
                        let cursor = input.selection_start().ok().flatten().unwrap_or(0);
                        typed_into.typed(&suggesting_room, &typed, cursor);
                    }
                    text.set(typed);
                    if !text.with_untracked(String::is_empty) {
                        say_typing();
                    }
                    if error.get_untracked().is_some() && validate::message_body(&text.get_untracked()).is_ok() {
                        error.set(None);
                    }
                }
                on:keydown=on_keydown
                on:blur=move |_| left.close()
            ></textarea>
            <button type="submit" disabled=move || !live.get()>"Send"</button>
        </form>
    }
}
