use leptos::prelude::*;

use crate::shared::{reactions::label, views::Reaction};

/// A message's reactions: one button per emoji with its count, named by who gave it ("👍 2:
/// alice, bob"); pressed when the reader is among them. Pressing one adds or takes back the
/// reader's own (`react` gets the emoji and whether to add it).
#[component]
pub fn Reactions(reactions: Vec<Reaction>, me: String, react: Callback<(String, bool)>) -> impl IntoView {
    let buttons = reactions
        .into_iter()
        .map(|reaction| {
            let mine = reaction.users.contains(&me);
            let name = label(&reaction);
            let shown = format!("{} {}", reaction.emoji, reaction.users.len());
            let emoji = reaction.emoji;
            view! {
                <button
                    type="button"
                    class="reaction"
                    aria-pressed=if mine { "true" } else { "false" }
                    aria-label=name.clone()
                    title=name
                    data-emoji=emoji.clone()
                    on:click=move |_| react.run((emoji.clone(), !mine))
                >
                    {shown}
                </button>
            }
        })
        .collect_view();
    view! { <div class="reactions" role="group" aria-label="Reactions">{buttons}</div> }
}
