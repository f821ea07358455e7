use leptos::prelude::*;

use crate::{
    client::jump::go_to,
    shared::{paths, views::ReplyQuote},
};

/// A reply's quote of the message it answers: its author and the start of its text, as a link
/// that goes to it (in place when the conversation shows it, else to the history around it,
/// which loads however far back it is). A deleted original says so, and leads nowhere.
pub fn reply_quote(quote: ReplyQuote, room: &str, highlighted: RwSignal<Option<i64>>) -> AnyView {
    if quote.deleted {
        return view! { <p class="reply-quote deleted">"Original message deleted"</p> }.into_any();
    }
    let id = quote.id;
    view! {
        <a class="reply-quote" href=paths::message(room, id) on:click=move |ev| if go_to(id, highlighted) {
            ev.prevent_default();
        }>
            <span class="visually-hidden">"In reply to "</span>
            <span class="author">{quote.author}":"</span>" "
            {quote.excerpt}
        </a>
    }
    .into_any()
}
