//! The live room list behind the rooms page and the room sidebar: online counts from the room
//! list feed (while the rooms page watches it), and, for the rooms the user has opened, unread
//! counts kept current by following those rooms' messages and the user's read markers (which
//! other devices move too).
//!
//! One per page that shows rooms (the room list, a room's sidebar), inside that page's island:
//! seeded with the list the server loaded for the page (so the server's render and the
//! browser's first one agree), then kept current by the page's socket.

use std::collections::HashMap;

use leptos::prelude::*;

use super::socket::ChatSocket;
use crate::{
    api::rooms::{list_rooms, my_rooms},
    shared::{
        protocol::ServerFrame,
        views::{NotifyLevel, ReadState, RoomDirectory, RoomQuery, RoomSummary},
    },
};

#[derive(Clone, Copy)]
pub struct LiveRooms {
    socket: ChatSocket,
    rooms: RwSignal<Vec<RoomSummary>>,
    me: StoredValue<String>,
    /// Per room, the other people's messages counted live as unread (at most CAP of them), by id
    /// and whether they mention the user: what a marker or list computed before they arrived does
    /// not include.
    counted: StoredValue<HashMap<String, Vec<Counted>>>,
    /// The room on screen, whose messages need no notification.
    current: StoredValue<Option<String>>,
    listening: StoredValue<bool>,
    /// Which rooms the list holds (`RoomDirectory::query`), and whether more follow its page.
    query: StoredValue<Option<RoomQuery>>,
    has_more: StoredValue<bool>,
    /// Rooms a `Read` frame brought into the user's rooms since the last seed: a list fetched
    /// before their markers were written lacks them, and must not drop them.
    joined: StoredValue<Vec<String>>,
}

pub fn use_live_rooms() -> LiveRooms {
    expect_context::<LiveRooms>()
}

impl LiveRooms {
    pub fn provide(socket: ChatSocket) -> Self {
        let live = LiveRooms {
            socket,
            rooms: RwSignal::new(Vec::new()),
            me: StoredValue::new(String::new()),
            counted: StoredValue::new(HashMap::new()),
            current: StoredValue::new(None),
            listening: StoredValue::new(false),
            query: StoredValue::new(None),
            has_more: StoredValue::new(false),
            joined: StoredValue::new(Vec::new()),
        };
        provide_context(live);
        live
    }

    /// The rooms, alphabetical, as they are now.
    pub fn rooms(&self) -> ReadSignal<Vec<RoomSummary>> {
        self.rooms.read_only()
    }

    /// Takes a freshly loaded list, keeping what live frames added since it was counted.
    pub fn seed(&self, directory: RoomDirectory) {
        let RoomDirectory { me, rooms: mut fresh, query, has_more } = directory;
        self.query.set_value(query);
        self.has_more.set_value(has_more);
        if self.me.with_value(|known| *known != me) {
            self.forget();
            self.me.set_value(me);
        }
        self.counted.update_value(|counted| {
            for summary in &mut fresh {
                if let Some(read) = summary.read.as_mut() {
                    let known = self.rooms.with_untracked(|rooms| {
                        rooms.iter().find(|known| known.name == summary.name).and_then(|known| known.read)
                    });
                    let mut merged = known.unwrap_or(*read);
                    let ids = counted.entry(summary.name.clone()).or_default();
                    take_marker(&mut merged, ids, *read);
                    *read = merged;
                }
            }
        });
        self.keep_joined(&mut fresh);
        self.rooms.set(fresh);
        self.follow_members();
        self.listen();
    }

    /// Puts back the rooms joined live that a list counted before their markers lacks, each in
    /// its alphabetical place (if it belongs on the page the list shows).
    fn keep_joined(&self, fresh: &mut Vec<RoomSummary>) {
        let joined = self.joined.with_value(Vec::clone);
        self.joined.set_value(Vec::new());
        let query = self.query.get_value();
        for room in joined {
            if fresh.iter().any(|summary| summary.name == room)
                || query.as_ref().is_some_and(|q| !q.matches(&room))
            {
                continue;
            }
            let known =
                self.rooms.with_untracked(|rooms| rooms.iter().find(|summary| summary.name == room).cloned());
            if let Some(summary) = known {
                let key = room.to_ascii_lowercase();
                let at = fresh.partition_point(|other| other.name.to_ascii_lowercase() < key);
                fresh.insert(at, summary);
            }
        }
    }

    /// Another user's list replaces this one: nothing of the last one's counts carries over.
    fn forget(&self) {
        self.me.set_value(String::new());
        self.counted.update_value(HashMap::clear);
        self.joined.set_value(Vec::new());
        self.rooms.set(Vec::new());
    }

    /// What the user is told about `room` (the default for a room not among theirs).
    pub fn notify_level(&self, room: &str) -> NotifyLevel {
        self.rooms.with_untracked(|list| level_in(list, room))
    }

    /// The user chose `notify` for `room` here: it holds at once (the server's `read` frame
    /// confirms it, on every device).
    pub fn choose_level(&self, room: &str, notify: NotifyLevel) {
        self.rooms.update(|list| {
            if let Some(read) = read_state(list, room) {
                read.notify = notify;
            }
        });
    }

    /// Which room is on screen (`None` when none is).
    pub fn set_current(&self, room: Option<String>) {
        self.current.set_value(room);
    }

    fn follow_members(&self) {
        let members: Vec<String> = self.rooms.with_untracked(|rooms| {
            rooms
                .iter()
                .filter(|summary| summary.read.is_some())
                .map(|summary| summary.name.clone())
                .collect()
        });
        self.socket.follow(members);
    }

    fn listen(&self) {
        if self.listening.get_value() {
            return;
        }
        self.listening.set_value(true);
        let live = *self;
        // Lives as long as the page: never removed.
        self.socket.on_frame(move |frame| live.on_frame(frame));
    }

    fn on_frame(&self, frame: &ServerFrame) {
        match frame {
            ServerFrame::RoomActivity { room, online } => self.rooms.update(|list| {
                if let Some(summary) = self.entry(list, room) {
                    summary.online = *online;
                }
            }),
            ServerFrame::RoomGone { room, .. } => {
                self.rooms.update(|list| list.retain(|summary| &summary.name != room));
                self.counted.update_value(|counted| {
                    counted.remove(room);
                });
                self.joined.update_value(|joined| joined.retain(|name| name != room));
            }
            ServerFrame::Message { message } => {
                let (mine, mentioned) =
                    self.me.with_value(|me| (*me == message.author, message.mentions.contains(me)));
                let mut news = false;
                let mut notify = NotifyLevel::All;
                self.counted.update_value(|counted| {
                    self.rooms.update(|list| {
                        let Some(read) = read_state(list, &message.room) else { return };
                        notify = read.notify;
                        news = count_message(
                            read,
                            counted.entry(message.room.clone()).or_default(),
                            Counted { id: message.id, mentioned },
                            mine,
                        );
                    })
                });
                #[cfg(feature = "hydrate")]
                if news
                    && notify.notifies(mentioned)
                    && self.current.with_value(|current| current.as_deref() != Some(message.room.as_str()))
                {
                    super::attention::notify(&message.room, &message.author, &message.body);
                }
                let _ = (news, notify);
            }
            ServerFrame::MessageDeleted { room, id } => self.counted.update_value(|counted| {
                let Some(ids) = counted.get_mut(room) else { return };
                if let Some(at) = ids.iter().position(|counted| counted.id == *id) {
                    let gone = ids.remove(at);
                    self.rooms.update(|list| {
                        if let Some(read) = read_state(list, room) {
                            read.unread = read.unread.saturating_sub(1);
                            read.mentions = read.mentions.saturating_sub(u32::from(gone.mentioned));
                        }
                    });
                }
            }),
            ServerFrame::Read { room, read } => {
                let mut joined = false;
                self.counted.update_value(|counted| {
                    self.rooms.update(|list| {
                        // The room may be new to this list (made since it loaded, opened on some
                        // device), or opened for the first time: either way it joins the user's rooms.
                        let Some(summary) = self.entry(list, room) else { return };
                        joined = summary.read.is_none();
                        take_marker(
                            summary.read.get_or_insert(*read),
                            counted.entry(room.clone()).or_default(),
                            *read,
                        );
                    })
                });
                if joined {
                    self.joined.update_value(|list| list.push(room.clone()));
                    self.follow_members();
                }
            }
            // A (re)connection: counts may have changed unseen. Pages seeded this before, so a
            // fresh list only refreshes it.
            ServerFrame::Ready { .. } => {
                let live = *self;
                let query = self.query.get_value();
                leptos::task::spawn_local(async move {
                    let fresh = match query {
                        Some(RoomQuery { filter, page }) => list_rooms(filter, page).await,
                        None => my_rooms().await,
                    };
                    if let Ok(directory) = fresh {
                        live.seed(directory);
                    }
                });
            }
            _ => {}
        }
    }
}

impl LiveRooms {
    /// A room's entry in the list, added in alphabetical place (nobody online, never opened) if
    /// the list did not have it yet and it belongs there; `None` if it belongs on another page.
    fn entry<'a>(&self, list: &'a mut Vec<RoomSummary>, room: &str) -> Option<&'a mut RoomSummary> {
        // Found by name, not by binary search: the database's collation may order names otherwise.
        let at = match list.iter().position(|summary| summary.name == room) {
            Some(at) => at,
            None => {
                let shown = self
                    .query
                    .with_value(|query| belongs(query.as_ref(), self.has_more.get_value(), list, room));
                if !shown {
                    return None;
                }
                let key = room.to_ascii_lowercase();
                let at = list.partition_point(|summary| summary.name.to_ascii_lowercase() < key);
                list.insert(at, RoomSummary { name: room.to_owned(), online: 0, read: None });
                at
            }
        };
        list.get_mut(at)
    }
}

/// Whether a room new to the list is listed on the page it shows: it matches the filter and
/// sorts within the page (before its first room only on the first page, after its last only on
/// the last), in the server's order, alphabetical ignoring case. The user's own rooms (`query`
/// is `None`) take every room they open.
fn belongs(query: Option<&RoomQuery>, has_more: bool, list: &[RoomSummary], room: &str) -> bool {
    let Some(query) = query else { return true };
    if !query.matches(room) {
        return false;
    }
    let key = room.to_ascii_lowercase();
    let after_first = list.first().is_none_or(|first| first.name.to_ascii_lowercase() <= key);
    let before_last = list.last().is_none_or(|last| key <= last.name.to_ascii_lowercase());
    (after_first || query.page == 0) && (before_last || !has_more)
}

/// What the user is told about `room`, as `list` says.
pub fn level_in(list: &[RoomSummary], room: &str) -> NotifyLevel {
    list.iter()
        .find(|summary| summary.name == room)
        .and_then(|summary| summary.read)
        .unwrap_or_default()
        .notify
}

/// The reader's state in one of their rooms (`None` for a room they never opened).
fn read_state<'a>(list: &'a mut [RoomSummary], room: &str) -> Option<&'a mut ReadState> {
    list.iter_mut().find(|summary| summary.name == room).and_then(|summary| summary.read.as_mut())
}

/// A message counted live as unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counted {
    id: i64,
    /// It mentions the reader.
    mentioned: bool,
}

/// Counts a live message into a room's state; true if it is a new unread one. `others`: the
/// other people's messages counted so far.
fn count_message(read: &mut ReadState, others: &mut Vec<Counted>, message: Counted, mine: bool) -> bool {
    let id = message.id;
    if id <= read.newest {
        // Counted already (by the server's count or an earlier frame).
        return false;
    }
    read.newest = id;
    if mine {
        // Writing in a room means having read it up to there.
        read.last_read = id;
        read.unread = 0;
        read.mentions = 0;
        others.clear();
        return false;
    }
    if id <= read.last_read {
        return false;
    }
    read.unread = (read.unread + 1).min(ReadState::CAP);
    if message.mentioned {
        read.mentions = (read.mentions + 1).min(ReadState::CAP);
    }
    others.push(message);
    if others.len() > ReadState::CAP as usize {
        others.remove(0);
    }
    true
}

/// Takes a marker (or list entry) from the server: it counted messages up to `marker.newest`;
/// whatever came in live after that is added on top. A marker behind the one known (an older
/// answer overtaken by a newer one) changes nothing but what is known to exist.
fn take_marker(read: &mut ReadState, others: &mut Vec<Counted>, marker: ReadState) {
    // The level is the server's whatever the marker: it may have changed on another device.
    read.notify = marker.notify;
    if marker.last_read < read.last_read {
        read.newest = read.newest.max(marker.newest);
        return;
    }
    others.retain(|counted| counted.id > marker.last_read);
    let later = || others.iter().filter(|counted| counted.id > marker.newest);
    read.last_read = marker.last_read;
    read.unread = (marker.unread + later().count() as u32).min(ReadState::CAP);
    read.mentions =
        (marker.mentions + later().filter(|counted| counted.mentioned).count() as u32).min(ReadState::CAP);
    read.newest = read.newest.max(marker.newest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(id: i64) -> Counted {
        Counted { id, mentioned: false }
    }

    #[test]
    fn live_messages_count_once_and_ones_own_clear_the_count() {
        let mut read =
            ReadState { last_read: 10, unread: 2, newest: 12, mentions: 1, ..ReadState::default() };
        let mut others = Vec::new();
        assert!(!count_message(&mut read, &mut others, plain(12), false), "already counted by the server");
        assert!(count_message(&mut read, &mut others, plain(13), false));
        assert!(!count_message(&mut read, &mut others, plain(13), false), "a message counts once");
        assert!(count_message(&mut read, &mut others, Counted { id: 14, mentioned: true }, false));
        assert_eq!((read.unread, read.mentions), (4, 2));
        count_message(&mut read, &mut others, plain(15), true);
        assert_eq!((read.unread, read.mentions, read.last_read), (0, 0, 15));
    }

    #[test]
    fn a_marker_counted_before_a_live_message_keeps_that_message_unread() {
        // Read up to 20 on another device; the server counted up to 20, then 21 arrived here
        // before the marker did.
        let mut read =
            ReadState { last_read: 10, unread: 10, newest: 20, mentions: 0, ..ReadState::default() };
        let mut others = (11..=20).map(plain).collect::<Vec<_>>();
        count_message(&mut read, &mut others, Counted { id: 21, mentioned: true }, false);
        take_marker(
            &mut read,
            &mut others,
            ReadState { last_read: 20, unread: 0, newest: 20, mentions: 0, ..ReadState::default() },
        );
        assert_eq!((read.last_read, read.unread, read.newest, read.mentions), (20, 1, 21, 1));
        assert_eq!(others, vec![Counted { id: 21, mentioned: true }]);
        // An older marker arriving late changes nothing.
        take_marker(
            &mut read,
            &mut others,
            ReadState { last_read: 15, unread: 5, newest: 20, mentions: 0, ..ReadState::default() },
        );
        assert_eq!((read.last_read, read.unread), (20, 1));
    }

    #[test]
    fn a_new_room_shows_only_on_the_page_it_belongs_to() {
        let list: Vec<RoomSummary> = ["b", "c", "d"]
            .into_iter()
            .map(|name| RoomSummary { name: name.into(), online: 0, read: None })
            .collect();
        let page = |filter: &str, page| Some(RoomQuery { filter: filter.into(), page });
        assert!(belongs(None, false, &list, "zzz"), "the user's own rooms take any room");
        assert!(belongs(page("", 0).as_ref(), true, &list, "a"), "before the first, on the first page");
        assert!(!belongs(page("", 1).as_ref(), true, &list, "a"), "it sorts onto an earlier page");
        assert!(belongs(page("", 1).as_ref(), true, &list, "c2"), "within the page");
        assert!(!belongs(page("", 1).as_ref(), true, &list, "e"), "after the last, with more pages");
        assert!(belongs(page("", 1).as_ref(), false, &list, "e"), "after the last, on the last page");
        assert!(!belongs(page("x", 0).as_ref(), false, &list, "c2"), "not matching the filter");
        assert!(belongs(page("X", 0).as_ref(), false, &[], "box"), "the filter ignores case");
        assert!(belongs(page("", 1).as_ref(), true, &list, "C3"), "so does the order");
    }

    #[test]
    fn the_count_stops_at_the_cap() {
        let mut read =
            ReadState { last_read: 0, unread: 99, newest: 99, mentions: 0, ..ReadState::default() };
        let mut others = Vec::new();
        count_message(&mut read, &mut others, plain(100), false);
        count_message(&mut read, &mut others, plain(101), false);
        assert_eq!(read.badge(), "99+");
    }
}
