use leptos::{ev, html, prelude::*};

use crate::shared::reactions::{emoji, QUICK};

/// Choosing a reaction: eight common emoji, or any one typed or pasted (checked by the server's
/// rule before it goes, so a refusal is told here and the text stays). Escape or "Close" closes
/// it without reacting.
#[component]
pub fn ReactionPicker(
    /// Called with the chosen emoji.
    choose: Callback<String>,
    close: Callback<()>,
    /// What is typed in "Any emoji", kept by the list: the message re-renders (and this picker
    /// with it) whenever anyone reacts to it, and the typing must survive that.
    typed: RwSignal<String>,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let first = NodeRef::<html::Button>::new();
    let any = NodeRef::<html::Input>::new();
    // Opened by a click or a key: the keyboard starts on the first emoji, or back in the box
    // when the picker came again with something typed.
    Effect::new(move |_| {
        let focused = if typed.with_untracked(String::is_empty) {
            first.get().map(|first| first.focus())
        } else {
            any.get().map(|any| any.focus())
        };
        let _ = focused;
    });
    let on_keydown = move |event: ev::KeyboardEvent| {
        if event.key() == "Escape" {
            event.prevent_default();
            close.run(());
        }
    };
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        match emoji(&typed.get_untracked()) {
            Ok(chosen) => choose.run(chosen),
            Err(err) => problem.set(Some(err.to_string())),
        }
    };
    let quick = QUICK
        .iter()
        .enumerate()
        .map(|(at, &choice)| {
            let node = if at == 0 { first } else { NodeRef::new() };
            view! {
                <button type="button" class="quick" node_ref=node on:click=move |_| choose.run(choice.to_owned())>
                    {choice}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="picker" role="dialog" aria-label="Add reaction" on:keydown=on_keydown>
            <div class="quick-row">{quick}</div>
            <form class="any-emoji" on:submit=submit>
                <input
                    node_ref=any
                    type="text"
                    aria-label="Any emoji"
                    placeholder="Any emoji"
                    autocomplete="off"
                    aria-invalid=move || if problem.get().is_some() { "true" } else { "false" }
                    prop:value=move || typed.get()
                    on:input=move |event| {
                        typed.set(event_target_value(&event));
                        problem.set(None);
                    }
                />
                <button type="submit">"Add"</button>
                <button type="button" on:click=move |_| close.run(())>"Close"</button>
            </form>
            <p class="error" role="alert">{move || problem.get()}</p>
        </div>
    }
}
