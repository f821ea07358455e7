//! Storage units against a real SQLite file.

use axum_login::AuthnBackend;
use mini_discord::server::{
    auth::{Backend, Credentials, DbSessionStore},
    db::{self, messages, rooms, users, users::Author},
};
use tower_sessions::{
    session::{Id, Record},
    SessionStore,
};

async fn database() -> (sea_orm::DatabaseConnection, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = db::connect(&db::sqlite_url(dir.path())).await.expect("database opens and migrates");
    (db, dir)
}

#[tokio::test]
async fn usernames_are_unique_ignoring_case() {
    let (db, _dir) = database().await;
    users::create(&db, "Alice", "hash".into()).await.expect("created");
    assert!(matches!(users::create(&db, "alice", "hash".into()).await, Err(users::CreateUserError::Taken)));
    let found = users::by_name(&db, "ALICE").await.expect("db").expect("found");
    assert_eq!(found.username, "Alice", "the name is kept as typed");
}

#[tokio::test]
async fn history_is_the_latest_page_oldest_first() {
    let (db, _dir) = database().await;
    let alice = Author::from(&users::create(&db, "alice", "hash".into()).await.expect("user"));
    let (room, created) = rooms::get_or_create(&db, "general", alice.id).await.expect("room");
    assert!(created);
    let (same, created) = rooms::get_or_create(&db, "general", alice.id).await.expect("room");
    assert!(!created);
    assert_eq!(same.id, room.id);
    for n in 0..60 {
        messages::insert(&db, &room, &alice, &format!("message {n}"), None).await.expect("stored");
    }
    let page = messages::recent(&db, &room, 50).await.expect("history");
    assert!(page.has_more);
    let page = page.items;
    assert_eq!(page.len(), 50);
    assert_eq!(page.first().map(|m| m.body.as_str()), Some("message 10"));
    assert_eq!(page.last().map(|m| m.body.as_str()), Some("message 59"));
    assert!(page.windows(2).all(|w| w[0].id < w[1].id));
    let missed = messages::after(&db, &room, page[47].id, 10).await.expect("missed");
    assert_eq!(missed.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["message 58", "message 59"]);
}

#[tokio::test]
async fn deleting_a_room_deletes_its_messages() {
    let (db, _dir) = database().await;
    let alice = Author::from(&users::create(&db, "alice", "hash".into()).await.expect("user"));
    let (room, _) = rooms::get_or_create(&db, "doomed", alice.id).await.expect("room");
    messages::insert(&db, &room, &alice, "bye", None).await.expect("stored");
    assert!(rooms::delete(&db, room.id).await.expect("deleted"));
    let left = messages::search(&db, "", 0, 10).await.expect("search");
    assert!(left.items.is_empty(), "foreign keys cascade");
}

#[tokio::test]
async fn the_auth_backend_checks_passwords_and_refuses_disabled_accounts_sessions() {
    let (db, _dir) = database().await;
    let hashing = mini_discord::server::auth::hashing::Hashing::start(4);
    let hash = hashing.hash("correct horse".into()).await.expect("hash");
    let alice = users::create(&db, "alice", hash).await.expect("user");
    let backend = Backend::new(db.clone(), hashing);
    let creds = |name: &str, password: &str| Credentials { username: name.into(), password: password.into() };
    assert!(backend.authenticate(creds("alice", "correct horse")).await.expect("ok").is_some());
    assert!(backend.authenticate(creds("ALICE", "correct horse")).await.expect("ok").is_some());
    assert!(backend.authenticate(creds("alice", "wrong")).await.expect("ok").is_none());
    assert!(backend.authenticate(creds("nobody", "correct horse")).await.expect("ok").is_none());
    assert!(backend.get_user(&alice.id).await.expect("ok").is_some());
    users::set_disabled(&db, alice.id, true).await.expect("db");
    assert!(
        backend.get_user(&alice.id).await.expect("ok").is_none(),
        "a disabled account's sessions carry no user"
    );
}

#[tokio::test]
async fn sessions_round_trip_expire_and_end_per_user() {
    let (db, _dir) = database().await;
    let alice = users::create(&db, "alice", "hash".into()).await.expect("user");
    let store = DbSessionStore::new(db.clone());
    let mut record = Record {
        id: Id::default(),
        data: [(
            "axum-login.data".to_owned(),
            serde_json::json!({ "user_id": alice.id, "auth_hash": [1, 2] }),
        )]
        .into_iter()
        .collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut record).await.expect("created");
    let loaded = store.load(&record.id).await.expect("loaded").expect("present");
    assert_eq!(loaded.data, record.data);

    let mut expired = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: time::OffsetDateTime::now_utc() - time::Duration::seconds(1),
    };
    store.create(&mut expired).await.expect("created");
    assert!(store.load(&expired.id).await.expect("loaded").is_none(), "expired sessions are not loaded");

    assert_eq!(store.delete_for_user(alice.id).await.expect("deleted"), 1);
    assert!(store.load(&record.id).await.expect("loaded").is_none());
}

#[tokio::test]
async fn a_resent_nonce_is_stored_once() {
    let (db, _dir) = database().await;
    let alice = Author::from(&users::create(&db, "alice", "hash".into()).await.expect("user"));
    let bob = Author::from(&users::create(&db, "bob", "hash".into()).await.expect("user"));
    let (room, _) = rooms::get_or_create(&db, "general", alice.id).await.expect("room");
    let first = messages::insert(&db, &room, &alice, "hi", Some("n1")).await.expect("stored");
    let again = messages::insert(&db, &room, &alice, "hi", Some("n1")).await.expect("stored");
    let messages::Stored::New(first) = first else { panic!("the first send is new") };
    assert_eq!(again, messages::Stored::Duplicate(first.clone()));
    // Another author may happen to pick the same nonce.
    assert!(matches!(
        messages::insert(&db, &room, &bob, "hi", Some("n1")).await,
        Ok(messages::Stored::New(_))
    ));
    assert_eq!(messages::recent(&db, &room, 10).await.expect("history").items.len(), 2);
}

#[tokio::test]
async fn older_history_pages_back_without_gaps_or_overlap() {
    let (db, _dir) = database().await;
    let alice = Author::from(&users::create(&db, "alice", "hash".into()).await.expect("user"));
    let (room, _) = rooms::get_or_create(&db, "general", alice.id).await.expect("room");
    for n in 0..120 {
        messages::insert(&db, &room, &alice, &format!("m{n}"), None).await.expect("stored");
    }
    let latest = messages::recent(&db, &room, 50).await.expect("latest");
    let mut first = latest.items[0].id;
    let mut seen: Vec<String> = latest.items.into_iter().map(|m| m.body).collect();
    let mut has_older = latest.has_more;
    while has_older {
        let older = messages::before(&db, &room, first, 50).await.expect("older page");
        has_older = older.has_more;
        first = older.items[0].id;
        seen.splice(0..0, older.items.into_iter().map(|m| m.body));
    }
    assert_eq!(
        messages::before(&db, &room, first, 50).await.expect("oldest").items,
        vec![],
        "nothing before the first"
    );
    let expected: Vec<String> = (0..120).map(|n| format!("m{n}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_link_opens_the_history_around_its_message_and_reads_forward() {
    let (db, _dir) = database().await;
    history_around_a_linked_message(&db).await;
}

/// What a link to a message shows: the messages around it, and forward from there to the
/// present without gaps; never a message of another room. Run on SQLite here and on PostgreSQL
/// in `cluster.rs`.
pub async fn history_around_a_linked_message(db: &sea_orm::DatabaseConnection) {
    let alice = Author::from(&users::create(db, "alice", "hash".into()).await.expect("user"));
    let (room, _) = rooms::get_or_create(db, "general", alice.id).await.expect("room");
    let (elsewhere, _) = rooms::get_or_create(db, "elsewhere", alice.id).await.expect("room");
    let mut ids = Vec::new();
    for n in 0..120 {
        match messages::insert(db, &room, &alice, &format!("m{n}"), None).await.expect("stored") {
            messages::Stored::New(message) => ids.push(message.id),
            messages::Stored::Duplicate(_) => panic!("no nonce, no duplicate"),
        }
    }
    let messages::Stored::New(other) =
        messages::insert(db, &elsewhere, &alice, "private", None).await.expect("stored")
    else {
        panic!("new")
    };
    let bodies = |list: &[mini_discord::shared::views::MessageView]| -> Vec<String> {
        list.iter().map(|m| m.body.clone()).collect()
    };
    let range = |from: usize, to: usize| -> Vec<String> { (from..=to).map(|n| format!("m{n}")).collect() };

    let early = messages::around(db, &room, ids[10], 25).await.expect("query").expect("found");
    assert_eq!(bodies(&early.messages), range(0, 35));
    assert!(!early.has_older && early.has_newer);
    let late = messages::around(db, &room, ids[100], 25).await.expect("query").expect("found");
    assert_eq!(bodies(&late.messages), range(75, 119));
    assert!(late.has_older && !late.has_newer);

    assert_eq!(
        messages::around(db, &room, other.id, 25).await.expect("query"),
        None,
        "another room's message"
    );
    assert_eq!(messages::around(db, &room, 0, 25).await.expect("query"), None);

    let mut shown = bodies(&early.messages);
    let mut last = *early.messages.last().map(|m| &m.id).expect("a page");
    loop {
        let page = messages::newer(db, &room, last, 50).await.expect("newer page");
        last = page.items.last().map_or(last, |m| m.id);
        shown.extend(bodies(&page.items));
        if !page.has_more {
            break;
        }
    }
    assert_eq!(shown, range(0, 119), "forward to the present, without gaps or repeats");
}

#[tokio::test]
async fn a_batch_stores_each_nonce_once_in_order() {
    let (db, _dir) = database().await;
    let alice = Author::from(&users::create(&db, "alice", "hash".into()).await.expect("user"));
    let bob = Author::from(&users::create(&db, "bob", "hash".into()).await.expect("user"));
    let (room, _) = rooms::get_or_create(&db, "general", alice.id).await.expect("room");
    let messages::Stored::New(before) =
        messages::insert(&db, &room, &alice, "earlier", Some("a0")).await.expect("stored")
    else {
        panic!("new")
    };
    let new = |author, body, nonce| messages::NewMessage::new(&room, author, body, nonce);
    let batch = [
        new(&alice, "one", "a1"),
        new(&bob, "two", "a1"),         // another author's nonce space
        new(&alice, "resent", "a0"),    // a resend of a message stored earlier
        new(&alice, "one again", "a1"), // a resend that arrived in the same batch
        new(&bob, "three", "b1"),
    ];
    let stored = messages::insert_batch(&db, &batch).await.expect("stored");
    let ids: Vec<i64> = stored
        .iter()
        .filter_map(|s| match s {
            messages::Stored::New(m) => Some(m.id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "new messages get ids in batch order: {ids:?}");
    assert_eq!(stored[2], messages::Stored::Duplicate(before));
    let messages::Stored::New(one) = &stored[0] else { panic!("new") };
    assert_eq!(stored[3], messages::Stored::Duplicate(one.clone()));
    let bodies: Vec<String> =
        messages::recent(&db, &room, 10).await.expect("history").items.into_iter().map(|m| m.body).collect();
    assert_eq!(bodies, ["earlier", "one", "two", "three"]);
}

/// Every entity names exactly the columns its table has after the migrations: a column added by
/// a migration and missing from its entity (or the other way round) fails here.
#[tokio::test]
async fn entities_match_the_migrated_tables() {
    use mini_discord::server::db::entities::{messages, read_markers, rooms, sessions, users};
    use sea_orm::{ConnectionTrait, EntityName, Iterable, Statement};

    async fn table_columns(db: &sea_orm::DatabaseConnection, table: &str) -> Vec<String> {
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                format!("PRAGMA table_info({table})"),
            ))
            .await
            .expect("table info");
        let mut columns: Vec<String> =
            rows.iter().map(|row| row.try_get("", "name").expect("name")).collect();
        columns.sort();
        columns
    }
    fn entity_columns<E: sea_orm::EntityTrait>() -> Vec<String> {
        let mut columns: Vec<String> =
            E::Column::iter().map(|column| sea_orm::IdenStatic::as_str(&column).to_owned()).collect();
        columns.sort();
        columns
    }

    let (db, _dir) = database().await;
    for (table, columns) in [
        (users::Entity.table_name(), entity_columns::<users::Entity>()),
        (rooms::Entity.table_name(), entity_columns::<rooms::Entity>()),
        (messages::Entity.table_name(), entity_columns::<messages::Entity>()),
        (sessions::Entity.table_name(), entity_columns::<sessions::Entity>()),
        (read_markers::Entity.table_name(), entity_columns::<read_markers::Entity>()),
    ] {
        assert_eq!(columns, table_columns(&db, table).await, "the entity of {table} and its table differ");
    }
}

/// A read marker is written when it moves and only then: a tab repeating where it is (each
/// reconnect does) does not wait for the database's one writer, nor hold it up.
#[tokio::test]
async fn a_read_marker_is_written_only_when_it_moves() {
    use mini_discord::server::db::read_markers::mark_read;
    use sea_orm::{ConnectionTrait, TransactionTrait};

    let (db, _dir) = database().await;
    let alice = Author::from(&users::create(&db, "alice", "hash".into()).await.expect("user"));
    let bob = Author::from(&users::create(&db, "bob", "hash".into()).await.expect("user"));
    let (room, _) = rooms::get_or_create(&db, "general", alice.id).await.expect("room");
    let mut ids = Vec::new();
    for n in 0..3 {
        match messages::insert(&db, &room, &bob, &format!("m{n}"), None).await.expect("stored") {
            messages::Stored::New(message) => ids.push(message.id),
            other => panic!("new: {other:?}"),
        }
    }
    let state = mark_read(&db, alice.id, &room, ids[1]).await.expect("marked");
    assert_eq!((state.last_read, state.unread), (ids[1], 1));

    // Someone else is writing (SQLite takes one writer at a time): a marker that does not move
    // is answered at once all the same, where a write would wait for the lock and then fail.
    let writer = db.begin().await.expect("transaction");
    writer.execute_unprepared("UPDATE users SET disabled = 0 WHERE id = -1").await.expect("write lock taken");
    for again in [ids[1], ids[0], 0] {
        let state = mark_read(&db, alice.id, &room, again).await.expect("answered without writing");
        assert_eq!((state.last_read, state.unread), (ids[1], 1), "never back");
    }
    writer.rollback().await.expect("rolled back");

    let state = mark_read(&db, alice.id, &room, ids[2]).await.expect("marked");
    assert_eq!((state.last_read, state.unread), (ids[2], 0), "moving on is written");
}

/// Rooms that differ only by case, made before names were unique ignoring case: the migration
/// keeps the oldest's name, renames the others to the first free `-N`, and keeps every room's
/// history. Run here on SQLite and in `cluster` on PostgreSQL.
pub(crate) async fn rooms_differing_only_by_case_are_renamed_keeping_their_history(url: &str) {
    use migration::{Migrator, MigratorTrait};
    use mini_discord::server::db::entities::rooms as room_rows;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};

    let db = sea_orm::Database::connect(url).await.expect("database opens");
    Migrator::up(&db, Some(7)).await.expect("the migrations before the rule");
    let alice = users::create(&db, "alice", "hash".into()).await.expect("user");
    let author = Author { id: alice.id, username: alice.username.clone() };
    for name in ["Games", "games", "GAMES", "games-2", "other"] {
        // Inserted naming only the columns this early schema has (a model would read back
        // columns that come later).
        let created_at = db::now_ms();
        let row = room_rows::ActiveModel {
            name: Set(name.to_owned()),
            created_by: Set(Some(alice.id)),
            created_at: Set(created_at),
            last_seq: Set(0),
            ..Default::default()
        };
        let id = room_rows::Entity::insert(row).exec(&db).await.expect("room").last_insert_id;
        let room = room_rows::Model {
            id,
            name: name.to_owned(),
            created_by: Some(alice.id),
            created_at,
            last_seq: 0,
            private: false,
            topic: String::new(),
        };
        // The batch insert names only the columns this early schema has.
        let body = format!("said in {name}");
        let message = messages::NewMessage::new(&room, &author, &body, name);
        messages::insert_batch(&db, &[message]).await.expect("message");
    }
    Migrator::up(&db, None).await.expect("the rule applies over existing rooms");

    let mut names: Vec<String> =
        rooms::all(&db).await.expect("rooms").into_iter().map(|room| room.name).collect();
    names.sort();
    assert_eq!(names, ["GAMES-4", "Games", "games-2", "games-3", "other"].map(String::from));
    for (room, said_in) in
        [("Games", "Games"), ("games-3", "games"), ("GAMES-4", "GAMES"), ("games-2", "games-2")]
    {
        let room = rooms::by_name(&db, room).await.expect("db").expect("room");
        let history = messages::recent(&db, &room, 10).await.expect("history").items;
        assert_eq!(history.len(), 1, "{said_in}");
        assert_eq!(history[0].body, format!("said in {said_in}"));
    }
    let again = room_rows::ActiveModel {
        name: Set("OTHER".to_owned()),
        created_at: Set(db::now_ms()),
        last_seq: Set(0),
        ..Default::default()
    }
    .insert(&db)
    .await;
    assert!(again.is_err(), "the database itself refuses a name that differs only by case");
}

#[tokio::test]
async fn the_room_name_migration_keeps_history_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    rooms_differing_only_by_case_are_renamed_keeping_their_history(&db::sqlite_url(dir.path())).await;
}
