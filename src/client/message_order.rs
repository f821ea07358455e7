//! A room's messages as the page holds them.

use crate::shared::views::MessageView;

/// Keeps messages in id order without duplicates, whatever order frames arrive in.
pub fn insert_in_order(messages: &mut Vec<MessageView>, message: MessageView) {
    if let Err(at) = messages.binary_search_by_key(&message.id, |m| m.id) {
        messages.insert(at, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: i64) -> MessageView {
        MessageView { id, room: "r".into(), author: "a".into(), body: format!("m{id}"), sent_at_ms: 0 }
    }

    #[test]
    fn messages_stay_in_id_order_once_each() {
        let mut list = Vec::new();
        for id in [3, 1, 2, 3, 1] {
            insert_in_order(&mut list, message(id));
        }
        assert_eq!(list.iter().map(|m| m.id).collect::<Vec<_>>(), vec![1, 2, 3]);
    }
}
