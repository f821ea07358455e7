//! A room's messages as the page holds them.

use crate::shared::{replies::requote, views::MessageView};

/// Keeps messages in id order without duplicates, whatever order frames arrive in; of two
/// states of one message, the newer (by version) stays. A reply quotes the newest state of its
/// original shown here (its quote was taken before a change that may have come first).
pub fn insert_in_order(messages: &mut Vec<MessageView>, mut message: MessageView) {
    if let Some(original) =
        message.reply.as_ref().and_then(|quote| messages.binary_search_by_key(&quote.id, |m| m.id).ok())
    {
        requote(std::slice::from_mut(&mut message), &messages[original]);
    }
    match messages.binary_search_by_key(&message.id, |m| m.id) {
        Err(at) => messages.insert(at, message),
        Ok(at) if message.version > messages[at].version => messages[at] = message,
        Ok(_) => {}
    }
}

/// A message's new state (edited, deleted) replaces an older one shown, and the quotes of it in
/// replies follow. A message not shown is left out, unless `early` and newer than every message
/// shown: its change came before it.
pub fn apply_change(messages: &mut Vec<MessageView>, changed: &MessageView, early: bool) {
    let newest = messages.last().map_or(0, |m| m.id);
    let shown = messages.binary_search_by_key(&changed.id, |m| m.id).is_ok();
    requote(messages, changed);
    if shown || (early && changed.id > newest) {
        insert_in_order(messages, changed.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: i64) -> MessageView {
        MessageView {
            id,
            room: "r".into(),
            author: "a".into(),
            body: format!("m{id}"),
            ..MessageView::default()
        }
    }

    #[test]
    fn messages_stay_in_id_order_once_each() {
        let mut list = Vec::new();
        for id in [3, 1, 2, 3, 1] {
            insert_in_order(&mut list, message(id));
        }
        assert_eq!(list.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1, 2, 3]);
    }

    #[test]
    fn the_newest_state_of_a_message_stays_whatever_order_its_states_arrive_in() {
        let mut list = vec![message(1), message(2)];
        let state = |id, version, body: &str| MessageView { version, body: body.into(), ..message(id) };
        apply_change(&mut list, &state(2, 7, "fixed"), true);
        apply_change(&mut list, &state(2, 5, "typo"), true);
        insert_in_order(&mut list, message(2));
        assert_eq!(list[1].body, "fixed", "older states are dropped");
        apply_change(&mut list, &state(9, 8, "early"), false);
        assert_eq!(list.len(), 2, "a message not shown is left out");
        apply_change(&mut list, &state(3, 8, "early"), true);
        insert_in_order(&mut list, message(3));
        assert_eq!(list[2].body, "early", "its change came first and stays");
        apply_change(&mut list, &state(0, 9, "gone"), true);
        assert_eq!(list.len(), 3, "older than the newest shown: not news");
    }

    #[test]
    fn a_reply_quotes_the_newest_state_of_its_original_whatever_came_first() {
        use crate::shared::views::ReplyQuote;
        let original = message(1);
        let reply = MessageView { reply: Some(ReplyQuote::of(&original)), ..message(2) };
        let mut list = vec![original.clone()];
        // The original's edit came before the reply quoting its earlier text.
        apply_change(&mut list, &MessageView { version: 4, body: "fixed".into(), ..original }, true);
        insert_in_order(&mut list, reply);
        assert_eq!(list[1].reply.as_ref().map(|q| (q.excerpt.as_str(), q.version)), Some(("fixed", 4)));
        apply_change(
            &mut list,
            &MessageView { version: 6, deleted: true, body: String::new(), ..message(1) },
            true,
        );
        assert!(list[1].reply.as_ref().is_some_and(|q| q.deleted), "and follows it after");
    }
}
