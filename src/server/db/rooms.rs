//! Queries on rooms.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set, SqlErr,
};

use super::{
    contains_ignoring_case,
    entities::{
        messages::{self, Entity as Messages},
        rooms::{self, Entity as Rooms},
    },
    now_ms, Page,
};

pub type Room = rooms::Model;

pub async fn by_name(db: &impl ConnectionTrait, name: &str) -> Result<Option<Room>, DbErr> {
    Rooms::find().filter(rooms::Column::Name.eq(name)).one(db).await
}

/// The rooms among `names` that exist.
pub async fn by_names(db: &impl ConnectionTrait, names: &[String]) -> Result<Vec<Room>, DbErr> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    Rooms::find().filter(rooms::Column::Name.is_in(names.iter().cloned())).all(db).await
}

/// Opens a room, creating it on first use. The caller has validated the name.
pub async fn get_or_create(
    db: &impl ConnectionTrait,
    name: &str,
    created_by: i64,
) -> Result<(Room, bool), DbErr> {
    if let Some(room) = by_name(db, name).await? {
        return Ok((room, false));
    }
    let row = rooms::ActiveModel {
        name: Set(name.to_owned()),
        created_by: Set(Some(created_by)),
        created_at: Set(now_ms()),
        last_seq: Set(0),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(room) => Ok((room, true)),
        // Someone else created it between our lookup and our insert: theirs is as good as ours.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            let room = by_name(db, name).await?.ok_or(err)?;
            Ok((room, false))
        }
        Err(err) => Err(err),
    }
}

/// Every room, alphabetical.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Room>, DbErr> {
    Rooms::find().order_by_asc(rooms::Column::Name).all(db).await
}

/// Rooms for the admin screen with their message counts.
pub async fn search_with_counts(
    db: &impl ConnectionTrait,
    term: &str,
    page: u64,
    per_page: u64,
) -> Result<Page<(Room, u64)>, DbErr> {
    let mut query = Rooms::find().order_by_asc(rooms::Column::Name);
    let term = term.trim();
    if !term.is_empty() {
        query = query.filter(contains_ignoring_case((rooms::Entity, rooms::Column::Name), term));
    }
    let rooms = query.offset(page.saturating_mul(per_page)).limit(per_page + 1).all(db).await?;
    let ids: Vec<i64> = rooms.iter().map(|room| room.id).collect();
    let counts: HashMap<i64, i64> = Messages::find()
        .select_only()
        .column(messages::Column::RoomId)
        .column_as(messages::Column::Id.count(), "count")
        .filter(messages::Column::RoomId.is_in(ids))
        .group_by(messages::Column::RoomId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rows = rooms
        .into_iter()
        .map(|room| {
            let count = counts.get(&room.id).copied().unwrap_or(0).max(0) as u64;
            (room, count)
        })
        .collect();
    Ok(Page::from_overfetch(rows, per_page))
}

/// Deletes a room and (by cascade) its messages. Returns false when there was no such room.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let result = Rooms::delete_by_id(id).exec(db).await?;
    Ok(result.rows_affected > 0)
}
