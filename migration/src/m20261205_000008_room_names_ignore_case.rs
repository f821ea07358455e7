use std::collections::HashSet;

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, Statement},
};

/// Room names are unique ignoring case, as usernames are: `Games` and `games` were two rooms,
/// easy to mistake for each other. Rooms that already differ only by case keep their history
/// under a new name: the oldest keeps its name, each later one gets `-2`, `-3`, … (the first
/// free one), still a valid room name. Names are ASCII, so LOWER means the same everywhere.
#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "idx_rooms_name_lower";
/// `shared::validate::ROOM_NAME_MAX` (the migration crate cannot see the app's).
const ROOM_NAME_MAX: usize = 64;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(backend, "SELECT id, name FROM rooms ORDER BY id"))
            .await?;
        let mut rooms = Vec::with_capacity(rows.len());
        for row in rows {
            rooms.push((row.try_get::<i64>("", "id")?, row.try_get::<String>("", "name")?));
        }
        let mut taken: HashSet<String> = HashSet::with_capacity(rooms.len());
        let all: HashSet<String> = rooms.iter().map(|(_, name)| name.to_lowercase()).collect();
        for (id, name) in rooms {
            if taken.insert(name.to_lowercase()) {
                continue;
            }
            let renamed = (2..)
                .map(|n| {
                    let suffix = format!("-{n}");
                    let keep = ROOM_NAME_MAX.saturating_sub(suffix.len()).min(name.len());
                    format!("{}{suffix}", &name[..keep])
                })
                .find(|candidate| {
                    let key = candidate.to_lowercase();
                    !taken.contains(&key) && !all.contains(&key)
                })
                .ok_or_else(|| DbErr::Migration(format!("no free name for room {name}")))?;
            taken.insert(renamed.to_lowercase());
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                match backend {
                    sea_orm::DatabaseBackend::Postgres => "UPDATE rooms SET name = $1 WHERE id = $2",
                    _ => "UPDATE rooms SET name = ? WHERE id = ?",
                },
                [renamed.into(), id.into()],
            ))
            .await?;
        }
        db.execute_unprepared(&format!("CREATE UNIQUE INDEX {INDEX} ON rooms (LOWER(name))")).await?;
        Ok(())
    }

    /// Drops the rule; renamed rooms keep their new names.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(&format!("DROP INDEX {INDEX}")).await?;
        Ok(())
    }
}
