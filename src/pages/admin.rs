//! The administrator's screen. Searches and paging live in the address (plain GET forms and
//! links), so every view can be bookmarked and works without JavaScript.

use leptos::prelude::*;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

use crate::{
    api::admin::{admin_messages, admin_rooms, admin_users, DeleteMessage, DeleteRoom, SetUserDisabled},
    components::{form_alert::FormAlert, timestamp::Timestamp},
    error::AppError,
    pages::not_found::Forbidden,
};

#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &'static str| move || query.read().get(key).unwrap_or_default();
    let page = move |key: &'static str| {
        move || query.read().get(key).and_then(|p| p.parse::<u64>().ok()).unwrap_or(0)
    };

    let delete_message = ServerAction::<DeleteMessage>::new();
    let delete_room = ServerAction::<DeleteRoom>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let changes =
        move || (delete_message.version().get(), delete_room.version().get(), set_disabled.version().get());

    let (users_q, users_p) = (param("users_q"), page("users_page"));
    let users = Resource::new(move || (users_q(), users_p(), changes()), |(q, p, _)| admin_users(q, p));
    let (rooms_q, rooms_p) = (param("rooms_q"), page("rooms_page"));
    let rooms = Resource::new(move || (rooms_q(), rooms_p(), changes()), |(q, p, _)| admin_rooms(q, p));
    let (messages_q, messages_p) = (param("messages_q"), page("messages_page"));
    let messages =
        Resource::new(move || (messages_q(), messages_p(), changes()), |(q, p, _)| admin_messages(q, p));

    let action_error = Signal::derive(move || {
        [
            delete_message.value().get().and_then(Result::err),
            delete_room.value().get().and_then(Result::err),
            set_disabled.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|err| err.to_string())
    });

    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (users, rooms, messages) = (users.await, rooms.await, messages.await);
                let (users, rooms, messages) = match (users, rooms, messages) {
                    (Ok(u), Ok(r), Ok(m)) => (u, r, m),
                    (Err(AppError::Forbidden), _, _) | (Err(AppError::NotLoggedIn), _, _) => {
                        return view! { <Forbidden/> }.into_any();
                    }
                    (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => {
                        return view! { <p role="alert" class="alert">{err.to_string()}</p> }.into_any();
                    }
                };
                view! {
                    <section class="page admin">
                        <h1>"Admin"</h1>
                        <FormAlert message=action_error/>
                        <section aria-labelledby="admin-users">
                            <h2 id="admin-users">"Users"</h2>
                            <Search name="users_q" label="Search users" value=users_q()/>
                            <table>
                                <thead><tr><th>"Username"</th><th>"Admin"</th><th>"Status"</th><th>"Action"</th></tr></thead>
                                <tbody>
                                    {users.items.into_iter().map(|user| {
                                        let disable = !user.disabled;
                                        view! {
                                            <tr>
                                                <td>{user.username}</td>
                                                <td>{if user.is_admin { "yes" } else { "no" }}</td>
                                                <td>{if user.disabled { "disabled" } else { "active" }}</td>
                                                <td>
                                                    <ActionForm action=set_disabled>
                                                        <input type="hidden" name="id" value=user.id/>
                                                        <input type="hidden" name="disabled" value=disable.to_string()/>
                                                        <button type="submit">{if disable { "Disable" } else { "Enable" }}</button>
                                                    </ActionForm>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <Pager key="users_page" page=users.page has_more=users.has_more/>
                        </section>
                        <section aria-labelledby="admin-rooms">
                            <h2 id="admin-rooms">"Rooms"</h2>
                            <Search name="rooms_q" label="Search rooms" value=rooms_q()/>
                            <table>
                                <thead><tr><th>"Room"</th><th>"Messages"</th><th>"Online now"</th><th>"Action"</th></tr></thead>
                                <tbody>
                                    {rooms.items.into_iter().map(|room| view! {
                                        <tr>
                                            <td>{room.name.clone()}</td>
                                            <td>{room.messages}</td>
                                            <td>{room.online}</td>
                                            <td>
                                                <ActionForm action=delete_room>
                                                    <input type="hidden" name="name" value=room.name.clone()/>
                                                    <button type="submit" class="danger">"Delete room"</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <Pager key="rooms_page" page=rooms.page has_more=rooms.has_more/>
                        </section>
                        <section aria-labelledby="admin-messages">
                            <h2 id="admin-messages">"Messages"</h2>
                            <Search name="messages_q" label="Search messages" value=messages_q()/>
                            <MessageTable page=messages.items action=delete_message/>
                            <Pager key="messages_page" page=messages.page has_more=messages.has_more/>
                        </section>
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
}

#[component]
fn MessageTable(
    page: Vec<crate::shared::views::MessageView>,
    action: ServerAction<DeleteMessage>,
) -> impl IntoView {
    view! {
        <table>
            <thead><tr><th>"Room"</th><th>"Author"</th><th>"Message"</th><th>"Time"</th><th>"Action"</th></tr></thead>
            <tbody>
                {page.into_iter().map(|message| view! {
                    <tr>
                        <td>{message.room}</td>
                        <td>{message.author}</td>
                        <td class="body">{message.body}</td>
                        <td><Timestamp ms=message.sent_at_ms/></td>
                        <td>
                            <ActionForm action>
                                <input type="hidden" name="id" value=message.id/>
                                <button type="submit" class="danger">"Delete"</button>
                            </ActionForm>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The address's parameters that say what the lists show (searches, pages), without the error a
/// refused action left there to be shown once (`__err`, `__path`).
fn list_params() -> Vec<(String, String)> {
    use_query_map()
        .read_untracked()
        .clone()
        .into_iter()
        .filter(|(key, _)| !key.starts_with("__"))
        .map(|(key, value)| (key.to_string(), value))
        .collect()
}

/// A GET search form that keeps the other lists' parameters.
#[component]
fn Search(name: &'static str, label: &'static str, value: String) -> impl IntoView {
    let others = list_params()
        .into_iter()
        .filter(|(key, _)| key != name && !key.ends_with("_page"))
        .map(|(key, value)| view! { <input type="hidden" name=key value=value/> })
        .collect_view();
    let id = format!("search-{name}");
    view! {
        <Form method="GET" action="" attr:class="search">
            {others}
            <label for=id.clone()>{label}</label>
            <input id=id type="search" name=name value=value/>
            <button type="submit">"Search"</button>
        </Form>
    }
}

/// Previous/Next links for one list, keeping every other parameter.
#[component]
fn Pager(key: &'static str, page: u64, has_more: bool) -> impl IntoView {
    let kept: Vec<(String, String)> = list_params().into_iter().filter(|(k, _)| k != key).collect();
    let href = move |target: u64| {
        let mut params = kept.clone();
        params.push((key.to_owned(), target.to_string()));
        let encoded: Vec<String> = params
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    crate::shared::paths::encode_component(k),
                    crate::shared::paths::encode_component(v)
                )
            })
            .collect();
        format!("?{}", encoded.join("&"))
    };
    view! {
        <nav class="pager" aria-label=format!("{key} pages")>
            {(page > 0).then(|| view! { <A href=href(page - 1)>"Previous"</A> })}
            <span>{format!("Page {}", page + 1)}</span>
            {has_more.then(|| view! { <A href=href(page + 1)>"Next"</A> })}
        </nav>
    }
}
