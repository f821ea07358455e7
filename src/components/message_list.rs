use leptos::{html, prelude::*};

use super::timestamp::Timestamp;
use crate::{client::socket::use_socket, shared::views::MessageView};

/// A message waiting for the server's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub nonce: String,
    pub body: String,
    /// No answer came in time; the user may retry (with the same nonce, so never twice).
    pub failed: bool,
}

/// How long a message may wait for its acknowledgement before it is shown as not delivered.
const ACK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(15);

/// Marks a pending message as failed if it is still waiting after the deadline (browser only).
pub fn expect_ack(pending: RwSignal<Vec<Pending>>, nonce: String) {
    set_timeout(
        move || {
            pending.update(|list| {
                if let Some(waiting) = list.iter_mut().find(|p| p.nonce == nonce) {
                    waiting.failed = true;
                }
            })
        },
        ACK_DEADLINE,
    );
}

/// The conversation: stored messages in id order, then the sender's own pending ones. Bodies are
/// text nodes, so markup in a message is shown, never run. Scrolling to the top loads older
/// history (`load_older`) without moving what the reader is looking at.
#[component]
pub fn MessageList(
    messages: RwSignal<Vec<MessageView>>,
    pending: RwSignal<Vec<Pending>>,
    has_older: RwSignal<bool>,
    load_older: Callback<()>,
    me: String,
) -> impl IntoView {
    let log = NodeRef::<html::Div>::new();
    let socket = use_socket();
    // Where the reader is, measured from the bottom: new messages below keep following when
    // they were at the bottom; older ones added above keep the same messages in view.
    let from_bottom = StoredValue::new(0);
    let first_id = StoredValue::new(None::<i64>);
    Effect::new(move |_| {
        let first = messages.with(|list| list.first().map(|m| m.id));
        pending.track();
        let Some(el) = log.get() else { return };
        let prepended = first_id.get_value().is_some() && first != first_id.get_value();
        first_id.set_value(first);
        if prepended {
            el.set_scroll_top(el.scroll_height() - from_bottom.get_value());
        } else if from_bottom.get_value() <= el.client_height() + 120 {
            el.set_scroll_top(el.scroll_height());
        }
        from_bottom.set_value(el.scroll_height() - el.scroll_top());
    });
    let on_scroll = move |_| {
        if let Some(el) = log.get_untracked() {
            from_bottom.set_value(el.scroll_height() - el.scroll_top());
            if el.scroll_top() < 80 && has_older.get_untracked() {
                load_older.run(());
            }
        }
    };
    view! {
        <div class="log" role="log" aria-label="Messages" aria-live="polite" node_ref=log tabindex="0" on:scroll=on_scroll>
            {move || if has_older.get() {
                view! {
                    <button type="button" class="link-button older" on:click=move |_| load_older.run(())>
                        "Load older messages"
                    </button>
                }.into_any()
            } else if !messages.with(Vec::is_empty) {
                view! { <p class="beginning">"This is the beginning of the room."</p> }.into_any()
            } else {
                ().into_any()
            }}
            <Show when=move || messages.with(Vec::is_empty) && pending.with(Vec::is_empty)>
                <p class="empty">"No messages yet. Say hello!"</p>
            </Show>
            <For each=move || messages.get() key=|message| message.id let:message>
                <article class="message" class:mine={message.author == me} data-id=message.id>
                    <header>
                        <span class="author">{message.author.clone()}</span>
                        <Timestamp ms=message.sent_at_ms/>
                    </header>
                    <p class="body">{message.body.clone()}</p>
                </article>
            </For>
            <For each=move || pending.get() key=|p| (p.nonce.clone(), p.failed) let:waiting>
                <div class="message pending" class:failed=waiting.failed>
                    <p class="body">{waiting.body}</p>
                    {if waiting.failed {
                        let nonce = waiting.nonce.clone();
                        view! {
                            <span class="sending">"Not delivered. "</span>
                            <button type="button" class="link-button" on:click=move |_| {
                                socket.retry(&nonce);
                                pending.update(|list| {
                                    if let Some(p) = list.iter_mut().find(|p| p.nonce == nonce) {
                                        p.failed = false;
                                    }
                                });
                                expect_ack(pending, nonce.clone());
                            }>"Retry"</button>
                        }.into_any()
                    } else {
                        view! { <span class="sending">"Sending…"</span> }.into_any()
                    }}
                </div>
            </For>
        </div>
    }
}
