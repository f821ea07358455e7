//! Queries on rooms.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr, TransactionSession, TransactionTrait,
};

use super::{
    contains_ignoring_case,
    entities::{
        messages::{self, Entity as Messages},
        room_members::{self, Entity as RoomMembers},
        rooms::{self, Entity as Rooms},
    },
    members, now_ms, Page,
};
use crate::shared::membership::Role;

pub type Room = rooms::Model;

/// Room names are unique ignoring case (like usernames): `LOWER(name)` is what the unique index
/// holds, so this is what lookups compare, and the index serves them.
fn lower_name() -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, Func};
    Expr::expr(Func::lower(Expr::col((rooms::Entity, rooms::Column::Name))))
}

/// The room called `name`, whatever the case it is written in.
pub async fn by_name(db: &impl ConnectionTrait, name: &str) -> Result<Option<Room>, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    Rooms::find().filter(lower_name().eq(name.to_lowercase())).one(db).await
}

/// The rooms among `names` that exist (with their names as stored), private ones included: the
/// caller decides who may see them.
pub async fn by_names(db: &impl ConnectionTrait, names: &[String]) -> Result<Vec<Room>, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    Rooms::find().filter(lower_name().is_in(names.iter().map(|name| name.to_lowercase()))).all(db).await
}

/// Opens a public room, creating it on first use. The caller has validated the name.
pub async fn get_or_create<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    name: &str,
    created_by: i64,
) -> Result<(Room, bool), DbErr> {
    open(db, name, created_by, false).await
}

/// Opens a room, creating it (public or `private`) on first use, its creator its owner. The
/// caller has validated the name. True: it was created now.
pub async fn open<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    name: &str,
    created_by: i64,
    private: bool,
) -> Result<(Room, bool), DbErr> {
    if let Some(room) = by_name(db, name).await? {
        return Ok((room, false));
    }
    let row = rooms::ActiveModel {
        name: Set(name.to_owned()),
        created_by: Set(Some(created_by)),
        created_at: Set(now_ms()),
        last_seq: Set(0),
        private: Set(private),
        topic: Set(String::new()),
        ..Default::default()
    };
    // The room and its owner together: a private room is never without a member.
    let txn = db.begin().await?;
    match row.insert(&txn).await {
        Ok(room) => {
            members::add(&txn, room.id, created_by, Role::Owner).await?;
            txn.commit().await?;
            Ok((room, true))
        }
        // Someone else created it between our lookup and our insert: theirs is as good as ours.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            let room = by_name(db, name).await?.ok_or(err)?;
            Ok((room, false))
        }
        Err(err) => Err(err),
    }
}

/// Sets a room's topic (the caller has validated it).
pub async fn set_topic(db: &impl ConnectionTrait, id: i64, topic: &str) -> Result<(), DbErr> {
    set(db, id, rooms::Column::Topic, topic).await
}

/// Makes a room private or public.
pub async fn set_private(db: &impl ConnectionTrait, id: i64, private: bool) -> Result<(), DbErr> {
    set(db, id, rooms::Column::Private, private).await
}

async fn set(
    db: &impl ConnectionTrait,
    id: i64,
    column: rooms::Column,
    value: impl Into<sea_orm::Value>,
) -> Result<(), DbErr> {
    Rooms::update_many()
        .col_expr(column, sea_orm::sea_query::Expr::val(value))
        .filter(rooms::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// How many rooms `user` has created since `since_ms`.
pub async fn created_by_since(db: &impl ConnectionTrait, user: i64, since_ms: i64) -> Result<u64, DbErr> {
    Rooms::find()
        .filter(rooms::Column::CreatedBy.eq(user))
        .filter(rooms::Column::CreatedAt.gte(since_ms))
        .count(db)
        .await
}

/// The farthest page of the room list anyone can ask for (5 million rooms in): past it an offset
/// would only cost a scan, or overflow.
pub const LAST_PAGE: u64 = 100_000;

/// One page of the room list as `viewer` sees it, alphabetical ignoring case (the same order on every database, and
/// the one the browser keeps), optionally only names containing `filter` (ignoring case). The
/// unique index on `LOWER(name)` serves the order.
pub async fn page(
    db: &impl ConnectionTrait,
    viewer: i64,
    filter: &str,
    page: u64,
    per_page: u64,
) -> Result<Page<Room>, DbErr> {
    use sea_orm::{sea_query::Query, Condition};
    let page = page.min(LAST_PAGE);
    // Public rooms, and the private rooms the viewer is a member of.
    let theirs = Query::select()
        .column(room_members::Column::RoomId)
        .from(RoomMembers)
        .and_where(room_members::Column::UserId.eq(viewer))
        .to_owned();
    let visible =
        Condition::any().add(rooms::Column::Private.eq(false)).add(rooms::Column::Id.in_subquery(theirs));
    let mut query = Rooms::find().filter(visible).order_by(lower_name(), sea_orm::Order::Asc);
    let filter = filter.trim();
    if !filter.is_empty() {
        query = query.filter(contains_ignoring_case((rooms::Entity, rooms::Column::Name), filter));
    }
    let rooms = query.offset(page.saturating_mul(per_page)).limit(per_page + 1).all(db).await?;
    Ok(Page::from_overfetch(rooms, per_page))
}

/// The rooms with these ids, alphabetical ignoring case.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<Vec<Room>, DbErr> {
    Rooms::find()
        .filter(rooms::Column::Id.is_in(ids))
        .order_by(lower_name(), sea_orm::Order::Asc)
        .all(db)
        .await
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
