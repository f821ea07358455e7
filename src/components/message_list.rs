use leptos::{html, prelude::*};

use super::timestamp::Timestamp;
use crate::shared::views::MessageView;

/// A message waiting for the server's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub nonce: String,
    pub body: String,
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
            <For each=move || pending.get() key=|pending| pending.nonce.clone() let:pending>
                <div class="message pending" aria-label="Sending">
                    <p class="body">{pending.body}</p>
                    <span class="sending">"Sending…"</span>
                </div>
            </For>
        </div>
    }
}
