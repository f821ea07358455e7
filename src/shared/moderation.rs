//! A room's moderation log: what its owner, moderators and the site's administrators did there,
//! as the database keeps it and the room's page says it.

use serde::{Deserialize, Serialize};

/// The most entries a room's page shows (the latest).
pub const LOG_SHOWN: u64 = 50;

/// What "Mute" offers: minutes, and how the form names them.
pub const MUTE_CHOICES: [(u32, &str); 4] =
    [(5, "5 minutes"), (60, "1 hour"), (24 * 60, "1 day"), (7 * 24 * 60, "7 days")];
/// The longest mute: 30 days (longer is a ban).
pub const MUTE_MINUTES_MOST: u32 = 30 * 24 * 60;

/// What was done. Numbered for the database: a number, once given, keeps its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    AddedMember,
    RemovedMember,
    Banned,
    Unbanned,
    MadeModerator,
    RemovedModerator,
    HandedOver,
    MadePrivate,
    MadePublic,
    SetTopic,
    CreatedInvite,
    RevokedInvite,
    /// Someone else's message (an author deleting their own is no moderation).
    DeletedMessage,
    /// `target`: "NAME for SPAN".
    Muted,
    Unmuted,
}

const ACTIONS: [Action; 15] = [
    Action::AddedMember,
    Action::RemovedMember,
    Action::Banned,
    Action::Unbanned,
    Action::MadeModerator,
    Action::RemovedModerator,
    Action::HandedOver,
    Action::MadePrivate,
    Action::MadePublic,
    Action::SetTopic,
    Action::CreatedInvite,
    Action::RevokedInvite,
    Action::DeletedMessage,
    Action::Muted,
    Action::Unmuted,
];

impl Action {
    pub fn number(self) -> i16 {
        ACTIONS.iter().position(|known| *known == self).map_or(-1, |at| at as i16)
    }

    /// `None`: a number this version does not know (written by a newer one).
    pub fn from_number(number: i16) -> Option<Action> {
        usize::try_from(number).ok().and_then(|at| ACTIONS.get(at).copied())
    }
}

/// One entry, as the room's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Who did it; `None`: their account is gone.
    pub actor: Option<String>,
    pub action: Action,
    /// Whom or what it was done to: a username, a topic, a message's author.
    pub target: String,
    pub ago_secs: u64,
}

impl LogEntry {
    /// "alice banned bob".
    pub fn sentence(&self) -> String {
        let who = self.actor.as_deref().unwrap_or("a deleted user");
        let target = &self.target;
        let what = match self.action {
            Action::AddedMember => format!("added {target}"),
            Action::RemovedMember => format!("removed {target} from the room"),
            Action::Banned => format!("banned {target}"),
            Action::Unbanned => format!("unbanned {target}"),
            Action::MadeModerator => format!("made {target} a moderator"),
            Action::RemovedModerator => format!("removed {target} as moderator"),
            Action::HandedOver => format!("made {target} the owner"),
            Action::MadePrivate => "made the room private".to_owned(),
            Action::MadePublic => "made the room public".to_owned(),
            Action::SetTopic if target.is_empty() => "cleared the topic".to_owned(),
            Action::SetTopic => format!("set the topic to “{target}”"),
            Action::CreatedInvite => "created an invite link".to_owned(),
            Action::RevokedInvite => "revoked an invite link".to_owned(),
            Action::DeletedMessage => format!("deleted a message by {target}"),
            Action::Muted => format!("muted {target}"),
            Action::Unmuted => format!("unmuted {target}"),
        };
        format!("{who} {what}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_keeps_its_number() {
        for (at, action) in ACTIONS.iter().enumerate() {
            assert_eq!(action.number(), at as i16);
            assert_eq!(Action::from_number(at as i16), Some(*action));
        }
        assert_eq!(Action::from_number(99), None);
        assert_eq!(Action::from_number(-1), None);
    }

    #[test]
    fn an_entry_reads_as_a_sentence() {
        let entry = |actor: Option<&str>, action, target: &str| {
            LogEntry { actor: actor.map(str::to_owned), action, target: target.into(), ago_secs: 0 }
                .sentence()
        };
        assert_eq!(entry(Some("alice"), Action::Banned, "bob"), "alice banned bob");
        assert_eq!(entry(Some("alice"), Action::SetTopic, ""), "alice cleared the topic");
        assert_eq!(entry(None, Action::MadePrivate, ""), "a deleted user made the room private");
    }
}
