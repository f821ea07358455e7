//! Replies: a message may answer an earlier one of its room, and shows a quote of it (author and
//! the start of its text). The quote travels with the reply; a tab keeps it in step with its
//! original as the original is edited or deleted.

use super::{
    excerpt::excerpt,
    views::{MessageView, ReplyQuote},
};

impl ReplyQuote {
    /// The quote of `original` as it is now: a deleted one keeps no text.
    pub fn of(original: &MessageView) -> Self {
        Self {
            id: original.id,
            author: original.author.clone(),
            excerpt: if original.deleted { String::new() } else { excerpt(&original.body) },
            deleted: original.deleted,
            version: original.version,
        }
    }

    /// The quote of a message that is gone from the history (an administrator removed it).
    pub fn removed(id: i64) -> Self {
        Self { id, author: String::new(), excerpt: String::new(), deleted: true, version: i64::MAX }
    }
}

/// Message `changed` has a new state: the quotes of it in `messages` follow, unless they hold a
/// newer one already.
pub fn requote(messages: &mut [MessageView], changed: &MessageView) {
    for message in messages.iter_mut() {
        if let Some(quote) = &mut message.reply {
            if quote.id == changed.id && quote.version < changed.version {
                *quote = ReplyQuote::of(changed);
            }
        }
    }
}

/// How many recent states of messages a tab keeps for replies still on their way ([`Recent`]).
const RECENT_STATES: usize = 100;

/// The latest states of a room's recently changed messages, as quotes. A reply's quote is taken
/// when it is sent; a change to its original can reach a tab before the reply does (the reply
/// waits its turn in the writer, or for its number on another instance), and must not be undone
/// by it: a deleted original's text must not come back.
#[derive(Debug, Default)]
pub struct Recent(Vec<ReplyQuote>);

impl Recent {
    /// Message `changed`'s state now (or, with [`ReplyQuote::removed`], its removal).
    pub fn saw(&mut self, state: ReplyQuote) {
        match self.0.iter_mut().find(|seen| seen.id == state.id) {
            Some(seen) if seen.version < state.version => *seen = state,
            Some(_) => {}
            None => {
                if self.0.len() == RECENT_STATES {
                    self.0.remove(0);
                }
                self.0.push(state);
            }
        }
    }

    /// Brings `reply`'s quote up to the newest state seen of its original.
    pub fn freshen(&self, reply: &mut MessageView) {
        if let Some(quote) = &mut reply.reply {
            if let Some(seen) = self.0.iter().find(|seen| seen.id == quote.id && seen.version > quote.version)
            {
                *quote = seen.clone();
            }
        }
    }
}

/// Message `id` was removed from the history: the quotes of it say so.
pub fn unquote(messages: &mut [MessageView], id: i64) {
    for message in messages.iter_mut() {
        if let Some(quote) = &mut message.reply {
            if quote.id == id {
                *quote = ReplyQuote::removed(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: i64, version: i64, body: &str) -> MessageView {
        MessageView { id, version, author: "alice".into(), body: body.into(), ..MessageView::default() }
    }

    #[test]
    fn a_quote_follows_its_originals_newest_state_and_its_deletion() {
        let original = message(1, 0, "first\nline");
        let mut list = vec![
            original.clone(),
            MessageView { reply: Some(ReplyQuote::of(&original)), ..message(2, 0, "re") },
        ];
        assert_eq!(list[1].reply.as_ref().map(|q| q.excerpt.as_str()), Some("first line"));
        requote(&mut list, &message(1, 7, "fixed"));
        requote(&mut list, &message(1, 5, "typo"));
        assert_eq!(
            list[1].reply.as_ref().map(|q| q.excerpt.as_str()),
            Some("fixed"),
            "older states are dropped"
        );
        requote(&mut list, &MessageView { deleted: true, body: String::new(), ..message(1, 9, "") });
        let quote = list[1].reply.clone().expect("still a reply");
        assert!(quote.deleted && quote.excerpt.is_empty());
        unquote(&mut list, 1);
        assert_eq!(list[1].reply, Some(ReplyQuote::removed(1)));
    }

    #[test]
    fn a_reply_arriving_after_its_originals_deletion_does_not_bring_its_text_back() {
        let original = message(1, 0, "a secret");
        let mut recent = Recent::default();
        recent.saw(ReplyQuote::of(&MessageView { deleted: true, body: String::new(), ..message(1, 5, "") }));
        recent.saw(ReplyQuote::of(&message(1, 3, "older, late")));
        let mut reply = MessageView { reply: Some(ReplyQuote::of(&original)), ..message(2, 0, "re") };
        recent.freshen(&mut reply);
        let quote = reply.reply.expect("a reply");
        assert!(quote.deleted && quote.excerpt.is_empty() && quote.version == 5);
        recent.saw(ReplyQuote::removed(1));
        let mut late = MessageView { reply: Some(ReplyQuote::of(&original)), ..message(3, 0, "re") };
        recent.freshen(&mut late);
        assert_eq!(late.reply, Some(ReplyQuote::removed(1)));
    }
}
