//! Rooms' moderation logs.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::{
    entities::{
        moderation_log::{self, Entity as ModerationLog},
        users::{self, Entity as Users},
    },
    now_ms,
};
use crate::shared::moderation::{Action, LogEntry};

pub async fn record(
    db: &impl ConnectionTrait,
    room_id: i64,
    actor_id: i64,
    action: Action,
    target: &str,
) -> Result<(), DbErr> {
    let row = moderation_log::ActiveModel {
        room_id: Set(room_id),
        actor_id: Set(Some(actor_id)),
        action: Set(action.number()),
        target: Set(target.to_owned()),
        at: Set(now_ms()),
        ..Default::default()
    };
    ModerationLog::insert(row).exec_without_returning(db).await?;
    Ok(())
}

/// A room's latest `most` entries, newest first.
pub async fn recent(db: &impl ConnectionTrait, room_id: i64, most: u64) -> Result<Vec<LogEntry>, DbErr> {
    let rows: Vec<(Option<String>, i16, String, i64)> = ModerationLog::find()
        .select_only()
        .column(users::Column::Username)
        .column(moderation_log::Column::Action)
        .column(moderation_log::Column::Target)
        .column(moderation_log::Column::At)
        .left_join(Users)
        .filter(moderation_log::Column::RoomId.eq(room_id))
        .order_by_desc(moderation_log::Column::Id)
        .limit(most)
        .into_tuple()
        .all(db)
        .await?;
    let now = now_ms();
    Ok(rows
        .into_iter()
        .filter_map(|(actor, action, target, at)| {
            let action = Action::from_number(action)?;
            Some(LogEntry { actor, action, target, ago_secs: u64::try_from((now - at) / 1000).unwrap_or(0) })
        })
        .collect())
}
