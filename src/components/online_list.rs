use leptos::prelude::*;

/// Who is in the room now, one entry per person.
#[component]
pub fn OnlineList(users: RwSignal<Vec<String>>) -> impl IntoView {
    view! {
        <aside class="online" aria-label="Online users">
            <h2>{move || format!("{} online", users.with(Vec::len))}</h2>
            <ul>
                <For each=move || users.get() key=|name| name.clone() let:name>
                    <li>{name}</li>
                </For>
            </ul>
        </aside>
    }
}
