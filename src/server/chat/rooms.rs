//! Rooms: finding, opening (creating on request), listing, a room's page, deleting.

use std::collections::HashMap;

use super::{error::Denied, policy, standing::Standing, Actor, Chat, ChatError};
use crate::{
    server::{
        db::{bans, changes, members, messages, now_ms, read_markers, rooms, rooms::Room},
        hub::ROOM_LIST_TOPIC,
    },
    shared::{
        membership::Role,
        moderation::Action,
        protocol::ServerFrame,
        room_page::RoomPageContent,
        validate,
        views::{HistoryPage, ReadState, RoomDirectory, RoomPageData, RoomQuery, RoomSummary},
    },
};

impl Chat {
    /// An existing room the actor may read, and where they stand in it.
    pub async fn room(&self, actor: &Actor, name: &str) -> Result<Standing, ChatError> {
        let name = validate::room_name(name)?;
        let room = rooms::by_name(&self.db, name).await?.ok_or(ChatError::NoSuchRoom)?;
        self.standing_in(actor, room).await
    }

    /// Where the actor stands in `room`, if they may read it.
    pub(super) async fn standing_in(&self, actor: &Actor, room: Room) -> Result<Standing, ChatError> {
        let found = members::standing_of(&self.db, room.id, actor.id).await?;
        let (role, muted_until) = (found.map(|(role, _)| role), found.and_then(|(_, until)| until));
        // Looked up for members too: a ban racing a join (the check, then the membership) can
        // leave someone both, and the ban must still hold. Once per request or joined room.
        let banned = bans::is_banned(&self.db, room.id, actor.id).await?;
        let standing = Standing { room, role, banned, muted_until };
        policy::may_read(actor, &standing)?;
        Ok(standing)
    }

    /// Going into a room (its page, a socket joining it): as [`Chat::room`], and opening a public
    /// room makes the actor a member of it (it stays in "Your rooms" until they leave).
    pub async fn enter(&self, actor: &Actor, name: &str) -> Result<Standing, ChatError> {
        let mut standing = self.room(actor, name).await?;
        if standing.role.is_none() && !standing.private {
            members::add(&self.db, standing.id, actor.id, Role::Member).await?;
            standing.role = members::role_of(&self.db, standing.id, actor.id).await?;
        }
        Ok(standing)
    }

    /// The rooms among `names` whose messages the actor may receive without joining them (a room
    /// list's unread counts): those that exist and that they may read, by the names they are
    /// stored under.
    pub async fn followable(&self, actor: &Actor, names: Vec<String>) -> Result<Vec<String>, ChatError> {
        // Public rooms they are not banned from, and the private rooms they are in (all, for an
        // administrator).
        let found = rooms::by_names(&self.db, &names).await?;
        if actor.is_admin {
            return Ok(found.into_iter().map(|room| room.name).collect());
        }
        let private: Vec<i64> = found.iter().filter(|room| room.private).map(|room| room.id).collect();
        let theirs = match private.is_empty() {
            true => Vec::new(),
            false => members::among(&self.db, actor.id, &private).await?,
        };
        let ids: Vec<i64> = found.iter().map(|room| room.id).collect();
        let banned = bans::among(&self.db, actor.id, &ids).await?;
        Ok(found
            .into_iter()
            .filter(|room| (!room.private || theirs.contains(&room.id)) && !banned.contains(&room.id))
            .map(|room| room.name)
            .collect())
    }

    /// The public rooms among `names` (room lists hear only their online counts).
    pub async fn public_rooms(&self, names: Vec<String>) -> Vec<String> {
        match rooms::by_names(&self.db, &names).await {
            Ok(found) => found.into_iter().filter(|room| !room.private).map(|room| room.name).collect(),
            Err(err) => {
                tracing::error!(error = %err, "listing public rooms failed");
                Vec::new()
            }
        }
    }

    /// Tells a room's members the actor is typing there.
    pub async fn typing(&self, actor: &Actor, room: &Standing) -> Result<(), ChatError> {
        policy::may_post(actor, room)?;
        let frame = ServerFrame::Typing { room: room.name.clone(), user: actor.username.clone() };
        self.hub.publish_transient(&room.name, &frame).await;
        Ok(())
    }

    /// A room the actor may read, created first (public, or `private`) if it does not exist yet
    /// (room lists already open show a new public room at once). Asking to create a room whose
    /// name another room has is refused, rather than opening that one instead: the asker chose
    /// "private" and would be posting in the open, or the name is of a private room they may not
    /// see.
    pub async fn open_room(&self, actor: &Actor, name: &str, private: bool) -> Result<Standing, ChatError> {
        let name = validate::room_name(name)?;
        let room = match rooms::by_name(&self.db, name).await? {
            Some(room) => {
                return match self.standing_in(actor, room).await {
                    // Asked for a private room, found a public one: not posting in the open.
                    Ok(standing) if private && !standing.private => Err(ChatError::RoomNameTaken),
                    Ok(standing) => self.enter(actor, &standing.name).await,
                    Err(ChatError::Denied(Denied::Hidden)) => Err(ChatError::RoomNameTaken),
                    Err(err) => Err(err),
                };
            }
            None => {
                policy::may_create_room(actor)?;
                let _one_at_a_time = self.creating.lock().await;
                self.within_hourly_rooms(actor).await?;
                let (room, created) = rooms::open(&self.db, name, actor.id, private).await?;
                if created && !room.private {
                    let frame = ServerFrame::RoomActivity { room: room.name.clone(), online: 0 };
                    self.hub.publish(ROOM_LIST_TOPIC, &frame).await;
                }
                room
            }
        };
        match self.standing_in(actor, room).await {
            // Created by someone else at the same moment, the other way.
            Err(ChatError::Denied(Denied::Hidden)) => Err(ChatError::RoomNameTaken),
            Ok(standing) if private && !standing.private => Err(ChatError::RoomNameTaken),
            Ok(standing) => self.enter(actor, &standing.name).await,
            Err(err) => Err(err),
        }
    }

    /// Anyone may create rooms, but not without end: `rooms_created_per_hour` each, counted from
    /// the rooms table (so it holds across restarts and instances). Administrators are exempt.
    async fn within_hourly_rooms(&self, actor: &Actor) -> Result<(), ChatError> {
        const HOUR_MS: i64 = 3_600_000;
        if actor.is_admin {
            return Ok(());
        }
        let per_hour = self.limits.rooms_created_per_hour;
        let created = rooms::created_by_since(&self.db, actor.id, now_ms() - HOUR_MS).await?;
        if created >= u64::from(per_hour) {
            return Err(ChatError::TooManyRooms { per_hour });
        }
        Ok(())
    }

    /// A page of the rooms the actor may read, with their online counts and, where the actor has
    /// read, their unread counts. A page, never every room: the list stays as fast with 100,000
    /// rooms as with ten.
    pub async fn directory(&self, actor: &Actor, query: RoomQuery) -> Result<RoomDirectory, ChatError> {
        let query = RoomQuery { page: query.page.min(rooms::LAST_PAGE), ..query };
        let page = rooms::page(&self.db, actor.id, &query.filter, query.page, self.limits.rooms_page).await?;
        let ids: Vec<i64> = page.items.iter().map(|room| room.id).collect();
        let read = read_markers::for_user_in(&self.db, actor.id, &ids).await?;
        let rooms = self.summaries(page.items, read).await;
        Ok(RoomDirectory { me: actor.username.clone(), rooms, query: Some(query), has_more: page.has_more })
    }

    /// The rooms the actor is a member of, most recently read or joined first (a room page's
    /// sidebar: a page of them at most, however many they are in), with their counts. A room
    /// they have not read yet (just created, or added to) is there too, with nothing unread.
    pub async fn my_rooms(&self, actor: &Actor) -> Result<RoomDirectory, ChatError> {
        let ids = members::recent_rooms(&self.db, actor.id, self.limits.rooms_page).await?;
        let read = read_markers::for_rooms_of(&self.db, actor.id, &ids).await?;
        let theirs = rooms::by_ids(&self.db, ids).await?;
        let rooms = self.summaries(theirs, read).await;
        Ok(RoomDirectory { me: actor.username.clone(), rooms, query: None, has_more: false })
    }

    /// Rooms with their counts. The callers pass only rooms the actor may see (public, or theirs).
    async fn summaries(&self, rooms: Vec<Room>, mut read: HashMap<i64, ReadState>) -> Vec<RoomSummary> {
        let counts = self.hub.online_counts().await;
        rooms
            .into_iter()
            .map(|room| RoomSummary {
                online: counts.get(&room.name).copied().unwrap_or(0),
                read: read.remove(&room.id),
                name: room.name,
            })
            .collect()
    }

    /// Everything a room's page shows on first load: its latest messages, or with `linked` (a
    /// link to a message) the messages around that one. Opening an address never creates a room
    /// (a link or an image elsewhere could): the page offers to, and creating is a POST.
    pub async fn room_page(
        &self,
        actor: &Actor,
        name: &str,
        linked: Option<i64>,
    ) -> Result<RoomPageContent, ChatError> {
        let room = self.enter(actor, name).await?;
        // Read before the history, so every change the history may not show is after it.
        let changes_seen = changes::latest(&self.db).await?;
        let per_side = self.limits.history_page / 2;
        let around = match linked {
            Some(id) => messages::around(&self.db, &room, id, per_side).await?,
            None => None,
        };
        let linked_missing = linked.is_some() && around.is_none();
        let (history, has_older, has_newer) = match around {
            Some(around) => (around.messages, around.has_older, around.has_newer),
            None => {
                let recent = messages::recent(&self.db, &room, self.limits.history_page).await?;
                (recent.items, recent.has_more, false)
            }
        };
        let linked = linked.filter(|_| !linked_missing);
        let online = self.hub.online(&room.name).await;
        let moderator = policy::moderates(actor, &room);
        let access = self.access(actor, &room).await?;
        let data = RoomPageData {
            name: room.room.name,
            me: actor.username.clone(),
            history,
            has_older,
            has_newer,
            linked,
            linked_missing,
            online,
            changes_seen,
            moderator,
        };
        Ok(RoomPageContent { data, access, origin: String::new() })
    }

    /// The page of a room's history just before message `before` (scrolling up).
    pub async fn older(&self, actor: &Actor, room: &str, before: i64) -> Result<HistoryPage, ChatError> {
        let room = self.room(actor, room).await?;
        let older = messages::before(&self.db, &room, before, self.limits.history_page).await?;
        Ok(HistoryPage { messages: older.items, has_more: older.has_more })
    }

    /// The page of a room's history just after message `after` (scrolling down from a linked
    /// message towards the present).
    pub async fn newer(&self, actor: &Actor, room: &str, after: i64) -> Result<HistoryPage, ChatError> {
        let room = self.room(actor, room).await?;
        let newer = messages::newer(&self.db, &room, after, self.limits.history_page).await?;
        Ok(HistoryPage { messages: newer.items, has_more: newer.has_more })
    }

    /// Sets a room's topic (empty clears it): its moderators and owner. Shown on the room's page
    /// from its next load.
    pub async fn set_topic(&self, actor: &Actor, name: &str, topic: &str) -> Result<(), ChatError> {
        let room = self.room(actor, name).await?;
        policy::may_set_topic(actor, &room)?;
        let topic = validate::topic(topic)?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        rooms::set_topic(&self.db, room.id, topic).await?;
        self.record(actor, room.id, Action::SetTopic, topic).await;
        Ok(())
    }

    /// Removes a room with its history; everyone in it is sent back to the room list.
    pub async fn delete_room(&self, actor: &Actor, name: &str) -> Result<(), ChatError> {
        let room = rooms::by_name(&self.db, name).await?;
        policy::may_delete_room(actor, room.as_ref())?;
        self.spend(actor, super::allowances::Kind::Action).await?;
        let room = room.ok_or(ChatError::NoSuchRoom)?;
        if !rooms::delete(&self.db, room.id).await? {
            return Err(ChatError::NoSuchRoom);
        }
        self.hub.close_room(&room.name, !room.private).await;
        Ok(())
    }
}
