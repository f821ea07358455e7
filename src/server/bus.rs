//! The bus carries a serialised frame to every subscriber of a topic. This is the seam where
//! several instances meet: the in-process bus below delivers straight to this process's
//! subscribers; a Redis bus publishes to a channel and delivers what it receives the same way.

use std::sync::Arc;

use async_trait::async_trait;

use super::subscribers::{Frame, Subscribers};

#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Delivers `frame` to every subscriber of `topic`, wherever it is connected.
    async fn publish(&self, topic: &str, frame: Frame);
}

/// One process: publishing is local delivery.
pub struct LocalBus {
    subscribers: Arc<Subscribers>,
}

impl LocalBus {
    pub fn new(subscribers: Arc<Subscribers>) -> Self {
        Self { subscribers }
    }
}

#[async_trait]
impl Bus for LocalBus {
    async fn publish(&self, topic: &str, frame: Frame) {
        self.subscribers.deliver(topic, &frame);
    }
}
