use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Users::Id))
                    .col(string_len(Users::Username, 32))
                    // Usernames are unique ignoring case; the lower-cased copy carries the constraint
                    // so the rule holds on SQLite and PostgreSQL alike without collation tricks.
                    .col(string_len_uniq(Users::UsernameKey, 32))
                    .col(text(Users::PasswordHash))
                    .col(boolean(Users::IsAdmin).default(false))
                    .col(boolean(Users::Disabled).default(false))
                    .col(big_integer(Users::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Username,
    UsernameKey,
    PasswordHash,
    IsAdmin,
    Disabled,
    CreatedAt,
}
