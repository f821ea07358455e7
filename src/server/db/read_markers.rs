//! Read markers: how far each user has read in each room they opened; a room's unread count is
//! the messages of others after the marker. Which rooms are "yours" is membership (`members`).

use std::collections::HashMap;

use sea_orm::{
    sea_query::{Expr, OnConflict, Query},
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};

use super::{
    entities::{
        message_mentions::{self, Entity as MessageMentions},
        messages::{self, Entity as Messages},
        read_markers::{self, Entity as ReadMarkers},
    },
    now_ms,
    rooms::Room,
};
use crate::shared::views::{NotifyLevel, ReadState};

/// Unread counts stop here (shown as "99+"): counting further would make a page load as slow
/// as the backlog is long, and nobody reads a count of 40,000.
pub const UNREAD_CAP: u32 = ReadState::CAP;

/// Moves a user's marker in a room forward to `upto` (never back, never past the room's newest
/// message, so a made-up id cannot hide messages still to come), creating it on the first read.
/// Writes only when the marker moves: a tab repeating where it is (every reconnect does) costs a
/// read, not a write beside the message writer. Returns where the marker is now and what is still
/// unread after it.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user_id: i64,
    room: &Room,
    upto: i64,
) -> Result<ReadState, DbErr> {
    let newest = newest_id(db, room.id).await?;
    let upto = upto.clamp(0, newest);
    let now = now_ms();
    let current =
        ReadMarkers::find_by_id((user_id, room.id)).one(db).await?.map(|marker| marker.last_read_id);
    let last_read = match current {
        Some(at) if at >= upto => at,
        Some(_) => {
            let moved = ReadMarkers::update_many()
                .col_expr(read_markers::Column::LastReadId, Expr::val(upto))
                .col_expr(read_markers::Column::UpdatedAt, Expr::val(now))
                .filter(read_markers::Column::UserId.eq(user_id))
                .filter(read_markers::Column::RoomId.eq(room.id))
                .filter(read_markers::Column::LastReadId.lt(upto))
                .exec(db)
                .await?;
            if moved.rows_affected > 0 {
                upto
            } else {
                // Another device moved it further meanwhile.
                further(db, user_id, room.id, upto).await?
            }
        }
        None => {
            let first = read_markers::ActiveModel {
                user_id: Set(user_id),
                room_id: Set(room.id),
                last_read_id: Set(upto),
                updated_at: Set(now),
                notify: Set(0),
            };
            ReadMarkers::insert(first)
                .on_conflict(
                    OnConflict::columns([read_markers::Column::UserId, read_markers::Column::RoomId])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
            // Another device may have made it first, further along.
            further(db, user_id, room.id, upto).await?
        }
    };
    // Read after the write: a level another device set meanwhile is the one every device is told.
    let notify = ReadMarkers::find_by_id((user_id, room.id))
        .one(db)
        .await?
        .map_or(NotifyLevel::All, |marker| level(marker.notify));
    state_at(db, room.id, last_read, newest, user_id, notify).await
}

/// Sets what a user is told about a room, making it one of theirs first if it was not (read up
/// to its newest message: they are looking at it). Returns their state there now.
pub async fn set_notify(
    db: &impl ConnectionTrait,
    user_id: i64,
    room: &Room,
    notify: NotifyLevel,
) -> Result<ReadState, DbErr> {
    let newest = newest_id(db, room.id).await?;
    let first = read_markers::ActiveModel {
        user_id: Set(user_id),
        room_id: Set(room.id),
        last_read_id: Set(newest),
        updated_at: Set(now_ms()),
        notify: Set(i16::from(notify.number())),
    };
    ReadMarkers::insert(first)
        .on_conflict(
            OnConflict::columns([read_markers::Column::UserId, read_markers::Column::RoomId])
                .update_column(read_markers::Column::Notify)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let last_read = further(db, user_id, room.id, newest).await?;
    state_at(db, room.id, last_read, newest, user_id, notify).await
}

/// A stored level (anything unknown, say from a newer version's rows, is the default).
fn level(stored: i16) -> NotifyLevel {
    NotifyLevel::from_number(u8::try_from(stored).unwrap_or_default())
}

/// Where a marker stands after a write that may have lost a race: the stored one, or `upto`.
async fn further(db: &impl ConnectionTrait, user_id: i64, room_id: i64, upto: i64) -> Result<i64, DbErr> {
    Ok(ReadMarkers::find_by_id((user_id, room_id)).one(db).await?.map_or(upto, |marker| marker.last_read_id))
}

/// The user's read state in those of `rooms` they have opened (a page of the room list).
pub async fn for_user_in(
    db: &impl ConnectionTrait,
    user_id: i64,
    rooms: &[i64],
) -> Result<HashMap<i64, ReadState>, DbErr> {
    let markers = ReadMarkers::find()
        .filter(read_markers::Column::UserId.eq(user_id))
        .filter(read_markers::Column::RoomId.is_in(rooms.iter().copied()));
    states(db, markers).await
}

/// The user's read state in each of `rooms` (theirs): where they have no marker yet (a room they
/// just created, or were added to), everything so far counts as read.
pub async fn for_rooms_of(
    db: &impl ConnectionTrait,
    user_id: i64,
    rooms: &[i64],
) -> Result<HashMap<i64, ReadState>, DbErr> {
    let mut states = for_user_in(db, user_id, rooms).await?;
    for &room_id in rooms {
        if let std::collections::hash_map::Entry::Vacant(slot) = states.entry(room_id) {
            let newest = newest_id(db, room_id).await?;
            let fresh = ReadState {
                last_read: newest,
                unread: 0,
                newest,
                mentions: 0,
                notify: NotifyLevel::default(),
            };
            slot.insert(fresh);
        }
    }
    Ok(states)
}

async fn states(
    db: &impl ConnectionTrait,
    markers: sea_orm::Select<ReadMarkers>,
) -> Result<HashMap<i64, ReadState>, DbErr> {
    let markers = markers.all(db).await?;
    let mut states = HashMap::with_capacity(markers.len());
    // One small indexed query per room: a user opens tens of rooms, and each query touches only
    // the index entries after the marker, at most UNREAD_CAP of them.
    for marker in markers {
        let newest = newest_id(db, marker.room_id).await?;
        states.insert(
            marker.room_id,
            state_at(db, marker.room_id, marker.last_read_id, newest, marker.user_id, level(marker.notify))
                .await?,
        );
    }
    Ok(states)
}

/// The id of a room's newest message (0 if it has none).
async fn newest_id(db: &impl ConnectionTrait, room_id: i64) -> Result<i64, DbErr> {
    let newest: Option<i64> = Messages::find()
        .select_only()
        .column(messages::Column::Id)
        .filter(messages::Column::RoomId.eq(room_id))
        .order_by_desc(messages::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(newest.unwrap_or(0))
}

/// A reader's state in a room with its marker at `last_read`: messages by others after it up to
/// `newest`, and those of them that mention the reader, each counted up to UNREAD_CAP. Bounded by the newest id read just before, so a message
/// stored meanwhile is left to its live frame (which the browser counts as newer than `newest`)
/// instead of being counted twice.
async fn state_at(
    db: &impl ConnectionTrait,
    room_id: i64,
    last_read: i64,
    newest: i64,
    reader: i64,
    notify: NotifyLevel,
) -> Result<ReadState, DbErr> {
    let capped = Messages::find()
        .select_only()
        .column(messages::Column::Id)
        .filter(messages::Column::RoomId.eq(room_id))
        .filter(messages::Column::Id.gt(last_read))
        .filter(messages::Column::Id.lte(newest))
        .filter(messages::Column::UserId.ne(reader))
        .limit(u64::from(UNREAD_CAP))
        .into_query();
    let unread = count_capped(db, capped).await?;
    let mentions = if unread == 0 {
        0
    } else {
        // The reader's mentions of themselves are not news.
        let mentioning = MessageMentions::find()
            .select_only()
            .column(message_mentions::Column::MessageId)
            .inner_join(Messages)
            .filter(message_mentions::Column::UserId.eq(reader))
            .filter(message_mentions::Column::RoomId.eq(room_id))
            .filter(message_mentions::Column::MessageId.gt(last_read))
            .filter(message_mentions::Column::MessageId.lte(newest))
            .filter(messages::Column::UserId.ne(reader))
            .limit(u64::from(UNREAD_CAP))
            .into_query();
        count_capped(db, mentioning).await?
    };
    Ok(ReadState { last_read, unread, newest, mentions, notify })
}

/// How many rows `capped` (limited to UNREAD_CAP) selects.
async fn count_capped(
    db: &impl ConnectionTrait,
    capped: sea_orm::sea_query::SelectStatement,
) -> Result<u32, DbErr> {
    let count =
        Query::select().expr_as(Expr::cust("COUNT(*)"), "counted").from_subquery(capped, "capped").to_owned();
    let counted: i64 = match db.query_one(&count).await? {
        Some(row) => row.try_get("", "counted")?,
        None => 0,
    };
    Ok(u32::try_from(counted).unwrap_or(UNREAD_CAP).min(UNREAD_CAP))
}
