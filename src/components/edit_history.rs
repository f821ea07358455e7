use leptos::prelude::*;

use super::{message_body::message_body, timestamp::Timestamp};
use crate::{api::rooms::message_versions, shared::views::MessageVersion};

/// "(edited)" beside an edited message: activating it shows the texts the message had before,
/// with when each was written (everyone in the room may see them).
#[component]
pub fn EditHistory(room: String, id: i64) -> impl IntoView {
    let earlier = RwSignal::new(None::<Result<Vec<MessageVersion>, String>>);
    let open = RwSignal::new(false);
    let toggle = move |_| {
        open.update(|open| *open = !*open);
        if !open.get_untracked() {
            return;
        }
        let room = room.clone();
        leptos::task::spawn_local(async move {
            let versions = message_versions(room, id).await.map_err(|err| err.to_string()).map(|mut all| {
                // The last one is the text shown already.
                all.pop();
                all
            });
            earlier.set(Some(versions));
        });
    };
    view! {
        <button type="button" class="link-button edited" aria-expanded=move || open.get().to_string() on:click=toggle>
            "(edited)"
        </button>
        {move || open.get().then(|| view! {
            <section class="versions" aria-label="Earlier versions">
                {move || match earlier.get() {
                    None => view! { <p>"Loading…"</p> }.into_any(),
                    Some(Err(err)) => view! { <p class="alert" role="alert">{err}</p> }.into_any(),
                    Some(Ok(versions)) => view! {
                        <ol>
                            {versions.into_iter().map(|version| view! {
                                <li><Timestamp ms=version.written_at_ms/>{message_body(&version.body)}</li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                }}
            </section>
        })}
    }
}
