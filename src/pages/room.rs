use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    api::rooms::{my_rooms, room_history, room_page, OpenRoom},
    client::{
        message_order::{apply_change, insert_in_order},
        room_directory::LiveRooms,
        socket::ChatSocket,
    },
    components::{
        composer::Composer,
        connection_status::ConnectionStatus,
        message_list::{acknowledged, arrived, MessageList, Pending},
        notify_choice::NotifyChoice,
        online_list::OnlineList,
        pinned_messages::PinnedMessages,
        room_membership::RoomMembership,
        room_sidebar::RoomSidebar,
        typing_indicator::{TypingIndicator, Typist},
    },
    error::{AppError, Missing},
    shared::{
        protocol::ServerFrame,
        replies::{unquote, Recent},
        room_page::RoomPageContent,
        timings,
        views::{MessageView, ReplyQuote, RoomDirectory, RoomPageData},
    },
};

#[component]
pub fn RoomPage() -> impl IntoView {
    let params = use_params_map();
    let name = params.read_untracked().get("name").unwrap_or_default();
    // A link to a message (`/rooms/NAME/messages/ID`); an id that is not a number is a message
    // the room does not have.
    let linked = params.read_untracked().get("id").map(|id| id.parse::<i64>().unwrap_or(0));
    let asked = name.clone();
    let data = Resource::new(move || (name.clone(), linked), |(name, linked)| room_page(name, linked));
    // A refused membership form comes back here with its error in the address.
    #[cfg(feature = "ssr")]
    let refused = crate::api::context::refused_in(
        leptos_router::hooks::use_query_map().read_untracked().get("refused"),
    )
    .map(|err| err.to_string());
    #[cfg(not(feature = "ssr"))]
    let refused: Option<String> = None;
    // The sidebar's rooms and unread counts: only the rooms the user has opened.
    let directory = Resource::new(|| (), |_| my_rooms());
    view! {
        <Suspense fallback=|| view! { <p>"Loading the room…"</p> }>
            {move || {
                let asked = asked.clone();
                let refused = refused.clone();
                Suspend::new(async move {
                match (data.await, directory.await) {
                    (Ok(RoomPageContent { data, access, origin }), Ok(directory)) => {
                        let (room, me) = (data.name.clone(), data.me.clone());
                        view! {
                            // Beside the island, not in it: the island's children would cost
                            // the bundle 1.6 KB for what never changes in the browser.
                            <div class="room-page">
                                <RoomMembership room me access origin refused/>
                                <Room data directory/>
                            </div>
                        }
                        .into_any()
                    }
                    (Err(AppError::NotFound(Missing::Room)), _) => view! { <NoSuchRoom name=asked/> }.into_any(),
                    (Err(err), _) | (_, Err(err)) => {
                        super::not_found::answer_status(err.status_code());
                        view! {
                        <section class="page">
                            <h1>"Cannot open this room"</h1>
                            <p role="alert" class="alert">{err.to_string()}</p>
                        </section>
                    }
                    .into_any()
                    }
                }
            })}}
        </Suspense>
    }
}

/// Opening the address of a room that does not exist: the offer to create it. Creating is a
/// POST, so a link or an image on another site cannot make rooms.
#[component]
fn NoSuchRoom(name: String) -> impl IntoView {
    super::not_found::answer_not_found();
    let create = ServerAction::<OpenRoom>::new();
    view! {
        <section class="page">
            <h1>"No room named “" {name.clone()} "”"</h1>
            <p>"Nobody has created it yet."</p>
            <ActionForm action=create>
                <input type="hidden" name="name" value=name/>
                <button type="submit">"Create the room"</button>
            </ActionForm>
            <p><A href="/rooms">"All rooms"</A></p>
        </section>
    }
}

/// Live messages kept while the history shown stops short of the present (see `held`).
const HELD_MAX: usize = 500;

/// A live room: history from the page load, then whatever the socket brings. The island that
/// holds the page's socket and its list of rooms (for the sidebar).
#[island]
fn Room(data: RoomPageData, directory: RoomDirectory) -> impl IntoView {
    let socket = ChatSocket::provide(&data.me);
    let live = LiveRooms::provide(socket);
    live.seed(directory);
    live.set_current(Some(data.name.clone()));
    let RoomPageData {
        name,
        me,
        history,
        has_older,
        has_newer,
        linked: focus,
        linked_missing,
        online,
        changes_seen,
        moderator,
    } = data;
    let last_seen = history.last().map(|message| message.id);
    let highlighted = RwSignal::new(focus);
    let messages = RwSignal::new(history);
    let online = RwSignal::new(online);
    let pending = RwSignal::new(Vec::<Pending>::new());
    let error =
        RwSignal::new(linked_missing.then(|| {
            "The linked message is not in this room: it was deleted, or the link is wrong.".to_owned()
        }));
    let has_older = RwSignal::new(has_older);
    let loading_older = RwSignal::new(false);
    let older_room = name.clone();
    let load_older = Callback::new(move |_: ()| {
        if loading_older.get_untracked() || !has_older.get_untracked() {
            return;
        }
        let Some(first) = messages.with_untracked(|list| list.first().map(|m| m.id)) else { return };
        loading_older.set(true);
        let room = older_room.clone();
        leptos::task::spawn_local(async move {
            match room_history(room, Some(first), None).await {
                Ok(page) => {
                    messages.update(|list| page.messages.into_iter().for_each(|m| insert_in_order(list, m)));
                    has_older.set(page.has_more);
                }
                Err(err) => error.set(Some(err.to_string())),
            }
            loading_older.set(false);
        });
    });
    // Opened at a linked message further back than the latest page: the history shown stops
    // short of the present. Messages arriving meanwhile wait in `held` (appending them would
    // leave a gap), and go in once reading forward, or "Jump to present", reaches them.
    let has_newer = RwSignal::new(has_newer);
    let held = RwSignal::new(Vec::<MessageView>::new());
    // A forward page and a jump each go one at a time (either may be on its way while the other
    // starts: whichever lands second finds the present reached and does nothing).
    let reading_forward = RwSignal::new(false);
    let jumping = RwSignal::new(false);
    // Set when a jump replaced the history, so the list scrolls to its end.
    let jumped = RwSignal::new(false);
    // Reads one page further forward, or (`to_present`) straight to the latest page.
    let forward_room = name.clone();
    let read_forward = Callback::new(move |to_present: bool| {
        let busy = if to_present { jumping } else { reading_forward };
        if !has_newer.get_untracked() || busy.get_untracked() {
            return;
        }
        let last = messages.with_untracked(|list| list.last().map_or(0, |m| m.id));
        busy.set(true);
        let room = forward_room.clone();
        leptos::task::spawn_local(async move {
            // The latest page, or the one after the last message shown.
            let page = room_history(room.clone(), None, (!to_present).then_some(last)).await;
            let reached = match page {
                // The present was reached meanwhile (by the other kind of request): the list
                // already holds newer messages than this answer, and no gap may open.
                Ok(_) if !has_newer.get_untracked() => false,
                Ok(page) if to_present => {
                    messages.set(page.messages);
                    has_older.set(page.has_more);
                    jumped.update_untracked(|jumped| *jumped = true);
                    true
                }
                Ok(page) => {
                    messages.update(|list| page.messages.into_iter().for_each(|m| insert_in_order(list, m)));
                    !page.has_more
                }
                Err(err) => {
                    error.set(Some(err.to_string()));
                    false
                }
            };
            busy.set(false);
            if reached {
                // The present is reached: what arrived meanwhile goes in, and from here the tab
                // follows the room like any other (a reconnect replays from the newest shown).
                has_newer.set(false);
                let waiting = held.try_update_untracked(std::mem::take).unwrap_or_default();
                messages.update(|list| waiting.into_iter().for_each(|m| insert_in_order(list, m)));
                let newest = messages.with_untracked(|list| list.last().map_or(0, |m| m.id));
                socket.join(&room, Some(newest), None);
            }
        });
    });
    let text = RwSignal::new(String::new());
    let replying = RwSignal::new(None::<ReplyQuote>);
    // Only the frame handler below uses it: a plain cell, not a reactive store.
    let recent_states = std::cell::RefCell::new(Recent::default());
    let typing = RwSignal::new(Vec::<Typist>::new());

    #[cfg(feature = "hydrate")]
    let attention = crate::client::attention::Attention::new(&name);
    #[cfg(feature = "hydrate")]
    let noticing = attention.clone();
    let room = name.clone();
    let author = me.clone();
    let listener = socket.on_frame(move |frame| match frame {
        ServerFrame::Message { message } if message.room == room => {
            let mut message = message.clone();
            recent_states.borrow().freshen(&mut message);
            let message = &message;
            // Our own message's ack came first and named its id.
            if pending.with_untracked(|list| list.iter().any(|p| p.stored == Some(message.id))) {
                pending.update(|list| arrived(list, message.id));
            }
            #[cfg(feature = "hydrate")]
            if message.author != author
                && !messages.with_untracked(|list| list.iter().any(|m| m.id == message.id))
            {
                let mentioned = message.mentions.contains(&author);
                noticing.message_arrived(
                    &message.author,
                    &message.body,
                    live.notify_level(&room).notifies(mentioned),
                );
            }
            if has_newer.get_untracked() {
                held.update_untracked(|list| {
                    list.push(message.clone());
                    // Reading forward brings the older ones from the database: only the newest,
                    // which may have come after its last page, must wait here.
                    if list.len() > HELD_MAX {
                        list.drain(..list.len() - HELD_MAX);
                    }
                });
                // The reader's own message takes them to the present, where it is.
                if message.author == author {
                    read_forward.run(true);
                }
            } else {
                messages.update(|list| insert_in_order(list, message.clone()));
            }
            // Their message is here: they are done typing it.
            if typing.with_untracked(|list| list.iter().any(|t| t.name == message.author)) {
                typing.update(|list| list.retain(|t| t.name != message.author));
            }
        }
        ServerFrame::Typing { room: r, user } if r == &room && user != &author => {
            let until_ms = crate::client::time::now_ms() + timings::millis(timings::TYPING_SHOWN_FOR);
            typing.update(|list| match list.iter_mut().find(|t| &t.name == user) {
                Some(typist) => typist.until_ms = until_ms,
                None => list.push(Typist { name: user.clone(), until_ms }),
            });
        }
        ServerFrame::Ack { nonce, id } => {
            messages.with_untracked(|shown| pending.update(|list| acknowledged(list, shown, nonce, *id)));
        }
        ServerFrame::Error { message, nonce } => {
            // A refused message goes back into the box so nothing typed is lost.
            if let Some(nonce) = nonce {
                let refused = pending.with_untracked(|list| list.iter().find(|p| &p.nonce == nonce).cloned());
                if let Some(refused) = refused {
                    pending.update(|list| list.retain(|p| &p.nonce != nonce));
                    if text.with_untracked(String::is_empty) {
                        text.set(refused.body);
                        // Still a reply, if what it answered is still here to answer.
                        let answered = refused.reply.filter(|quote| {
                            messages
                                .with_untracked(|list| list.iter().any(|m| m.id == quote.id && !m.deleted))
                        });
                        if replying.with_untracked(Option::is_none) {
                            replying.set(answered);
                        }
                    } else {
                        // Several refused at once (an outbox flushed into a room that now
                        // refuses them), or something new already typed: each text joins the
                        // box on a line of its own.
                        text.update(|typed| {
                            typed.push('\n');
                            typed.push_str(&refused.body);
                        });
                    }
                }
            }
            error.set(Some(message.clone()));
        }
        ServerFrame::Presence { room: r, users } if r == &room => online.set(users.clone()),
        ServerFrame::Arrived { room: r, user } if r == &room => online.update(|users| {
            let key = |name: &String| name.to_ascii_lowercase();
            if let Err(at) = users.binary_search_by_key(&key(user), key) {
                users.insert(at, user.clone());
            }
        }),
        ServerFrame::Departed { room: r, user } if r == &room => {
            online.update(|users| users.retain(|name| name != user));
        }
        ServerFrame::Changed { message } if message.room == room => {
            recent_states.borrow_mut().saw(ReplyQuote::of(message));
            // A change may come before its message (on another instance, the message waits for
            // the one before it): it then stands in for it, and the older state is dropped.
            let early = !has_newer.get_untracked();
            messages.update(|list| apply_change(list, message, early));
            held.update_untracked(|list| apply_change(list, message, false));
        }
        ServerFrame::MessageDeleted { room: r, id } if r == &room => {
            messages.update(|list| {
                list.retain(|message| message.id != *id);
                unquote(list, *id);
            });
            held.update_untracked(|list| {
                list.retain(|message| message.id != *id);
                unquote(list, *id);
            });
            recent_states.borrow_mut().saw(ReplyQuote::removed(*id));
            if replying.with_untracked(|quote| quote.as_ref().is_some_and(|quote| quote.id == *id)) {
                replying.set(None);
            }
        }
        ServerFrame::Resync { room: r } if r == &room => {
            // Too much was missed to replay: the page's own load brings the latest history.
            #[cfg(feature = "hydrate")]
            let _ = window().location().reload();
        }
        ServerFrame::RoomGone { room: r, why } if r == &room => {
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href(&crate::shared::paths::room_gone(r, *why));
            #[cfg(not(feature = "hydrate"))]
            let _ = why;
        }
        _ => {}
    });
    // Even an empty room asks for a replay from the start: messages posted between this page's
    // render and the socket joining must not be missed. History that stops short of the present
    // asks for none: reading forward brings what follows it.
    socket.join(&name, (!has_newer.get_untracked()).then(|| last_seen.unwrap_or(0)), Some(changes_seen));
    // "… is typing" lines expire on their own.
    #[cfg(feature = "hydrate")]
    let expiry = set_interval_with_handle(
        move || {
            let now = crate::client::time::now_ms();
            if typing.with_untracked(|list| list.iter().any(|t| t.until_ms <= now)) {
                typing.update(|list| list.retain(|t| t.until_ms > now));
            }
        },
        std::time::Duration::from_millis(500),
    )
    .ok();
    #[cfg(feature = "hydrate")]
    let looking = {
        let attention = attention.clone();
        window_event_listener(leptos::ev::visibilitychange, move |_| {
            if !document().hidden() {
                attention.seen();
            }
        })
    };
    // The page is torn down in the browser only; the wrapper satisfies the cleanup's bounds.
    #[cfg(feature = "hydrate")]
    let attention = send_wrapper::SendWrapper::new(attention);
    let reading = name.clone();
    let on_read = Callback::new(move |id: i64| socket.read(&reading, id));
    let room = name.clone();
    on_cleanup(move || {
        #[cfg(feature = "hydrate")]
        {
            looking.remove();
            attention.seen();
        }
        #[cfg(feature = "hydrate")]
        if let Some(expiry) = expiry {
            expiry.clear();
        }
        socket.off(listener);
        socket.leave(&room);
    });

    view! {
        <div class="room-layout">
        <RoomSidebar current=name.clone()/>
        <section class="room">
            <header class="room-header">
                <h1>{format!("#{name}")}</h1>
                <PinnedMessages room=name.clone() highlighted/>
                <NotifyChoice room=name.clone()/>
                <NotificationOffer/>
                <ConnectionStatus/>
            </header>
            <div class="room-body">
                <div class="conversation">
                    <MessageList messages pending has_older load_older has_newer read_forward jumped highlighted replying room=name.clone() me moderator on_read/>
                    <TypingIndicator typing/>
                    <Composer room=name.clone() pending error text replying/>
                </div>
                <OnlineList users=online/>
            </div>
        </section>
        </div>
    }
}

/// "Notify me": offered while the browser can show notifications and the user has not decided.
#[component]
fn NotificationOffer() -> impl IntoView {
    // Invisible in the server's HTML and until the browser says it can ask (the same first render
    // on both sides), but holding its place so the conversation does not move when it appears.
    let offer = RwSignal::new(false);
    Effect::new(move |_| offer.set(crate::client::attention::can_ask_for_notifications()));
    view! {
        <button
            type="button"
            class="link-button notify"
            class:unoffered=move || !offer.get()
            on:click=move |_| crate::client::attention::ask_for_notifications(move || offer.set(false))
        >
            "Notify me of new messages"
        </button>
    }
}
