//! Everything a request handler or server function may need, cloned cheaply per request.

use std::{sync::Arc, time::Duration};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::{
    allowances::Allowances,
    auth::{hashing::Hashing, throttle::Throttle, DbSessionStore},
    chat::Chat,
    cluster::{
        numbering::Numbering, postgres::Postgres, redis_bus::RedisBus, redis_presence::RedisPresence,
        RedisLink,
    },
    config::Config,
    hub::Hub,
    site::Site,
    subscribers::Subscribers,
    writer::{Storage, Writer},
    ws::open_sockets::OpenSockets,
};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    /// The site's own origins and cookie security, derived once from the configuration.
    pub site: Arc<Site>,
    pub db: DatabaseConnection,
    pub sessions: DbSessionStore,
    pub hub: Hub,
    /// Rooms, messages and read markers, with who may do what: what pages and sockets call.
    pub chat: Chat,
    /// Log-in and sign-up attempts per name and address.
    pub throttle: Throttle,
    /// The argon2 threads and their bounded queue.
    pub hashing: Hashing,
    /// Sockets open per account on this instance.
    pub sockets: OpenSockets,
}

/// How long a presence entry outlives its instance, and how often live instances renew theirs
/// (and drop dead ones'): a killed instance's users leave every list within 20 s.
const PRESENCE_TTL: Duration = Duration::from_secs(15);
const PRESENCE_UPKEEP: Duration = Duration::from_secs(5);

impl AppState {
    /// One process: rooms and presence live in memory.
    pub fn new(config: Config, db: DatabaseConnection) -> Self {
        let hub = Hub::local(config.limits.outgoing_queue);
        let throttle = Throttle::in_memory(&config.limits);
        let allowances = Allowances::in_memory(&config.limits);
        Self::with_hub(config, db, hub, None, throttle, allowances)
    }

    /// One of several instances: rooms and presence are shared through Redis, and messages are
    /// numbered in PostgreSQL.
    pub fn with_redis(config: Config, pg: Postgres, link: &RedisLink) -> Self {
        let subscribers = Arc::new(Subscribers::default());
        let bus = Arc::new(RedisBus::start(link, subscribers.clone(), pg.clone()));
        let presence = Arc::new(RedisPresence::new(link, PRESENCE_TTL));
        let hub = Hub::with_parts(subscribers, bus, presence, config.limits.outgoing_queue);
        hub.spawn_presence_upkeep(PRESENCE_UPKEEP);
        let throttle = Throttle::in_redis(link, &config.limits);
        let allowances = Allowances::in_redis(link, &config.limits);
        Self::with_hub(config, pg.db().clone(), hub, Some(Numbering::new(&pg)), throttle, allowances)
    }

    fn with_hub(
        config: Config,
        db: DatabaseConnection,
        hub: Hub,
        numbering: Option<Numbering>,
        throttle: Throttle,
        allowances: Allowances,
    ) -> Self {
        let hashing = Hashing::start(config.limits.hashing_queue);
        super::db::spawn_checkpointer(db.clone());
        let sessions = DbSessionStore::new(db.clone());
        let storage = Storage::chosen(&config, numbering);
        let writer = Writer::spawn(db.clone(), hub.clone(), storage, config.limits.write_batch);
        let chat =
            Chat::new(db.clone(), hub.clone(), writer, sessions.clone(), config.limits.clone(), allowances);
        let site = Arc::new(Site::of(&config));
        Self {
            leptos_options: config.leptos.clone(),
            config: Arc::new(config),
            site,
            db,
            sessions,
            hub,
            chat,
            throttle,
            hashing,
            sockets: OpenSockets::default(),
        }
    }
}
