use sea_orm::entity::prelude::*;

/// How far one user has read in one room: every message up to `last_read_id` is read.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "read_markers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub room_id: i64,
    pub last_read_id: i64,
    pub updated_at: i64,
    /// `shared::views::NotifyLevel` as its number.
    pub notify: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
