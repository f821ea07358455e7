//! Who may do what: one function per action, answering `Ok(())` or why not. Every path (socket
//! frames, server functions, pages) asks here before it acts, so a rule changes in one place.
//!
//! A public room is open to everyone signed in (opening it makes you a member); a private one to
//! its members, and to anyone else it does not exist ([`Denied::Hidden`] reads "No such room").
//! Within a room, moderators and the owner run it ([`Role`]); site administrators can do
//! everything everywhere. Whether one connection has joined a room (which marking it read and
//! saying you type there also need) is that connection's own state, kept in `ws::peer`.

use super::{actor::Actor, error::Denied, standing::Standing};
use crate::{
    server::db::{messages::MessageRow, rooms::Room},
    shared::membership::Role,
};

/// Reading a room: its history, its live messages, who is online, joining it.
pub fn may_read(actor: &Actor, room: &Standing) -> Result<(), Denied> {
    if room.private && room.role.is_none() && !actor.is_admin {
        return Err(Denied::Hidden);
    }
    if room.banned && !actor.is_admin {
        return Err(Denied::Banned);
    }
    Ok(())
}

/// Posting a message in a room (and saying you are typing there). In a public room, whoever may
/// read it (opening it made them a member).
pub fn may_post(actor: &Actor, room: &Standing) -> Result<(), Denied> {
    may_read(actor, room)?;
    match room.muted_for_secs() {
        Some(secs) if !actor.is_admin => Err(Denied::Muted(secs)),
        _ => Ok(()),
    }
}

/// Reacting to a room's messages: whoever may post there.
pub fn may_react(actor: &Actor, room: &Standing) -> Result<(), Denied> {
    may_post(actor, room)
}

/// Pinning a room's messages (and unpinning them): whoever may post there, as in Slack.
pub fn may_pin(actor: &Actor, room: &Standing) -> Result<(), Denied> {
    may_post(actor, room)
}

/// Keeping a read marker and a notification level in a room: its readers.
pub fn may_keep_place(actor: &Actor, room: &Standing) -> Result<(), Denied> {
    may_read(actor, room)
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
pub fn may_retract(actor: &Actor, room: &Standing, message: Option<&MessageRow>) -> Result<(), Denied> {
    match message {
        Some(message) if message.author_id == actor.id || moderates(actor, room) => Ok(()),
        _ => Err(Denied::NotYourMessage),
    }
}

/// Whether the actor moderates a room: its moderators and owner, and administrators.
pub fn moderates(actor: &Actor, room: &Standing) -> bool {
    actor.is_admin || room.holds(Role::Moderator)
}

/// Adding someone to a room by name: its moderators (and owner, and administrators).
pub fn may_add_member(actor: &Actor, room: &Standing) -> Result<(), Denied> {
    may_read(actor, room)?;
    if moderates(actor, room) {
        Ok(())
    } else {
        Err(Denied::ModeratorsOnly)
    }
}

/// Removing a member whose role is `target`: a moderator removes members, the owner moderators
/// too, an administrator anyone but the owner. Nobody removes the owner (they hand the room over
/// first).
pub fn may_remove(actor: &Actor, room: &Standing, target: Role) -> Result<(), Denied> {
    may_add_member(actor, room)?;
    if target == Role::Owner {
        return Err(Denied::OwnerRemoved);
    }
    if actor.is_admin || room.role.is_some_and(|role| role > target) {
        Ok(())
    } else {
        Err(Denied::OwnersOnly)
    }
}

/// Setting a room's topic: its moderators (and owner, and administrators).
pub fn may_set_topic(actor: &Actor, room: &Standing) -> Result<(), Denied> {
    may_add_member(actor, room)
}

/// Making, listing and revoking a room's invite links: whoever may add members one by one.
pub fn may_invite(actor: &Actor, room: &Standing) -> Result<(), Denied> {
    may_add_member(actor, room)
}

/// Banning someone whose role there is `target` (`Member` for someone outside the room): as
/// removing them. Lifting a ban: whoever may add members.
pub fn may_ban(actor: &Actor, room: &Standing, target: Role) -> Result<(), Denied> {
    may_remove(actor, room, target)
}

/// Muting someone whose role there is `target`, and letting them speak again: as removing them.
pub fn may_mute(actor: &Actor, room: &Standing, target: Role) -> Result<(), Denied> {
    may_remove(actor, room, target)
}

/// Making a room public or private, appointing moderators, handing the room over: its owner
/// (and administrators).
pub fn may_govern(actor: &Actor, room: &Standing) -> Result<(), Denied> {
    may_read(actor, room)?;
    if actor.is_admin || room.holds(Role::Owner) {
        Ok(())
    } else {
        Err(Denied::OwnersOnly)
    }
}

/// Leaving a room: any member but its owner, who hands it over first (a room is never without
/// someone to run it).
pub fn may_leave(room: &Standing) -> Result<(), Denied> {
    match room.role {
        None => Err(Denied::Hidden),
        Some(Role::Owner) => Err(Denied::OwnerStays),
        Some(_) => Ok(()),
    }
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

    fn room(private: bool, role: Option<Role>) -> Standing {
        let room = Room {
            id: 1,
            name: "general".into(),
            created_by: None,
            created_at: 0,
            last_seq: 0,
            private,
            topic: String::new(),
        };
        Standing { room, role, banned: false, muted_until: None }
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

    #[test]
    fn only_the_author_edits_and_the_author_or_a_moderator_deletes() {
        let (alice, bob, admin) = (actor(1, false), actor(2, false), actor(3, true));
        let member = room(false, Some(Role::Member));
        assert_eq!(may_edit(&alice, Some(&message(1))), Ok(()));
        assert_eq!(may_edit(&bob, Some(&message(1))), Err(Denied::NotYourMessage));
        assert_eq!(may_edit(&admin, Some(&message(1))), Err(Denied::NotYourMessage), "not even an admin");
        assert_eq!(may_edit(&alice, None), Err(Denied::NotYourMessage), "existence is not told");
        assert_eq!(may_retract(&alice, &member, Some(&message(1))), Ok(()));
        assert_eq!(may_retract(&bob, &member, Some(&message(1))), Err(Denied::NotYourMessage));
        assert_eq!(may_retract(&bob, &room(false, Some(Role::Moderator)), Some(&message(1))), Ok(()));
        assert_eq!(may_retract(&admin, &room(false, None), Some(&message(1))), Ok(()));
        assert_eq!(may_retract(&bob, &member, None), Err(Denied::NotYourMessage));
    }

    #[test]
    fn an_administrator_cannot_disable_their_own_account() {
        assert_eq!(may_disable(&actor(1, true), 1, true), Err(Denied::OwnAccount));
        assert_eq!(may_disable(&actor(1, true), 1, false), Ok(()));
        assert_eq!(may_disable(&actor(1, true), 2, true), Ok(()));
        assert_eq!(may_disable(&actor(1, false), 2, true), Err(Denied::AdminsOnly));
    }

    /// Every room action × every kind of person × public and private rooms: allowed (`A`) or
    /// refused, and how (`H` hidden, as if the room did not exist; `M` moderators only; `O`
    /// owners only; `S` the owner stays; `R` the owner cannot be removed; `B` banned; `U` muted).
    #[test]
    fn the_authorization_table() {
        type Check = fn(&Actor, &Standing) -> Result<(), Denied>;
        let actions: [(&str, Check); 17] = [
            ("read", may_read),
            ("post", may_post),
            ("react", may_react),
            ("pin", may_pin),
            ("keep place", may_keep_place),
            ("add member", may_add_member),
            ("set topic", may_set_topic),
            ("invite", may_invite),
            ("remove member", |a, r| may_remove(a, r, Role::Member)),
            ("remove moderator", |a, r| may_remove(a, r, Role::Moderator)),
            ("remove owner", |a, r| may_remove(a, r, Role::Owner)),
            ("ban member", |a, r| may_ban(a, r, Role::Member)),
            ("ban moderator", |a, r| may_ban(a, r, Role::Moderator)),
            ("mute member", |a, r| may_mute(a, r, Role::Member)),
            ("mute moderator", |a, r| may_mute(a, r, Role::Moderator)),
            ("govern", may_govern),
            ("leave", |_, r| may_leave(r)),
        ];
        let people: [(&str, bool, Option<Role>, bool, bool); 7] = [
            ("outsider", false, None, false, false),
            ("banned", false, None, true, false),
            ("member", false, Some(Role::Member), false, false),
            ("muted", false, Some(Role::Member), false, true),
            ("moderator", false, Some(Role::Moderator), false, false),
            ("owner", false, Some(Role::Owner), false, false),
            ("admin", true, None, false, false),
        ];
        // One row per action; columns: the people above, in a public then a private room.
        let expected = [
            "ABAAAAA HHAAAAA",
            "ABAUAAA HHAUAAA",
            "ABAUAAA HHAUAAA",
            "ABAUAAA HHAUAAA",
            "ABAAAAA HHAAAAA",
            "MBMMAAA HHMMAAA",
            "MBMMAAA HHMMAAA",
            "MBMMAAA HHMMAAA",
            "MBMMAAA HHMMAAA",
            "MBMMOAA HHMMOAA",
            "MBMMRRR HHMMRRR",
            "MBMMAAA HHMMAAA",
            "MBMMOAA HHMMOAA",
            "MBMMAAA HHMMAAA",
            "MBMMOAA HHMMOAA",
            "OBOOOAA HHOOOAA",
            "HHAAASH HHAAASH",
        ];
        let code = |result: Result<(), Denied>| match result {
            Ok(()) => 'A',
            Err(Denied::Hidden) => 'H',
            Err(Denied::ModeratorsOnly) => 'M',
            Err(Denied::OwnersOnly) => 'O',
            Err(Denied::OwnerStays) => 'S',
            Err(Denied::OwnerRemoved) => 'R',
            Err(Denied::Banned) => 'B',
            Err(Denied::Muted(_)) => 'U',
            Err(other) => panic!("unexpected refusal {other:?}"),
        };
        for ((action, check), row) in actions.iter().zip(expected) {
            let got: String = [false, true]
                .iter()
                .map(|&private| {
                    people
                        .iter()
                        .map(|&(_, admin, role, banned, muted)| {
                            let muted_until = muted.then_some(i64::MAX);
                            let standing = Standing { banned, muted_until, ..room(private, role) };
                            code(check(&actor(9, admin), &standing))
                        })
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(got, row, "{action}: {:?}", people.map(|p| p.0));
        }
    }
}
