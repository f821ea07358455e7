//! A room's membership, in a bar above it: its topic, "Private", the members and their roles,
//! and what the viewer may do about them ("Edit topic", "Add member", "Make moderator", "Remove
//! from room", "Make room private", "Leave room"). Rendered by the server only, as plain forms beside the room's island:
//! it works without JavaScript and adds nothing to the bundle.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    api::members::{AddMember, Appoint, LeaveRoom, RemoveMember, SetRoomPrivate, SetRoomTopic},
    shared::membership::{Member, Role, RoomAccess},
};

#[component]
pub fn RoomMembership(
    room: String,
    me: String,
    access: RoomAccess,
    refused: Option<String>,
) -> impl IntoView {
    let RoomAccess { private, topic, role, manages, admin, governs, members, member_count } = access;
    let leaves = role.is_some_and(|role| role != Role::Owner);
    let rows = members
        .into_iter()
        .map(|member| {
            let mine = member.name == me;
            // An administrator removes anyone but the owner; others only those below them.
            let removable = manages
                && !mine
                && member.role != Role::Owner
                && (admin || role.is_some_and(|viewer| viewer > member.role));
            view! { <MemberRow room=room.clone() member governs removable/> }
        })
        .collect_view();
    let visibility = governs.then(|| {
        let (label, to) = if private { ("Make room public", "false") } else { ("Make room private", "true") };
        view! {
            <form method="post" action=SetRoomPrivate::url()>
                <input type="hidden" name="room" value=room.clone()/>
                <input type="hidden" name="private" value=to/>
                <button type="submit" class="secondary">{label}</button>
            </form>
        }
    });
    let adding = manages.then(|| {
        view! {
            <form method="post" action=AddMember::url() class="add-member">
                <input type="hidden" name="room" value=room.clone()/>
                <label for="add-member-name">"Username"</label>
                <input id="add-member-name" name="username" autocomplete="off" required/>
                <button type="submit">"Add member"</button>
            </form>
        }
    });
    let shown_topic = (!topic.is_empty()).then(|| view! { <p class="topic">{topic.clone()}</p> });
    let editing_topic = manages.then(|| {
        view! {
            <details class="edit-topic">
                <summary>"Edit topic"</summary>
                <form method="post" action=SetRoomTopic::url() class="members-panel">
                    <input type="hidden" name="room" value=room.clone()/>
                    <label for="room-topic">"Topic"</label>
                    <input id="room-topic" name="topic" value=topic.clone() autocomplete="off"
                        maxlength=crate::shared::validate::TOPIC_MAX/>
                    <button type="submit">"Save topic"</button>
                </form>
            </details>
        }
    });
    let leaving = leaves.then(|| {
        view! {
            <form method="post" action=LeaveRoom::url()>
                <input type="hidden" name="room" value=room.clone()/>
                <button type="submit" class="link-button">"Leave room"</button>
            </form>
        }
    });
    view! {
        <div class="membership">
            {shown_topic}
            {private.then(|| view! { <span class="badge">"Private"</span> })}
            {refused.map(|message| view! { <p role="alert" class="alert">{message}</p> })}
            <details class="members">
                <summary>{format!("Members ({member_count})")}</summary>
                <div class="members-panel">
                    <ul>{rows}</ul>
                    {adding}
                    {visibility}
                </div>
            </details>
            {editing_topic}
            {leaving}
        </div>
    }
}

/// One member: their name and role, and the actions the viewer has on them.
#[component]
fn MemberRow(room: String, member: Member, governs: bool, removable: bool) -> impl IntoView {
    let Member { name, role } = member;
    let appoint = |to: Role, text: &'static str, label: String| {
        view! {
            <form method="post" action=Appoint::url()>
                <input type="hidden" name="room" value=room.clone()/>
                <input type="hidden" name="username" value=name.clone()/>
                <input type="hidden" name="role" value=to.label()/>
                <button type="submit" class="link-button" aria-label=label>{text}</button>
            </form>
        }
    };
    let governing = (governs && role != Role::Owner).then(|| {
        let promote = match role {
            Role::Member => appoint(Role::Moderator, "Make moderator", format!("Make {name} a moderator")),
            _ => appoint(Role::Member, "Remove moderator", format!("Remove {name} as moderator")),
        };
        let hand_over = appoint(Role::Owner, "Make owner", format!("Make {name} the owner"));
        view! { {promote} {hand_over} }
    });
    let removing = removable.then(|| {
        view! {
            <form method="post" action=RemoveMember::url()>
                <input type="hidden" name="room" value=room.clone()/>
                <input type="hidden" name="username" value=name.clone()/>
                <button type="submit" class="link-button" aria-label=format!("Remove {name} from the room")>
                    "Remove from room"
                </button>
            </form>
        }
    });
    let shown_role = (role != Role::Member).then(|| view! { <span class="role">{role.label()}</span> });
    view! {
        <li>
            <span class="member-name">{name.clone()}</span>
            {shown_role}
            {governing}
            {removing}
        </li>
    }
}
