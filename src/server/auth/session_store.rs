//! Sessions in the application's own database through sea-orm.
//!
//! Why not tower-sessions-sqlx-store: it is built on SQLx 0.8 while sea-orm 2 uses SQLx 0.9,
//! which would mean two SQLx copies and two connection pools. A store over sea-orm keeps one
//! pool, works on SQLite and PostgreSQL alike (so several instances share sessions), and lets
//! us index sessions by user to end them all when an account is disabled.

use async_trait::async_trait;
use sea_orm::{sea_query::OnConflict, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};

use crate::server::db::entities::sessions::{self, Entity as Sessions};

/// Where axum-login keeps its data inside a session (its default key).
const AUTH_DATA_KEY: &str = "axum-login.data";

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Ends every session of one account but `keep` (the browser that changed the password);
    /// answers the ids it ended, to close the sockets opened with them.
    pub async fn delete_others(&self, user_id: i64, keep: &str) -> Result<Vec<String>, sea_orm::DbErr> {
        use sea_orm::QuerySelect;
        let ids: Vec<String> = Sessions::find()
            .select_only()
            .column(sessions::Column::Id)
            .filter(sessions::Column::UserId.eq(user_id))
            .filter(sessions::Column::Id.ne(keep))
            .into_tuple()
            .all(&self.db)
            .await?;
        Sessions::delete_many().filter(sessions::Column::Id.is_in(ids.clone())).exec(&self.db).await?;
        Ok(ids)
    }

    /// Ends every session of one account (used when an administrator disables it).
    pub async fn delete_for_user(&self, user_id: i64) -> Result<u64, sea_orm::DbErr> {
        let result =
            Sessions::delete_many().filter(sessions::Column::UserId.eq(user_id)).exec(&self.db).await?;
        Ok(result.rows_affected)
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn user_id_of(record: &Record) -> Option<i64> {
    record.data.get(AUTH_DATA_KEY)?.get("user_id")?.as_i64()
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; a collision is vanishingly rare, but if the insert hits one we
        // draw a new id rather than overwrite someone else's session.
        for _ in 0..4 {
            let row = row_of(record)?;
            match Sessions::insert(row).exec_without_returning(&self.db).await {
                Ok(_) => return Ok(()),
                Err(err) if matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
                    record.id = Id::default();
                }
                Err(err) => return Err(backend(err)),
            }
        }
        Err(session_store::Error::Backend("could not allocate a session id".into()))
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        Sessions::insert(row_of(record)?)
            .on_conflict(
                OnConflict::column(sessions::Column::Id)
                    .update_columns([
                        sessions::Column::UserId,
                        sessions::Column::Data,
                        sessions::Column::ExpiresAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let Some(row) = Sessions::find_by_id(session_id.to_string())
            .filter(sessions::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&row.data).map_err(|err| session_store::Error::Decode(err.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(row.expires_at).map_err(backend)?;
        Ok(Some(Record { id: *session_id, data, expiry_date }))
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        Sessions::delete_by_id(session_id.to_string()).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}

fn row_of(record: &Record) -> session_store::Result<sessions::ActiveModel> {
    let data =
        serde_json::to_string(&record.data).map_err(|err| session_store::Error::Encode(err.to_string()))?;
    Ok(sessions::ActiveModel {
        id: Set(record.id.to_string()),
        user_id: Set(user_id_of(record)),
        data: Set(data),
        expires_at: Set(record.expiry_date.unix_timestamp()),
    })
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        Sessions::delete_many()
            .filter(sessions::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
