//! The page around the socket: starting it once, the page going (or only maybe going), and the
//! connection saying whose it is.

use leptos::prelude::*;

use super::{unsent, ChatSocket};

impl ChatSocket {
    /// Starts the connection loop unless it runs already, hooking the page's unload events once.
    pub(super) fn start(&self) {
        let inner = self.inner();
        if std::mem::replace(&mut inner.borrow_mut().running, true) {
            return;
        }
        let socket = *self;
        if !std::mem::replace(&mut inner.borrow_mut().unload_hooked, true) {
            let navigating = window_event_listener(leptos::ev::beforeunload, move |_| socket.navigating());
            // `pagehide`, not `beforeunload`: it comes only once the page is really going (a
            // navigation can still be called off after `beforeunload`), and mobile Safari sends it
            // reliably.
            let unloading = window_event_listener(leptos::ev::pagehide, move |_| socket.leaving());
            // A page the browser kept in its back-forward cache comes back with its socket closed
            // and its rooms given up on the way out: it loads afresh instead.
            let returning = window_event_listener(leptos::ev::pageshow, |event| {
                if event.persisted() {
                    let _ = window().location().reload();
                }
            });
            // They live as long as the page.
            std::mem::forget(navigating);
            std::mem::forget(unloading);
            std::mem::forget(returning);
        }
        leptos::task::spawn_local(async move { socket.run().await });
    }

    /// The page is going away (to another page, or logging out). What was read and not yet said
    /// goes out now: the room will not be left any other way. From here on the server ending the
    /// socket (the session ending first, say) is expected: it must not redirect and abort the
    /// navigation the user asked for.
    fn leaving(&self) {
        self.send_due_reads();
        let inner = self.inner();
        let mut inner = inner.borrow_mut();
        // Taken, not copied: should this page come back (from the back-forward cache) and go
        // again, it must not put back what a later page has sent or kept since.
        let unacked = inner.wants.take_unacked();
        unsent::keep(&inner.user, unacked);
        inner.leaving = true;
        inner.wants.forget_subscriptions();
    }

    /// A navigation away has started. Should it be called off, the page is back to normal after
    /// a while: a navigation that goes ahead has long unloaded the page by then.
    fn navigating(&self) {
        self.inner().borrow_mut().navigating_since = Some(js_sys::Date::now());
    }

    pub(super) fn is_navigating(&self) -> bool {
        self.inner().borrow().navigating_since.is_some_and(|since| js_sys::Date::now() - since < 10_000.0)
    }

    /// The connection is up and says whose it is. The messages waiting go out only on a
    /// connection of the user the page was drawn for: with another user logged in meanwhile (in
    /// another tab, say) they are dropped, and the page is drawn again for whoever it is now.
    pub(super) fn ready(&self, username: &str) {
        let someone_else = {
            let inner = self.inner();
            let mut inner = inner.borrow_mut();
            let someone_else = !inner.user.is_empty() && inner.user != username;
            if someone_else {
                inner.wants.drop_unacked();
                inner.leaving = true;
            } else if let Some(tx) = &inner.outgoing {
                for text in inner.wants.unacked_frames() {
                    let _ = tx.unbounded_send(text.to_owned());
                }
            }
            someone_else
        };
        // Outside the borrow: leaving the page runs this module's unload handlers.
        if someone_else {
            let _ = window().location().reload();
        }
    }
}
