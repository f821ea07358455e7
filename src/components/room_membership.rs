//! A room's membership, in a bar above it: its topic, "Private", the members and their roles,
//! and what the viewer may do about them ("Edit topic", "Add member", "Invite links", "Make
//! moderator", "Remove from room", "Make room private", "Leave room"). Rendered by the server
//! only, as plain forms beside the room's island: it works without JavaScript and adds nothing
//! to the bundle.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    api::members::{
        AddMember, Appoint, Ban, CreateInvite, LeaveRoom, Mute, RemoveMember, RevokeInvite, SetRoomPrivate,
        SetRoomTopic, Unban, Unmute,
    },
    shared::{
        invites::{InviteLink, EXPIRY_CHOICES, EXPIRY_DEFAULT, USE_CHOICES},
        membership::{Member, Role, RoomAccess},
        moderation::{LogEntry, MUTE_CHOICES},
        paths, time_words,
    },
};

#[component]
pub fn RoomMembership(
    room: String,
    me: String,
    access: RoomAccess,
    origin: String,
    refused: Option<String>,
) -> impl IntoView {
    let RoomAccess {
        private,
        topic,
        role,
        manages,
        admin,
        governs,
        members,
        member_count,
        invites,
        banned,
        muted_for_secs,
        log,
    } = access;
    // The same words a refused message gets (its text is built for the server only).
    #[cfg(feature = "ssr")]
    let muted_notice = muted_for_secs.map(|secs| crate::error::AppError::Muted(secs).to_string());
    #[cfg(not(feature = "ssr"))]
    let muted_notice = muted_for_secs.map(|_| String::new());
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
    let logged = manages.then(|| view! { <ModerationLog log/> });
    let inviting = manages.then(|| view! { <InviteLinks room=room.clone() origin links=invites/> });
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
            {muted_notice.map(|text| view! { <p role="status" class="notice">{text}</p> })}
            <details class="members">
                <summary>{format!("Members ({member_count})")}</summary>
                <div class="members-panel">
                    <ul>{rows}</ul>
                    {adding}
                    {manages.then(|| view! { <BannedList room=room.clone() banned/> })}
                    {visibility}
                </div>
            </details>
            {inviting}
            {editing_topic}
            {logged}
            {leaving}
        </div>
    }
}

/// One member: their name and role, and the actions the viewer has on them.
#[component]
fn MemberRow(room: String, member: Member, governs: bool, removable: bool) -> impl IntoView {
    let Member { name, role, muted_for_secs } = member;
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
        let remove = format!("Remove {name} from the room");
        let ban = format!("Ban {name} from the room");
        view! {
            <MemberAction action=RemoveMember::url() room=room.clone() name=name.clone() label=remove
                text="Remove from room"/>
            <MemberAction action=Ban::url() room=room.clone() name=name.clone() label=ban text="Ban"
                class="link-button danger"/>
        }
    });
    let shown_role = (role != Role::Member).then(|| view! { <span class="role">{role.label()}</span> });
    let muted = muted_for_secs.map(|secs| {
        view! { <span class="role">{format!("muted for another {}", time_words::span(secs))}</span> }
    });
    let muting = removable.then(|| match muted_for_secs {
        Some(_) => {
            let label = format!("Unmute {name}");
            view! { <MemberAction action=Unmute::url() room=room.clone() name=name.clone() label text="Unmute"/> }
                .into_any()
        }
        None => {
            let choices = MUTE_CHOICES.map(|(minutes, label)| view! { <option value=minutes>{label}</option> });
            view! {
                <form method="post" action=Mute::url() class="mute">
                    <input type="hidden" name="room" value=room.clone()/>
                    <input type="hidden" name="username" value=name.clone()/>
                    <select name="minutes" aria-label=format!("Mute {name} for")>{choices}</select>
                    <button type="submit" class="link-button" aria-label=format!("Mute {name}")>"Mute"</button>
                </form>
            }
            .into_any()
        }
    });
    view! {
        <li>
            <span class="member-name">{name.clone()}</span>
            {shown_role}
            {muted}
            {governing}
            {removing}
            {muting}
        </li>
    }
}

/// A room's invite links, for its owner and moderators: each to copy, with how much of it is
/// left and "Revoke"; and a form making a new one.
#[component]
fn InviteLinks(room: String, origin: String, links: Vec<InviteLink>) -> impl IntoView {
    let count = links.len();
    let rows = links
        .into_iter()
        .enumerate()
        .map(|(index, link)| {
            let address = format!("{origin}{}", paths::invite(&link.code));
            let number = index + 1;
            view! {
                <li>
                    <input class="invite-address" readonly value=address.clone()
                        aria-label=format!("Invite link {number}")/>
                    <span class="invite-state">{link.state()}</span>
                    <form method="post" action=RevokeInvite::url()>
                        <input type="hidden" name="room" value=room.clone()/>
                        <input type="hidden" name="code" value=link.code.clone()/>
                        <button type="submit" class="link-button"
                            aria-label=format!("Revoke invite link {number}")>"Revoke"</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    let expiry = EXPIRY_CHOICES.map(
        |(hours, label)| view! { <option value=hours selected=hours == EXPIRY_DEFAULT>{label}</option> },
    );
    let uses = USE_CHOICES.map(|(most, label)| view! { <option value=most>{label}</option> });
    view! {
        <details class="invites">
            <summary>{format!("Invite links ({count})")}</summary>
            <div class="members-panel">
                <ul class="invite-links">{rows}</ul>
                <form method="post" action=CreateInvite::url() class="create-invite">
                    <input type="hidden" name="room" value=room/>
                    <label for="invite-expires">"Expires"</label>
                    <select id="invite-expires" name="expires_hours">{expiry}</select>
                    <label for="invite-uses">"Use limit"</label>
                    <select id="invite-uses" name="max_uses">{uses}</select>
                    <button type="submit">"Create invite link"</button>
                </form>
            </div>
        </details>
    }
}

/// Who is banned from the room, each with "Unban"; and banning by name, for someone no longer
/// in it (who left a public room to come back later).
#[component]
fn BannedList(room: String, banned: Vec<String>) -> impl IntoView {
    let count = banned.len();
    let rows = banned
        .into_iter()
        .map(|name| {
            let label = format!("Unban {name}");
            view! {
                <li>
                    <span class="member-name">{name.clone()}</span>
                    <MemberAction action=Unban::url() room=room.clone() name label text="Unban"/>
                </li>
            }
        })
        .collect_view();
    view! {
        <h3 class="panel-heading">{format!("Banned ({count})")}</h3>
        <ul class="banned">{rows}</ul>
        <form method="post" action=Ban::url() class="add-member">
            <input type="hidden" name="room" value=room/>
            <label for="ban-name">"Username to ban"</label>
            <input id="ban-name" name="username" autocomplete="off" required/>
            <button type="submit" class="secondary">"Ban user"</button>
        </form>
    }
}

/// The room's latest moderation, newest first: who did what, and how long ago.
#[component]
fn ModerationLog(log: Vec<LogEntry>) -> impl IntoView {
    let empty = log.is_empty().then(|| view! { <p class="muted">"Nothing yet."</p> });
    let rows = log
        .into_iter()
        .map(|entry| {
            view! {
                <li>
                    <span>{entry.sentence()}</span>
                    " "
                    <span class="muted">{time_words::ago(entry.ago_secs)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <details class="moderation-log">
            <summary>"Moderation log"</summary>
            <div class="members-panel">
                {empty}
                <ol class="log-entries">{rows}</ol>
            </div>
        </details>
    }
}

/// One button acting on one member of the room (a plain form naming both).
#[component]
fn MemberAction(
    action: &'static str,
    room: String,
    name: String,
    /// Its accessible name, naming the member ("Ban NAME from the room").
    label: String,
    text: &'static str,
    #[prop(default = "link-button")] class: &'static str,
) -> impl IntoView {
    view! {
        <form method="post" action=action>
            <input type="hidden" name="room" value=room/>
            <input type="hidden" name="username" value=name/>
            <button type="submit" class=class aria-label=label>{text}</button>
        </form>
    }
}
