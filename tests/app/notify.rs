//! Notification levels: what each user is told about each of their rooms, kept on the server so
//! every device follows it.

use mini_discord::shared::{
    protocol::ClientFrame,
    views::{NotifyLevel, RoomDirectory},
};

use crate::support::{spawn_app, Person};

async fn listed_level(person: &Person) -> Option<NotifyLevel> {
    let listed: RoomDirectory = person.post_form("/api/rooms", &[]).await.json().await.expect("rooms");
    listed
        .rooms
        .into_iter()
        .find(|room| room.name == "general")
        .and_then(|room| room.read)
        .map(|read| read.notify)
}

fn notify(level: NotifyLevel) -> ClientFrame {
    ClientFrame::Notify { room: "general".into(), notify: level }
}

#[tokio::test]
async fn the_notification_level_is_kept_per_person_and_room_and_reaches_every_device() {
    let app = spawn_app().await;
    let (alice, bob, mut a, mut laptop) = app.alice_and_bob_in_general().await;
    let mut phone = bob.socket().await;
    phone.join("general").await;

    // Chosen before Bob ever read the room: it becomes one of his, read up to now.
    a.post("general", "1", "before").await;
    laptop.send(&notify(NotifyLevel::Mentions)).await;
    for device in [&mut laptop, &mut phone] {
        let read = device.next_read().await;
        assert_eq!((read.notify, read.unread), (NotifyLevel::Mentions, 0));
    }
    assert_eq!(listed_level(&bob).await, Some(NotifyLevel::Mentions));

    // Reading on keeps it; it is Bob's alone.
    a.post("general", "2", "after").await;
    laptop.send(&ClientFrame::Read { room: "general".into(), id: 0 }).await;
    let read = laptop.next_read().await;
    assert_eq!((read.notify, read.unread), (NotifyLevel::Mentions, 1));
    a.send(&ClientFrame::Read { room: "general".into(), id: 0 }).await;
    assert_eq!(a.next_read().await.notify, NotifyLevel::All);
    assert_eq!(listed_level(&alice).await, Some(NotifyLevel::All));

    phone.send(&notify(NotifyLevel::Nothing)).await;
    assert_eq!(laptop.next_read().await.notify, NotifyLevel::Nothing);
    // A level the server does not know is the default.
    phone.send_raw(r#"{"type":"notify","room":"general","notify":7}"#).await;
    assert_eq!(laptop.next_read().await.notify, NotifyLevel::All);

    // Only for a joined room.
    phone.send(&ClientFrame::Notify { room: "random".into(), notify: NotifyLevel::Nothing }).await;
    assert!(phone.refused().await.contains("Join the room"));
}
