use sea_orm::entity::prelude::*;

/// An invite link to a room: valid until `expires_at` (ms, `None`: never) and for `max_uses`
/// people (`None`: any number), `uses` of them so far.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "room_invites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub room_id: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub max_uses: Option<i32>,
    pub uses: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
