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
/// text nodes, so markup in a message is shown, never run.
#[component]
pub fn MessageList(
    messages: RwSignal<Vec<MessageView>>,
    pending: RwSignal<Vec<Pending>>,
    me: String,
) -> impl IntoView {
    let log = NodeRef::<html::Div>::new();
    let socket = use_socket();
    // Follow the conversation as it grows, unless the reader has scrolled up to read history.
    Effect::new(move |_| {
        messages.track();
        pending.track();
        if let Some(el) = log.get() {
            let near_bottom = el.scroll_height() - el.scroll_top() - el.client_height() < 120;
            if near_bottom || el.scroll_top() == 0 {
                el.set_scroll_top(el.scroll_height());
            }
        }
    });
    view! {
        <div class="log" role="log" aria-label="Messages" aria-live="polite" node_ref=log tabindex="0">
            <Show when=move || messages.with(Vec::is_empty) && pending.with(Vec::is_empty)>
                <p class="empty">"No messages yet. Say hello!"</p>
            </Show>
            <For each=move || messages.get() key=|message| message.id let:message>
                <article class="message" class:mine={message.author == me}>
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
