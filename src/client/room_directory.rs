//! The live room list behind the rooms page and the room sidebar: online counts from the room
//! list feed, and, for the rooms the user has opened, unread counts kept current by following
//! those rooms' messages and the user's read markers (which other devices move too).

use leptos::prelude::*;

use super::socket::use_socket;
use crate::{
    api::rooms::{list_rooms, RoomDirectory},
    shared::{
        protocol::ServerFrame,
        views::RoomSummary,
    },
};

/// Keeps `initial` live for as long as the calling component lives. `current`: the room the
/// user is looking at, whose messages they see arrive (so it raises no notification).
pub fn use_room_directory(initial: RoomDirectory, current: Option<String>) -> RwSignal<Vec<RoomSummary>> {
    let RoomDirectory { me, rooms: initial } = initial;
    let rooms = RwSignal::new(initial);
    let socket = use_socket();
    // What this component follows, to give back when it goes.
    let followed = StoredValue::new(Vec::<String>::new());
    let follow_members = move || {
        let members: Vec<String> = rooms.with_untracked(|list| {
            list.iter().filter(|summary| summary.read.is_some()).map(|summary| summary.name.clone()).collect()
        });
        for room in members {
            if !followed.with_value(|list| list.contains(&room)) {
                socket.follow(&room);
                followed.update_value(|list| list.push(room));
            }
        }
    };
    follow_members();

    let listener = socket.on_frame(move |frame| match frame {
        ServerFrame::RoomActivity { room, online } => rooms.update(|list| {
            match list.iter_mut().find(|summary| &summary.name == room) {
                Some(summary) => summary.online = *online,
                None => {
                    let at = list.partition_point(|summary| summary.name < *room);
                    list.insert(at, RoomSummary { name: room.clone(), online: *online, read: None });
                }
            }
        }),
        ServerFrame::RoomDeleted { room } => rooms.update(|list| list.retain(|summary| &summary.name != room)),
        ServerFrame::Message { message } => {
            let mine = message.author == me;
            let mut news = false;
            rooms.update(|list| {
                if let Some(read) = list.iter_mut().find(|s| s.name == message.room).and_then(|s| s.read.as_mut()) {
                    let before = read.unread;
                    read.count(message.id, mine);
                    news = read.unread > before;
                }
            });
            #[cfg(feature = "hydrate")]
            if news && current.as_deref() != Some(message.room.as_str()) {
                super::attention::notify(&message.room, &message.author, &message.body);
            }
            let _ = (news, &current);
        }
        ServerFrame::Read { room, read } => {
            let joined = rooms.try_update(|list| match list.iter_mut().find(|summary| &summary.name == room) {
                Some(summary) => match summary.read.as_mut() {
                    Some(state) => {
                        state.advance(*read);
                        false
                    }
                    None => {
                        summary.read = Some(*read);
                        true
                    }
                },
                None => false,
            });
            // A room just opened here or on another device joins the user's rooms.
            if joined == Some(true) {
                follow_members();
            }
        }
        // A (re)connection: counts may have changed unseen, so take a fresh list; live updates
        // carry on from here (a message both the list and a live frame saw counts once: by id).
        ServerFrame::Ready { .. } => leptos::task::spawn_local(async move {
            if let Ok(directory) = list_rooms().await {
                rooms.set(directory.rooms);
                follow_members();
            }
        }),
        _ => {}
    });
    socket.watch_rooms();
    on_cleanup(move || {
        socket.off(listener);
        socket.unwatch_rooms();
        followed.with_value(|list| list.iter().for_each(|room| socket.unfollow(room)));
    });
    rooms
}
