//! Invite links to a room (`/invite/<code>`): the choices offered when making one, and how its
//! room's owner and moderators see it.

use serde::{Deserialize, Serialize};

/// The longest an invite link can last: a year.
pub const EXPIRY_HOURS_MOST: u32 = 365 * 24;
/// The most people one link can let in.
pub const USES_MOST: u32 = 1000;
/// The most links a room can have at once (revoking, expiring or using one up frees its place).
pub const LINKS_MOST: u64 = 25;

/// What "Expires" offers: hours, and how the form names them (0: never).
pub const EXPIRY_CHOICES: [(u32, &str); 5] =
    [(1, "In 1 hour"), (24, "In 1 day"), (24 * 7, "In 7 days"), (24 * 30, "In 30 days"), (0, "Never")];
/// The choice made unless another is: a link shared today is rarely wanted next month.
pub const EXPIRY_DEFAULT: u32 = 24 * 7;
/// What "Use limit" offers (0: none).
pub const USE_CHOICES: [(u32, &str); 6] =
    [(0, "No limit"), (1, "1 use"), (5, "5 uses"), (10, "10 uses"), (25, "25 uses"), (100, "100 uses")];

/// A valid link, as its room's managers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLink {
    pub code: String,
    /// Seconds left; `None`: it never expires.
    pub expires_in_secs: Option<u64>,
    pub uses: u32,
    pub max_uses: Option<u32>,
}

impl InviteLink {
    /// "Used 2 of 10 · expires in 3 days".
    pub fn state(&self) -> String {
        let used = match (self.uses, self.max_uses) {
            (uses, Some(most)) => format!("Used {uses} of {most}"),
            (0, None) => "Not used yet".to_owned(),
            (1, None) => "Used once".to_owned(),
            (uses, None) => format!("Used {uses} times"),
        };
        let expires = match self.expires_in_secs {
            Some(secs) => format!("expires in {}", super::time_words::span(secs)),
            None => "never expires".to_owned(),
        };
        format!("{used} · {expires}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(expires_in_secs: Option<u64>, uses: u32, max_uses: Option<u32>) -> String {
        InviteLink { code: "c".into(), expires_in_secs, uses, max_uses }.state()
    }

    #[test]
    fn a_link_says_how_much_of_it_is_left() {
        assert_eq!(link(None, 0, None), "Not used yet · never expires");
        assert_eq!(link(None, 1, None), "Used once · never expires");
        assert_eq!(link(None, 4, None), "Used 4 times · never expires");
        assert_eq!(link(Some(3 * 86_400 + 5), 2, Some(10)), "Used 2 of 10 · expires in 3 days");
        assert_eq!(link(Some(7_200), 0, Some(1)), "Used 0 of 1 · expires in 2 hours");
        assert_eq!(link(Some(30), 0, None), "Not used yet · expires in 1 minute");
        assert_eq!(link(Some(36 * 3_600), 0, None), "Not used yet · expires in 36 hours");
    }
}
