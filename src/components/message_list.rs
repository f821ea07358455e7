use leptos::{html, prelude::*};

use super::{
    composer::focus_composer, edit_history::EditHistory, message_body::message_body,
    message_editor::MessageEditor, reaction_picker::ReactionPicker, reactions::Reactions,
    reply_quote::reply_quote, timestamp::Timestamp,
};
use crate::{
    client::socket::use_socket,
    shared::{
        timings::ACK_DEADLINE,
        views::{MessageView, ReplyQuote},
    },
};

/// A message the user sent, shown as sending until the stored one arrives. Matched by nonce (its
/// `ack`) and then by id, never by its text: two identical messages sent quickly are two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub nonce: String,
    pub body: String,
    /// The id its `ack` gave it: it goes once the message with this id is in the list.
    pub stored: Option<i64>,
    /// No answer came in time; the user may retry (with the same nonce, so never twice).
    pub failed: bool,
    /// The message it answers.
    pub reply: Option<ReplyQuote>,
}

impl Pending {
    pub fn new(nonce: String, body: &str, reply: Option<ReplyQuote>) -> Self {
        Self { nonce, body: body.to_owned(), stored: None, failed: false, reply }
    }
}

/// The server stored the message sent with `nonce` as `id`: if that message is shown already it
/// is pending no more, otherwise it goes when the message arrives ([`arrived`]).
pub fn acknowledged(pending: &mut Vec<Pending>, messages: &[MessageView], nonce: &str, id: i64) {
    if messages.binary_search_by_key(&id, |m| m.id).is_ok() {
        pending.retain(|p| p.nonce != nonce);
    } else if let Some(waiting) = pending.iter_mut().find(|p| p.nonce == nonce) {
        waiting.stored = Some(id);
        waiting.failed = false;
    }
}

/// A stored message arrived: the pending copy its ack pointed at goes.
pub fn arrived(pending: &mut Vec<Pending>, id: i64) {
    pending.retain(|p| p.stored != Some(id));
}

/// A message this soon after the previous one by the same author joins its group: shown without
/// repeating the name and time (still there for screen readers).
const GROUP_WITHIN_MS: i64 = 5 * 60_000;

/// A message as the conversation lays it out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    message: MessageView,
    /// It continues the previous message's group (same author, within five minutes, same day).
    continued: bool,
    /// It is the first of its day: a divider ("Today", "Monday 23 November") goes above it.
    day: Option<Day>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Day {
    label: String,
    iso: String,
}

/// Groups messages by author and day. Days depend on the reader's time zone, which only the
/// browser knows: without `zone` (the server's render, and the first one in the browser, which
/// must match it) there are no dividers; with `(offset in minutes, now)` there are.
fn rows(messages: &[MessageView], zone: Option<(i64, i64)>) -> Vec<Row> {
    use crate::client::time::{day_label, iso_day, local_day};

    let day_of = |ms: i64| zone.map(|(offset, _)| local_day(ms, offset));
    let today = zone.map(|(offset, now)| local_day(now, offset));
    messages
        .iter()
        .enumerate()
        .map(|(at, message)| {
            let previous = at.checked_sub(1).map(|before| &messages[before]);
            let day = day_of(message.sent_at_ms);
            let new_day = day.is_some() && previous.is_none_or(|previous| day_of(previous.sent_at_ms) != day);
            let continued = !new_day
                && previous.is_some_and(|previous| {
                    previous.author == message.author
                        && message.sent_at_ms - previous.sent_at_ms < GROUP_WITHIN_MS
                });
            let day = match (new_day, day, today) {
                (true, Some(day), Some(today)) => {
                    Some(Day { label: day_label(day, today), iso: iso_day(day) })
                }
                _ => None,
            };
            Row { message: message.clone(), continued, day }
        })
        .collect()
}

/// What changed in the list since the view last adjusted its scroll position.
#[derive(Debug, Clone, Copy)]
struct Adjust {
    /// Older messages went in above.
    prepended: bool,
    /// The reader's own message went in.
    own: bool,
    /// Newer messages went in below.
    appended: bool,
}

impl Adjust {
    fn merge(&mut self, later: Adjust) {
        self.prepended |= later.prepended;
        self.own |= later.own;
        self.appended |= later.appended;
    }
}

/// After the deadline, a message still without its ack is shown as not delivered; one that was
/// acknowledged but never came back on this socket (it is stored: the next load shows it) stops
/// saying "Sending…" (browser only).
pub fn expect_ack(pending: RwSignal<Vec<Pending>>, nonce: String) {
    set_timeout(move || pending.update(|list| deadline_passed(list, &nonce)), ACK_DEADLINE);
}

fn deadline_passed(pending: &mut Vec<Pending>, nonce: &str) {
    if let Some(at) = pending.iter().position(|p| p.nonce == nonce) {
        if pending[at].stored.is_some() {
            pending.remove(at);
        } else {
            pending[at].failed = true;
        }
    }
}

/// The conversation: stored messages in id order, then the sender's own pending ones, each
/// formatted by [`message_body`] (markup a user typed is shown, never run). Scrolling to the top loads older
/// history (`load_older`) without moving what the reader is looking at.
#[component]
pub fn MessageList(
    messages: RwSignal<Vec<MessageView>>,
    pending: RwSignal<Vec<Pending>>,
    has_older: RwSignal<bool>,
    load_older: Callback<()>,
    /// The history shown stops short of the present (opened at a linked message).
    has_newer: RwSignal<bool>,
    /// Reads one page further forward, or with `true` replaces the history with the latest page.
    read_forward: Callback<bool>,
    /// Set (untracked) when a jump to the present replaced the history: the list goes to its end.
    jumped: RwSignal<bool>,
    /// The message shown highlighted: the linked one (in view when the page opens), or one a
    /// pinned entry went to. A signal, so the highlight survives its message re-rendering.
    highlighted: RwSignal<Option<i64>>,
    /// The message the composer answers: "Reply" sets it.
    replying: RwSignal<Option<ReplyQuote>>,
    room: String,
    me: String,
    /// The reader may delete anyone's messages here.
    moderator: bool,
    /// Called with the newest message id (0 in an empty room) whenever the reader can see the
    /// bottom of the conversation in a visible tab: what moves their read marker.
    on_read: Callback<i64>,
) -> impl IntoView {
    let log = NodeRef::<html::Div>::new();
    // What the last message action did ("Link copied"), read out by screen readers.
    let action_status = RwSignal::new(String::new());
    // A message's "Copy link": its permanent address, or the address to copy by hand.
    let link_room = room.clone();
    let copy_link = move |id: i64| {
        let address = crate::shared::paths::message(&link_room, id);
        move |_| {
            crate::client::clipboard::copy_address(&address, move |outcome| {
                action_status.set(match outcome {
                    Ok(()) => "Link copied".to_owned(),
                    Err(full) => format!("Could not copy the link: {full}"),
                });
                crate::client::clipboard::clear_later(action_status);
            });
        }
    };
    let me_for_scroll = me.clone();
    let socket = use_socket();
    // Changes go only while connected (the outbox holds new messages, not changes).
    let online = move || socket.state().get_untracked() == crate::client::socket::ConnState::Connected;
    // The message being edited in place, and the one whose deletion awaits confirmation.
    let editing = RwSignal::new(None::<i64>);
    let draft = RwSignal::new(String::new());
    let confirming = RwSignal::new(None::<i64>);
    let keep_button = NodeRef::<html::Button>::new();
    let ask_to_delete = move |id: i64| {
        move |_| {
            confirming.set(Some(id));
            // The button pressed is replaced by the question: focus goes to its safe answer.
            request_animation_frame(move || {
                if let Some(button) = keep_button.get_untracked() {
                    let _ = button.focus();
                }
            });
        }
    };
    let delete_room = room.clone();
    let delete = move |id: i64| {
        let room = delete_room.clone();
        move |_| {
            confirming.set(None);
            if online() {
                socket.change(&room, id, None);
            } else {
                action_status.set("You are offline: the message was not deleted.".to_owned());
            }
        }
    };
    // The message whose reaction picker is open, and what is typed in it.
    let picking = RwSignal::new(None::<i64>);
    let typed_emoji = RwSignal::new(String::new());
    // A message re-renders when its reactions or its pin change, taking the button pressed with
    // it: the same control of the new row (or the message's "Add reaction") gets the keyboard back.
    let refocus = StoredValue::new(None::<(i64, Refocus)>);
    // A change refused or lost never re-renders its message: the wish to refocus lapses rather
    // than act on some later change to it.
    let expect_change = move |id: i64, to: Refocus| {
        refocus.set_value(Some((id, to.clone())));
        set_timeout(
            move || {
                refocus.try_update_value(|wish| {
                    if wish.as_ref() == Some(&(id, to)) {
                        *wish = None;
                    }
                });
            },
            ACK_DEADLINE,
        );
    };
    let react_room = room.clone();
    let react = move |id: i64| {
        let room = react_room.clone();
        Callback::new(move |(emoji, on): (String, bool)| {
            picking.set(None);
            if online() {
                socket.react(&room, id, &emoji, on);
                expect_change(id, Refocus::Reaction(emoji));
            } else {
                action_status.set("You are offline: your reaction was not saved.".to_owned());
            }
        })
    };
    // Where the reader is, measured from the bottom: new messages below keep following when
    // they were at the bottom; older ones added above keep the same messages in view.
    let from_bottom = StoredValue::new(0);
    let first_id = StoredValue::new(None::<i64>);
    let last_id = StoredValue::new(None::<i64>);
    // Messages arrived below while the reader was reading further up.
    let unseen = RwSignal::new(false);
    let at_bottom =
        move |el: &leptos::web_sys::HtmlDivElement| from_bottom.get_value() <= el.client_height() + 120;
    let pending_count = StoredValue::new(0usize);
    let report_read = move |el: &leptos::web_sys::HtmlDivElement| {
        #[cfg(feature = "hydrate")]
        if at_bottom(el) && !document().hidden() {
            if let Some(last) = last_id.try_get_value() {
                on_read.try_run(last.unwrap_or(0));
            }
        }
        let _ = (el, on_read);
    };
    // The reader's zone, known once the page is live (see `rows`); checked every minute, so a
    // tab left open overnight moves "Today" to "Yesterday".
    let zone = RwSignal::new(None::<(i64, i64)>);
    #[cfg(feature = "hydrate")]
    let day_watch = {
        use crate::client::time::{local_day, local_offset_and_now};
        let refresh = move || {
            let (offset, now) = local_offset_and_now();
            let day = |zone: Option<(i64, i64)>| zone.map(|(offset, now)| local_day(now, offset));
            if day(zone.get_untracked()) != day(Some((offset, now))) {
                zone.set(Some((offset, now)));
            }
        };
        Effect::new(move |_| refresh());
        set_interval_with_handle(refresh, std::time::Duration::from_secs(60)).ok()
    };
    #[cfg(feature = "hydrate")]
    on_cleanup(move || {
        if let Some(day_watch) = day_watch {
            day_watch.clear();
        }
    });
    // Scroll changes wait for the list to render (one animation frame); what happened meanwhile
    // is gathered here, so a burst of messages costs one adjustment, not one per message.
    let adjusting = StoredValue::new(None::<Adjust>);
    #[cfg(feature = "hydrate")]
    let looking = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if let Some(el) = log.get_untracked() {
            report_read(&el);
        }
    });
    #[cfg(feature = "hydrate")]
    on_cleanup(move || looking.remove());
    Effect::new(move |_| {
        let (first, last, last_mine) = messages.with(|list| {
            (
                list.first().map(|m| m.id),
                list.last().map(|m| m.id),
                list.last().is_some_and(|m| m.author == me_for_scroll),
            )
        });
        let sending = pending.with(Vec::len);
        let Some(el) = log.get() else { return };
        // The first time, a linked message is brought into view (a third of the way down)
        // instead of the end.
        #[cfg(feature = "hydrate")]
        if first_id.get_value().is_none() && last_id.get_value().is_none() {
            if let Some(linked) =
                highlighted.get_untracked().and_then(|_| el.query_selector("article.linked").ok().flatten())
            {
                use wasm_bindgen::JsCast;
                // Both are measured from the conversation's frame (the nearest positioned box).
                let linked_top = linked.unchecked_into::<leptos::web_sys::HtmlElement>().offset_top();
                el.set_scroll_top(linked_top - el.offset_top() - el.client_height() / 3);
                first_id.set_value(first);
                last_id.set_value(last);
                pending_count.set_value(sending);
                from_bottom.set_value(el.scroll_height() - el.scroll_top());
                return;
            }
        }
        let prepended = first_id.get_value().is_some() && first != first_id.get_value();
        // Newer than what was last at the bottom (a deletion is not news).
        let appended = last_id.get_value().is_some_and(|before| last.is_some_and(|now| now > before));
        // The reader's own message (being sent, or back from the server) takes them down to it.
        let own = sending > pending_count.get_value() || (appended && last_mine);
        first_id.set_value(first);
        last_id.set_value(last);
        pending_count.set_value(sending);
        // Measured once the list has rendered the change: this effect may run before the list
        // does, and the heights it needs are only right afterwards.
        let jumped = jumped.try_update_untracked(std::mem::take).unwrap_or_default();
        let change = Adjust { prepended: prepended && !jumped, own: own || jumped, appended };
        let scheduled = adjusting.try_update_value(|waiting| match waiting {
            Some(waiting) => {
                waiting.merge(change);
                true
            }
            None => {
                *waiting = Some(change);
                false
            }
        });
        if scheduled != Some(false) {
            return;
        }
        request_animation_frame(move || {
            // The page may have gone while the frame waited (a hidden tab waits long).
            let (Some(Some(change)), Some(from)) =
                (adjusting.try_update_value(Option::take), from_bottom.try_get_value())
            else {
                return;
            };
            if change.prepended {
                el.set_scroll_top(el.scroll_height() - from);
            } else if has_newer.get_untracked() {
                // Reading forward through older history: what loads below waits there.
            } else if change.own || at_bottom(&el) {
                el.set_scroll_top(el.scroll_height());
                unseen.try_set(false);
            } else if change.appended {
                unseen.try_set(true);
            }
            from_bottom.set_value(el.scroll_height() - el.scroll_top());
            report_read(&el);
        });
    });
    let to_bottom = move || {
        if let Some(el) = log.get_untracked() {
            el.set_scroll_top(el.scroll_height());
            // The button goes away: keep keyboard focus in the conversation, not lost on the page.
            let _ = el.focus();
            from_bottom.set_value(el.scroll_height() - el.scroll_top());
            report_read(&el);
        }
        unseen.set(false);
    };
    let on_scroll = move |_| {
        if let Some(el) = log.get_untracked() {
            from_bottom.set_value(el.scroll_height() - el.scroll_top());
            if at_bottom(&el) {
                if unseen.get_untracked() {
                    unseen.set(false);
                }
                report_read(&el);
            }
            if el.scroll_top() < 80 && has_older.get_untracked() {
                load_older.run(());
            }
            if has_newer.get_untracked() && from_bottom.get_value() <= el.client_height() + 80 {
                read_forward.run(false);
            }
        }
    };
    view! {
        <div class="log-frame">
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
            {move || (messages.with(Vec::is_empty) && pending.with(Vec::is_empty)).then(|| view! {
                <p class="empty">"No messages yet. Say hello!"</p>
            })}
            <For
                each=move || { let zone = zone.get(); messages.with(|list| rows(list, zone)) }
                key=|row| {
                    // What the quote shows, not its version: a reaction to the original changes
                    // no reply.
                    let quote = row.message.reply.as_ref().map(|quote| (quote.deleted, quote.excerpt.clone()));
                    (row.message.id, row.message.version, quote, row.continued, row.day.clone())
                }
                let:row
            >
                {
                let Row { message, continued, day } = row;
                let id = message.id;
                let mine = message.author == me;
                let live = !message.deleted;
                let text = if live {
                    let (room, body) = (room.clone(), message.body.clone());
                    // Only this message's rows re-render when editing moves to or from it.
                    let open = Memo::new(move |_| editing.get() == Some(id));
                    (move || if open.get() {
                        view! { <MessageEditor room=room.clone() id body=body.clone() editing text=draft/> }.into_any()
                    } else {
                        message_body(&body).into_any()
                    }).into_any()
                } else {
                    view! { <p class="body deleted">"Message deleted"</p> }.into_any()
                };
                let edited = (live && message.edited).then(|| view! { <EditHistory room=room.clone() id/> });
                let own_actions = (live && mine).then(|| {
                    let body = message.body.clone();
                    view! {
                        <button type="button" class="action" on:click=move |_| {
                            draft.set(body.clone());
                            editing.set(Some(id));
                        }>"Edit"</button>
                    }
                });
                let delete_action = (live && (mine || moderator)).then(|| view! {
                    <button type="button" class="action" on:click=ask_to_delete(id)>"Delete"</button>
                });
                let delete = delete.clone();
                let react = react(id);
                let reactions = (!message.reactions.is_empty()).then(|| view! {
                    <Reactions reactions=message.reactions.clone() me=me.clone() react/>
                });
                let react_action = live.then(|| view! {
                    <button
                        type="button"
                        class="action add-reaction"
                        aria-expanded=move || if picking.get() == Some(id) { "true" } else { "false" }
                        on:click=move |_| {
                            typed_emoji.set(String::new());
                            picking.update(|open| *open = if *open == Some(id) { None } else { Some(id) });
                        }
                    >"Add reaction"</button>
                });
                let pin_room = room.clone();
                let pinned = message.pinned;
                let pin_action = live.then(|| view! {
                    <button type="button" class="action pin-action" on:click=move |_| {
                        if online() {
                            socket.pin(&pin_room, id, !pinned);
                            expect_change(id, Refocus::Pin);
                        } else {
                            action_status.set("You are offline: the pin did not change.".to_owned());
                        }
                    }>{if pinned { "Unpin" } else { "Pin" }}</button>
                });
                let pinned_marker = (live && pinned).then(|| view! { <span class="pinned-marker">"Pinned"</span> });
                let quote = message.reply.clone().filter(|_| live).map(|quote| reply_quote(quote, &room, highlighted));
                let reply_action = live.then(|| {
                    let quote = ReplyQuote::of(&message);
                    view! {
                        <button type="button" class="action" on:click=move |_| {
                            replying.set(Some(quote.clone()));
                            focus_composer();
                        }>"Reply"</button>
                    }
                });
                let picker = move || (picking.get() == Some(id)).then(|| {
                    let close = Callback::new(move |()| {
                        picking.set(None);
                        request_animation_frame(move || focus_in_message(log, id, &Refocus::AddReaction));
                    });
                    view! { <ReactionPicker choose=Callback::new(move |emoji| react.run((emoji, true))) close typed=typed_emoji/> }
                });
                if refocus.with_value(|to| to.as_ref().is_some_and(|(at, _)| *at == id)) {
                    if let Some((_, to)) = refocus.try_update_value(Option::take).flatten() {
                        request_animation_frame(move || focus_in_message(log, id, &to));
                    }
                }
                let mentions_me = live && message.mentions.contains(&me);
                let confirm = move || (confirming.get() == Some(id)).then(|| view! {
                    <div class="confirm" role="alertdialog" aria-label="Delete this message?">
                        <span>"Delete this message for everyone?"</span>
                        <button type="button" class="danger" on:click=delete(id)>"Delete message"</button>
                        <button type="button" node_ref=keep_button on:click=move |_| confirming.set(None)>"Cancel"</button>
                    </div>
                });
                view! {
                {day.map(|day| view! { <p class="day"><time datetime=day.iso>{day.label}</time></p> })}
                <article
                    class="message"
                    class:mine=mine
                    class:continued=continued
                    class:busy=move || {
                        editing.get() == Some(id) || confirming.get() == Some(id) || picking.get() == Some(id)
                    }
                    class:linked=move || highlighted.get() == Some(id)
                    class:mentions-me=mentions_me
                    data-id=message.id
                    // Focusing a message (Tab, or a tap on a touch screen) shows its actions.
                    tabindex="0"
                >
                    <header class:visually-hidden=continued>
                        <span class="author">{message.author.clone()}</span>
                        <Timestamp ms=message.sent_at_ms/>
                    </header>
                    {pinned_marker}
                    {mentions_me.then(|| view! { <span class="visually-hidden">"Mentions you"</span> })}
                    {quote}
                    {text}
                    {edited}
                    {reactions}
                    <div class="message-actions" role="group" aria-label="Message actions">
                        {reply_action}
                        <button type="button" class="action" on:click=copy_link(id)>"Copy link"</button>
                        {own_actions}
                        {delete_action}
                        {react_action}
                        {pin_action}
                    </div>
                    {picker}
                    {confirm}
                </article>
                }
                }
            </For>
            <For each=move || pending.get() key=|p| (p.nonce.clone(), p.failed) let:waiting>
                <div class="message pending" class:failed=waiting.failed>
                    {message_body(&waiting.body)}
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
        // Outside the live region, which would read it out like a message.
        // History short of the present offers the way there; otherwise, news below.
        {move || (unseen.get() || has_newer.get()).then(|| {
            let present = has_newer.get();
            let go = move |_| if present { read_forward.run(true) } else { to_bottom() };
            view! {
                <button type="button" class="new-messages" on:click=go>
                    {if present { "Jump to present ↓" } else { "New messages ↓" }}
                </button>
            }
        })}
        <p class="action-status" role="status">{move || action_status.get()}</p>
        </div>
    }
}

/// Which control of a re-rendered message gets the keyboard back.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refocus {
    /// Its reaction with this emoji, or "Add reaction" once that reaction is gone.
    Reaction(String),
    AddReaction,
    /// "Pin", now "Unpin" (or the other way round).
    Pin,
}

/// Gives the keyboard back inside message `id` after it re-rendered or a picker closed. Only
/// when focus was lost with the old row (it is on the page's body): a reader who moved on
/// meanwhile stays where they are.
fn focus_in_message(log: NodeRef<html::Div>, id: i64, to: &Refocus) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let lost = document().active_element().is_none_or(|el| el.tag_name() == "BODY");
        let Some(article) = log
            .get_untracked()
            .and_then(|log| log.query_selector(&format!("article[data-id=\"{id}\"]")).ok().flatten())
        else {
            return;
        };
        if !lost {
            return;
        }
        let first = match to {
            // A reaction is one emoji (checked before it was sent or stored): never a quote or
            // a backslash that could break out of the selector.
            Refocus::Reaction(emoji) if !emoji.contains(['"', '\\']) => {
                Some(format!("button.reaction[data-emoji=\"{emoji}\"]"))
            }
            Refocus::Pin => Some("button.pin-action".to_owned()),
            _ => None,
        };
        let target = first
            .iter()
            .map(String::as_str)
            .chain(["button.add-reaction"])
            .find_map(|selector| article.query_selector(selector).ok().flatten());
        if let Some(target) = target.and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok()) {
            let _ = target.focus();
        }
    }
    let _ = (log, id, to);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: i64, author: &str, sent_at_ms: i64) -> MessageView {
        MessageView {
            id,
            room: "r".into(),
            author: author.into(),
            body: format!("m{id}"),
            sent_at_ms,
            ..MessageView::default()
        }
    }

    #[test]
    fn two_identical_messages_leave_sending_each_with_its_own_ack() {
        let mut pending = vec![Pending::new("n1".into(), "hi", None), Pending::new("n2".into(), "hi", None)];
        let mut shown = Vec::new();
        // The second one's ack comes first: only it is matched.
        acknowledged(&mut pending, &shown, "n2", 11);
        assert_eq!(pending.len(), 2, "still shown until its message arrives");
        shown.push(message(11, "me", 0));
        arrived(&mut pending, 11);
        assert_eq!(pending.iter().map(|p| p.nonce.as_str()).collect::<Vec<_>>(), vec!["n1"]);
        // A message already shown when its ack comes (a resend of a stored one) goes at once.
        shown.insert(0, message(10, "me", 0));
        acknowledged(&mut pending, &shown, "n1", 10);
        assert!(pending.is_empty());
    }

    #[test]
    fn at_the_deadline_an_unanswered_message_fails_and_an_acknowledged_one_stops_sending() {
        let mut pending =
            vec![Pending::new("n1".into(), "lost", None), Pending::new("n2".into(), "stored", None)];
        acknowledged(&mut pending, &[], "n2", 5);
        deadline_passed(&mut pending, "n1");
        deadline_passed(&mut pending, "n2");
        assert_eq!(pending.len(), 1);
        assert!(pending[0].failed && pending[0].nonce == "n1");
    }

    #[test]
    fn an_authors_messages_in_a_row_form_one_group_for_five_minutes() {
        let list = [
            message(1, "alice", 0),
            message(2, "alice", 60_000),
            message(3, "bob", 61_000),
            message(4, "alice", 62_000),
            message(5, "alice", 62_000 + GROUP_WITHIN_MS),
        ];
        let continued: Vec<bool> = rows(&list, None).into_iter().map(|row| row.continued).collect();
        assert_eq!(continued, vec![false, true, false, false, false]);
    }

    #[test]
    fn each_day_starts_with_a_divider_and_a_new_group() {
        let midnight = 1_764_028_800_000; // 2025-11-25T00:00:00Z
        let list = [message(1, "alice", midnight - 60_000), message(2, "alice", midnight + 60_000)];
        let days = |zone| -> Vec<(Option<String>, bool)> {
            rows(&list, zone).into_iter().map(|row| (row.day.map(|day| day.label), row.continued)).collect()
        };
        assert_eq!(days(None), vec![(None, false), (None, true)], "no zone, no dividers");
        assert_eq!(
            days(Some((0, midnight + 3_600_000))),
            vec![(Some("Yesterday".to_owned()), false), (Some("Today".to_owned()), false)]
        );
        // Two hours east of UTC both fall on the same local day.
        assert_eq!(
            days(Some((120, midnight + 3_600_000))),
            vec![(Some("Today".to_owned()), false), (None, true)]
        );
    }
}
