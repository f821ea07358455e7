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
}
