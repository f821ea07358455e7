use sea_orm_migration::{prelude::*, schema::*};

use super::m20261125_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rooms::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Rooms::Id))
                    .col(string_len_uniq(Rooms::Name, 64))
                    .col(big_integer_null(Rooms::CreatedBy))
                    .col(big_integer(Rooms::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_rooms_created_by")
                            .from(Rooms::Table, Rooms::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Rooms::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum Rooms {
    Table,
    Id,
    Name,
    CreatedBy,
    CreatedAt,
}
