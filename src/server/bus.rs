//! The bus carries a serialised frame to every subscriber of a topic. This is the seam where
//! several instances meet: the in-process bus below delivers straight to this process's
//! subscribers; `cluster::bus` publishes to a Redis channel and delivers what it receives the same way.

use std::sync::Arc;

use async_trait::async_trait;

use super::subscribers::{Frame, Subscribers};

#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Delivers `frame` to every subscriber of `topic`, wherever it is connected.
    async fn publish(&self, topic: &str, frame: Frame);

    /// Publishes frames in the order given, as one unit where the bus allows (one round trip).
    async fn publish_batch(&self, frames: Vec<(String, Frame)>) {
        for (topic, frame) in frames {
            self.publish(&topic, frame).await;
        }
    }

    /// Whether other instances receive what is published here: then the writers of all instances
    /// must take turns for a room's messages to reach every reader in id order.
    fn spans_instances(&self) -> bool {
        false
    }
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
