use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub room_id: i64,
    pub user_id: i64,
    pub body: String,
    pub created_at: i64,
    /// The author's client-chosen id for this message; unique per author.
    pub nonce: Option<String>,
    /// The id of its latest change (`message_changes`); 0 if never changed.
    pub version: i64,
    pub edited_at: Option<i64>,
    /// Deleted by its author or a moderator: the row stays, its text is gone.
    pub deleted_at: Option<i64>,
    /// Pinned to its room since then; `None`: not pinned.
    pub pinned_at: Option<i64>,
    pub pinned_by: Option<i64>,
    /// The message this one answers (same room); no foreign key, see migration 000015.
    pub reply_to: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::rooms::Entity",
        from = "Column::RoomId",
        to = "super::rooms::Column::Id",
        on_delete = "Cascade"
    )]
    Room,
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::rooms::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Room.def()
    }
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
