//! How many sockets each account has open on this instance, so one account (a script, a runaway
//! tab) cannot hold more than `Limits::sockets_per_user` of the server's connections.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

#[derive(Clone, Default)]
pub struct OpenSockets {
    per_user: Arc<Mutex<HashMap<i64, usize>>>,
}

/// One open socket; dropping it (the connection ends) frees its place.
pub struct SocketPlace {
    sockets: OpenSockets,
    user: i64,
}

impl OpenSockets {
    /// A place for one more socket of `user`, unless they already have `most` open.
    pub fn take(&self, user: i64, most: usize) -> Option<SocketPlace> {
        let mut per_user = self.per_user.lock().ok()?;
        let open = per_user.entry(user).or_default();
        if *open >= most {
            return None;
        }
        *open += 1;
        Some(SocketPlace { sockets: self.clone(), user })
    }
}

impl Drop for SocketPlace {
    fn drop(&mut self) {
        let Ok(mut per_user) = self.sockets.per_user.lock() else { return };
        if let Some(open) = per_user.get_mut(&self.user) {
            *open -= 1;
            if *open == 0 {
                per_user.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_freed_when_its_socket_ends() {
        let sockets = OpenSockets::default();
        let first = sockets.take(1, 2).expect("first");
        let _second = sockets.take(1, 2).expect("second");
        assert!(sockets.take(1, 2).is_none(), "a third is refused");
        assert!(sockets.take(2, 2).is_some(), "other users are not affected");
        drop(first);
        assert!(sockets.take(1, 2).is_some(), "a closed socket frees its place");
    }
}
