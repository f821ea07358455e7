//! Getting the reader's attention while they are not looking at the room: the tab title counts
//! the messages that came in meanwhile, and, if they allowed it, the browser shows a
//! notification for each (and for messages in their other rooms, see `client::room_directory`).
//! Looking at the tab again clears the count.

/// Whether this browser can show notifications and the user has not decided yet: then the room
/// offers to turn them on.
pub fn can_ask_for_notifications() -> bool {
    #[cfg(feature = "hydrate")]
    {
        notifications_supported()
            && web_sys::Notification::permission() == web_sys::NotificationPermission::Default
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Asks for permission to show notifications; `done` runs once the user has answered.
pub fn ask_for_notifications(done: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let Ok(asked) = web_sys::Notification::request_permission() else { return done() };
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
            done();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    done();
}

/// Through the service worker when it controls the page (the only way on Android, and a click
/// can then bring the room's tab back); otherwise directly.
#[cfg(feature = "hydrate")]
fn show_notification(title: String, options: web_sys::NotificationOptions) {
    use wasm_bindgen::JsCast;

    let workers = web_sys::window().map(|window| window.navigator().service_worker());
    let Some(ready) =
        workers.filter(|workers| workers.controller().is_some()).and_then(|workers| workers.ready().ok())
    else {
        let _ = web_sys::Notification::new_with_options(&title, &options);
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let shown = match wasm_bindgen_futures::JsFuture::from(ready).await {
            Ok(registration) => match registration.dyn_into::<web_sys::ServiceWorkerRegistration>() {
                Ok(registration) => registration.show_notification_with_options(&title, &options).is_ok(),
                Err(_) => false,
            },
            Err(_) => false,
        };
        if !shown {
            let _ = web_sys::Notification::new_with_options(&title, &options);
        }
    });
}

/// Shows a notification for a message in `room`, if the user allowed them: its text as read,
/// without the formatting marks.
#[cfg(feature = "hydrate")]
pub fn notify(room: &str, author: &str, body: &str) {
    if !notifications_supported()
        || web_sys::Notification::permission() != web_sys::NotificationPermission::Granted
    {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(&crate::shared::markup::plain_text(body));
    // One notification per room, replaced by the next, rather than a pile.
    options.set_tag(&format!("mini-discord-{room}"));
    // Where a click on it leads (public/sw.js).
    options.set_data(&wasm_bindgen::JsValue::from_str(&crate::shared::paths::room(room)));
    show_notification(format!("{author} in #{room}"), options);
}

#[cfg(feature = "hydrate")]
fn notifications_supported() -> bool {
    web_sys::window().is_some_and(|window| {
        js_sys::Reflect::has(&window, &wasm_bindgen::JsValue::from_str("Notification")).unwrap_or(false)
    })
}

/// One room page's unseen-message count.
#[cfg(feature = "hydrate")]
pub struct Attention {
    room: String,
    unseen: std::cell::Cell<u32>,
    /// The title before the count was added, put back when the reader looks again.
    title: std::cell::RefCell<Option<String>>,
}

#[cfg(feature = "hydrate")]
impl Attention {
    pub fn new(room: &str) -> std::rc::Rc<Self> {
        std::rc::Rc::new(Self { room: room.to_owned(), unseen: 0.into(), title: None.into() })
    }

    fn document() -> Option<web_sys::Document> {
        web_sys::window()?.document()
    }

    /// A message from someone else arrived in this room; `notifies`: the room's level allows a
    /// notification for it (the title counts it either way).
    pub fn message_arrived(&self, author: &str, body: &str, notifies: bool) {
        let Some(document) = Self::document() else { return };
        if !document.hidden() {
            return;
        }
        let unseen = self.unseen.get() + 1;
        self.unseen.set(unseen);
        let base = self.title.borrow_mut().get_or_insert_with(|| document.title()).clone();
        document.set_title(&format!("({unseen}) {base}"));
        if notifies {
            notify(&self.room, author, body);
        }
    }

    /// The reader looks at the tab again (or leaves the room): the count goes.
    pub fn seen(&self) {
        self.unseen.set(0);
        if let (Some(title), Some(document)) = (self.title.borrow_mut().take(), Self::document()) {
            document.set_title(&title);
        }
    }
}
