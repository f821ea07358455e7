//! Queries on accounts.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
};

use super::{
    contains_ignoring_case,
    entities::users::{self, Entity as Users},
    now_ms, Page,
};
use crate::shared::{account_deletion::DELETED_USER, validate::username_key};

/// An account's whole row, password hash included: only the auth layer holds one for long.
pub type User = users::Model;

/// Who wrote a message: what the message path carries instead of the account's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub id: i64,
    pub username: String,
}

impl From<&User> for Author {
    fn from(user: &User) -> Self {
        Self { id: user.id, username: user.username.clone() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("username already taken")]
    Taken,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Stores a new account. The caller has validated the name and hashed the password.
pub async fn create(
    db: &impl ConnectionTrait,
    username: &str,
    password_hash: String,
) -> Result<User, CreateUserError> {
    let row = users::ActiveModel {
        username: Set(username.to_owned()),
        username_key: Set(username_key(username)),
        password_hash: Set(password_hash),
        is_admin: Set(false),
        disabled: Set(false),
        created_at: Set(now_ms()),
        ..Default::default()
    };
    // The unique index, not a prior lookup, decides: two sign-ups racing for one name cannot both win.
    row.insert(db).await.map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => CreateUserError::Taken,
        _ => CreateUserError::Db(err),
    })
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<User>, DbErr> {
    Users::find_by_id(id).one(db).await
}

/// Looks a user up by name, ignoring case.
pub async fn by_name(db: &impl ConnectionTrait, name: &str) -> Result<Option<User>, DbErr> {
    Users::find().filter(users::Column::UsernameKey.eq(username_key(name))).one(db).await
}

/// Returns false when no such user exists.
pub async fn set_admin(db: &impl ConnectionTrait, name: &str, admin: bool) -> Result<bool, DbErr> {
    let Some(user) = by_name(db, name).await? else {
        return Ok(false);
    };
    let mut row: users::ActiveModel = user.into();
    row.is_admin = Set(admin);
    row.update(db).await?;
    Ok(true)
}

/// Disables an account or enables it again; false when there is no such account.
pub async fn set_disabled(db: &impl ConnectionTrait, id: i64, disabled: bool) -> Result<bool, DbErr> {
    let result = Users::update_many()
        .col_expr(users::Column::Disabled, Expr::val(disabled))
        .filter(users::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Replaces an account's password hash.
pub async fn set_password(db: &impl ConnectionTrait, id: i64, hash: &str) -> Result<bool, DbErr> {
    let result = Users::update_many()
        .col_expr(users::Column::PasswordHash, Expr::val(hash))
        .filter(users::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// What is left of a deleted account: its row, so what it wrote can still point at it, named
/// "deleted user", with no password, disabled, and its name free for anyone to take. False when
/// there is no such account.
pub async fn tombstone(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    use users::Column;
    let result = Users::update_many()
        .col_expr(Column::Username, Expr::val(DELETED_USER))
        // Unique like every key, and never one a name typed in could have (no ':' in names).
        .col_expr(Column::UsernameKey, Expr::val(format!("deleted:{id}")))
        // Not a hash at all: no password verifies against it.
        .col_expr(Column::PasswordHash, Expr::val(""))
        .col_expr(Column::IsAdmin, Expr::val(false))
        .col_expr(Column::Disabled, Expr::val(true))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// An account as the admin list shows it: no password hash.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub is_admin: bool,
    pub disabled: bool,
}

/// Accounts for the admin screen, alphabetical, optionally filtered by a part of the name.
pub async fn search(
    db: &impl ConnectionTrait,
    term: &str,
    page: u64,
    per_page: u64,
) -> Result<Page<Account>, DbErr> {
    let mut query = Users::find().order_by_asc(users::Column::UsernameKey);
    let term = term.trim();
    if !term.is_empty() {
        query = query.filter(contains_ignoring_case((users::Entity, users::Column::UsernameKey), term));
    }
    let rows = query
        .select_only()
        .columns([
            users::Column::Id,
            users::Column::Username,
            users::Column::IsAdmin,
            users::Column::Disabled,
        ])
        .offset(page.saturating_mul(per_page))
        .limit(per_page + 1)
        .into_model::<Account>()
        .all(db)
        .await?;
    Ok(Page::from_overfetch(rows, per_page))
}
