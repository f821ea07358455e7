//! Deleting one's own account: what happens to what the person said, and the name shown where
//! they used to be.

#[cfg(feature = "ssr")]
use super::validate::InvalidInput;

/// The name every deleted account's messages show: not a valid username (it has a space), so no
/// one can sign up as it or be confused with it.
pub const DELETED_USER: &str = "deleted user";

/// What happens to a deleted account's messages: the person chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TheirMessages {
    /// They stay where they are, shown as from "deleted user".
    Keep,
    /// Each loses its text like a message deleted by its author ("Message deleted"): replies
    /// to it keep their place.
    Remove,
}

impl TheirMessages {
    /// The form's choices: its value, and what it says.
    pub const CHOICES: [(Self, &'static str, &'static str); 2] = [
        (Self::Keep, "keep", "Keep them, shown as from “deleted user”"),
        (Self::Remove, "remove", "Remove them from every room"),
    ];

    /// The choice a form sent, by its value.
    #[cfg(feature = "ssr")]
    pub fn from_value(value: &str) -> Result<Self, InvalidInput> {
        Self::CHOICES
            .iter()
            .find(|(_, v, _)| *v == value)
            .map(|(choice, _, _)| *choice)
            .ok_or(InvalidInput::MessagesChoice)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn each_choice_reads_back_from_its_value_and_nothing_else_does() {
        for (choice, value, _) in TheirMessages::CHOICES {
            assert_eq!(TheirMessages::from_value(value), Ok(choice));
        }
        assert_eq!(TheirMessages::from_value("Keep"), Err(InvalidInput::MessagesChoice));
        assert_eq!(TheirMessages::from_value(""), Err(InvalidInput::MessagesChoice));
        assert!(crate::shared::validate::username(DELETED_USER).is_err());
    }
}
