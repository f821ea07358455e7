//! Who may do what: one function per action, answering `Ok(())` or why not. Every path (socket
//! frames, server functions, pages) asks here before it acts, so a rule changes in one place.
//!
//! Today every room is open to every signed-in user, and only administrators remove things or
//! look across everyone's data. Private rooms, roles and "delete your own message" change these
//! functions, not their callers. Whether one connection has joined a room (which marking it read
//! and saying you type there also need) is that connection's own state, kept in `ws::peer`.

use super::{actor::Actor, error::Denied};
use crate::server::db::{messages::MessageRow, rooms::Room};

/// Reading a room: its history, its live messages, who is online, joining it.
pub fn may_read(_actor: &Actor, _room: &Room) -> Result<(), Denied> {
    Ok(())
}

/// Posting a message in a room (and saying you are typing there).
pub fn may_post(actor: &Actor, room: &Room) -> Result<(), Denied> {
    may_read(actor, room)
}

/// Reacting to a room's messages: whoever may post there.
pub fn may_react(actor: &Actor, room: &Room) -> Result<(), Denied> {
    may_post(actor, room)
}

/// Pinning a room's messages (and unpinning them): whoever may post there, as in Slack. Room
/// roles may narrow this to moderators; callers ask here either way.
pub fn may_pin(actor: &Actor, room: &Room) -> Result<(), Denied> {
    may_post(actor, room)
}

/// Creating a room that does not exist yet.
pub fn may_create_room(_actor: &Actor) -> Result<(), Denied> {
    Ok(())
}

/// Editing a message: its author only. `None`: there is no such message (in this room); the
/// refusal is the same, so it does not say whether one exists.
pub fn may_edit(actor: &Actor, message: Option<&MessageRow>) -> Result<(), Denied> {
    match message {
        Some(message) if message.author_id == actor.id => Ok(()),
        _ => Err(Denied::NotYourMessage),
    }
}

/// Deleting a message for everyone while its place stays ("Message deleted"): its author, or a
/// moderator of its room (`None` as above).
pub fn may_retract(actor: &Actor, room: &Room, message: Option<&MessageRow>) -> Result<(), Denied> {
    match message {
        Some(message) if message.author_id == actor.id || moderates(actor, room) => Ok(()),
        _ => Err(Denied::NotYourMessage),
    }
}

/// Whether the actor moderates a room: deletes anyone's messages there. Administrators do every
/// room; room roles will add moderators of their own rooms here.
pub fn moderates(actor: &Actor, _room: &Room) -> bool {
    actor.is_admin
}

/// Removing a message from its room's history, for everyone. `None`: there is no such message;
/// whoever could not delete it if it existed is refused the same way, so a refusal does not say
/// whether it exists.
pub fn may_delete_message(actor: &Actor, _message: Option<&MessageRow>) -> Result<(), Denied> {
    administrator(actor)
}

/// Removing a room and its history. `None`: there is no such room (as for messages above).
pub fn may_delete_room(actor: &Actor, _room: Option<&Room>) -> Result<(), Denied> {
    administrator(actor)
}

/// The admin screen: every account, room and message, and disabling accounts.
pub fn may_administer(actor: &Actor) -> Result<(), Denied> {
    administrator(actor)
}

/// Disabling an account (or enabling it again).
pub fn may_disable(actor: &Actor, target_id: i64, disabled: bool) -> Result<(), Denied> {
    administrator(actor)?;
    if disabled && actor.id == target_id {
        return Err(Denied::OwnAccount);
    }
    Ok(())
}

fn administrator(actor: &Actor) -> Result<(), Denied> {
    if actor.is_admin {
        Ok(())
    } else {
        Err(Denied::AdminsOnly)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(id: i64, is_admin: bool) -> Actor {
        Actor { id, username: format!("user{id}"), is_admin }
    }

    fn message(author: i64) -> MessageRow {
        MessageRow { id: 7, room_id: 1, room: "general".into(), author_id: author }
    }

    #[test]
    fn only_administrators_delete_messages_even_their_own() {
        assert_eq!(may_delete_message(&actor(1, false), Some(&message(1))), Err(Denied::AdminsOnly));
        assert_eq!(may_delete_message(&actor(2, false), Some(&message(1))), Err(Denied::AdminsOnly));
        assert_eq!(
            may_delete_message(&actor(2, false), None),
            Err(Denied::AdminsOnly),
            "existence is not told"
        );
        assert_eq!(may_delete_message(&actor(3, true), Some(&message(1))), Ok(()));
    }

    fn room() -> Room {
        Room { id: 1, name: "general".into(), created_by: None, created_at: 0, last_seq: 0 }
    }

    #[test]
    fn only_the_author_edits_and_the_author_or_a_moderator_deletes() {
        let (alice, bob, admin) = (actor(1, false), actor(2, false), actor(3, true));
        assert_eq!(may_edit(&alice, Some(&message(1))), Ok(()));
        assert_eq!(may_edit(&bob, Some(&message(1))), Err(Denied::NotYourMessage));
        assert_eq!(may_edit(&admin, Some(&message(1))), Err(Denied::NotYourMessage), "not even an admin");
        assert_eq!(may_edit(&alice, None), Err(Denied::NotYourMessage), "existence is not told");
        assert_eq!(may_retract(&alice, &room(), Some(&message(1))), Ok(()));
        assert_eq!(may_retract(&bob, &room(), Some(&message(1))), Err(Denied::NotYourMessage));
        assert_eq!(may_retract(&admin, &room(), Some(&message(1))), Ok(()));
        assert_eq!(may_retract(&bob, &room(), None), Err(Denied::NotYourMessage));
    }

    #[test]
    fn an_administrator_cannot_disable_their_own_account() {
        assert_eq!(may_disable(&actor(1, true), 1, true), Err(Denied::OwnAccount));
        assert_eq!(may_disable(&actor(1, true), 1, false), Ok(()));
        assert_eq!(may_disable(&actor(1, true), 2, true), Ok(()));
        assert_eq!(may_disable(&actor(1, false), 2, true), Err(Denied::AdminsOnly));
    }
}
