//! Puts each room's messages back in id order on their way to this instance's sockets.
//!
//! Several instances store messages at once, and each publishes its own after storing them, so
//! Redis may carry a room's message 8 before message 7. Every message is numbered in its room
//! (1, 2, 3… in id order, see `db::messages::insert_numbered`), so a reader that has delivered 6
//! and receives 8 knows exactly what it lacks: it holds 8 until 7 arrives. If 7 does not come
//! (its instance died between storing and publishing, a publish was lost, Redis is down), the
//! held ones wait at most a moment: message 7 is already in the database, so the reader fetches
//! everything stored between 6 and 8 and goes on ([`RoomOrder::overdue`], [`RoomOrder::fill`]).
//!
//! Delivering happens under the lock, so this instance's writer and its Redis listener, which
//! both offer messages, cannot interleave a room's messages out of order.

use std::{
    collections::{btree_map, BTreeMap, HashMap},
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::server::{bus::NumberedFrame, subscribers::Frame};

/// Where each room's numbers stand for this instance, by room id (a room deleted and made again
/// under the same name starts its numbers afresh under a new id). It starts from the database
/// ([`RoomOrder::start_from`]) before the instance listens to Redis; a room it does not know was
/// made since, so it waits for that room's messages from number 1.
#[derive(Default)]
pub struct RoomOrder {
    rooms: Mutex<HashMap<i64, Line>>,
}

/// One room's place in its numbers.
struct Line {
    topic: String,
    /// The number that may go out next.
    next: i64,
    /// The id of the last message delivered in order (or stored before this instance listened).
    last_id: i64,
    /// Arrived before their turn, by number: (id, frame).
    held: BTreeMap<i64, (i64, Frame)>,
    /// Since when the earliest held message has waited.
    held_since: Option<Instant>,
}

/// What a room lacks: every message stored after `after_id` and before `before_id`, the first
/// message held (numbered `before_seq`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub room_id: i64,
    pub topic: String,
    pub after_id: i64,
    pub before_id: i64,
    pub before_seq: i64,
}

/// How far a room's numbering had gone, as the database says: its last number and the id of
/// the message that has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedSoFar {
    pub room_id: i64,
    pub topic: String,
    pub last_seq: i64,
    pub last_id: i64,
}

impl RoomOrder {
    /// Learns where rooms stand, read before listening: what was numbered by then is not
    /// awaited. Rooms already known keep their place (a reconnect to Redis).
    pub fn start_from(&self, rooms: impl IntoIterator<Item = NumberedSoFar>) {
        let mut lines = self.rooms.lock().unwrap_or_else(|poison| poison.into_inner());
        for room in rooms {
            lines.entry(room.room_id).or_insert_with(|| Line {
                topic: room.topic,
                next: room.last_seq + 1,
                last_id: room.last_id,
                held: BTreeMap::new(),
                held_since: None,
            });
        }
    }

    /// Takes one numbered message and hands `deliver`, in order, every message of its room that
    /// may go out now: none (it is early, or a copy of one delivered), it alone, or it and the
    /// ones it was holding up.
    pub fn offer(&self, message: &NumberedFrame, mut deliver: impl FnMut(&str, &Frame)) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|poison| poison.into_inner());
        let line = rooms.entry(message.room_id).or_insert_with(|| Line {
            topic: message.topic.clone(),
            next: 1,
            last_id: 0,
            held: BTreeMap::new(),
            held_since: None,
        });
        if message.seq == line.next {
            line.pass(message.id, &message.frame, &mut deliver);
            line.release(&mut deliver);
        } else if message.seq > line.next {
            if let btree_map::Entry::Vacant(vacant) = line.held.entry(message.seq) {
                vacant.insert((message.id, message.frame.clone()));
                line.held_since.get_or_insert_with(Instant::now);
            }
        }
        // Below `next`: delivered already (or filled in from the database).
    }

    /// Rooms whose earliest held message has waited longer than `patience` for those before it.
    pub fn overdue(&self, patience: Duration) -> Vec<Gap> {
        let rooms = self.rooms.lock().unwrap_or_else(|poison| poison.into_inner());
        rooms
            .iter()
            .filter(|(_, line)| line.held_since.is_some_and(|since| since.elapsed() >= patience))
            .filter_map(|(room_id, line)| {
                let (before_seq, (before_id, _)) = line.held.first_key_value()?;
                Some(Gap {
                    room_id: *room_id,
                    topic: line.topic.clone(),
                    after_id: line.last_id,
                    before_id: *before_id,
                    before_seq: *before_seq,
                })
            })
            .collect()
    }

    /// Closes a gap with what the database holds in it (`found`: every message stored there,
    /// oldest first), then lets the held messages after it go. Those of `found` that arrived
    /// meanwhile are not delivered twice.
    pub fn fill(&self, gap: &Gap, found: &[(i64, Frame)], mut deliver: impl FnMut(&str, &Frame)) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|poison| poison.into_inner());
        let Some(line) = rooms.get_mut(&gap.room_id) else { return };
        if line.next >= gap.before_seq {
            return;
        }
        for (id, frame) in found {
            if *id > line.last_id && *id < gap.before_id {
                deliver(&line.topic, frame);
                line.last_id = *id;
            }
        }
        line.next = gap.before_seq;
        line.release(&mut deliver);
    }
}

impl Line {
    fn pass(&mut self, id: i64, frame: &Frame, deliver: &mut impl FnMut(&str, &Frame)) {
        deliver(&self.topic, frame);
        self.next += 1;
        self.last_id = id;
    }

    /// Lets go the held messages that are next in line.
    fn release(&mut self, deliver: &mut impl FnMut(&str, &Frame)) {
        while let Some(entry) = self.held.first_entry() {
            if *entry.key() > self.next {
                break;
            }
            let seq = *entry.key();
            let (id, frame) = entry.remove();
            // Below `next`: it came while its gap was being filled from the database.
            if seq == self.next {
                self.pass(id, &frame, deliver);
            }
        }
        // What is still held starts waiting now: its own predecessors may be on their way.
        self.held_since = if self.held.is_empty() { None } else { Some(Instant::now()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Room 1 has had 4 messages (ids 10 to 40) before this instance listened.
    fn started() -> RoomOrder {
        let order = RoomOrder::default();
        order.start_from([NumberedSoFar { room_id: 1, topic: "room1".into(), last_seq: 4, last_id: 40 }]);
        order
    }

    fn numbered(room_id: i64, seq: i64) -> NumberedFrame {
        let id = seq * 10;
        NumberedFrame {
            topic: format!("room{room_id}"),
            room_id,
            seq,
            id,
            frame: Frame::from(format!("{id}")),
        }
    }

    /// Offers messages by number; returns the ids delivered, in order.
    fn offer_all(order: &RoomOrder, room_id: i64, seqs: &[i64]) -> Vec<i64> {
        let mut delivered = Vec::new();
        for seq in seqs {
            order.offer(&numbered(room_id, *seq), |_, frame| delivered.push(frame.parse().unwrap()));
        }
        delivered
    }

    #[test]
    fn an_early_message_waits_for_the_one_before_it() {
        let order = started();
        assert_eq!(offer_all(&order, 1, &[5, 7, 8]), vec![50]);
        assert_eq!(offer_all(&order, 1, &[6]), vec![60, 70, 80]);
        assert!(order.overdue(Duration::ZERO).is_empty(), "nothing is held any more");
    }

    #[test]
    fn copies_are_delivered_once_and_rooms_do_not_wait_for_each_other() {
        let order = started();
        assert_eq!(offer_all(&order, 1, &[4, 5, 7, 7, 5]), vec![50]);
        assert_eq!(offer_all(&order, 2, &[1, 2]), vec![10, 20]);
        assert_eq!(offer_all(&order, 1, &[6, 6, 7]), vec![60, 70]);
    }

    #[test]
    fn a_room_made_after_the_start_is_awaited_from_its_first_message() {
        let order = started();
        assert_eq!(offer_all(&order, 2, &[2]), Vec::<i64>::new());
        assert_eq!(offer_all(&order, 2, &[1, 3]), vec![10, 20, 30]);
    }

    #[test]
    fn a_reconnect_keeps_each_rooms_place() {
        let order = started();
        assert_eq!(offer_all(&order, 1, &[5, 6]), vec![50, 60]);
        order.start_from([NumberedSoFar { room_id: 1, topic: "room1".into(), last_seq: 9, last_id: 90 }]);
        assert_eq!(offer_all(&order, 1, &[7]), vec![70]);
    }

    #[test]
    fn a_gap_that_lasts_is_filled_from_the_database_without_repeats() {
        let order = RoomOrder::default();
        assert_eq!(offer_all(&order, 1, &[1, 4, 6]), vec![10]);
        let gaps = order.overdue(Duration::ZERO);
        assert_eq!(
            gaps,
            vec![Gap { room_id: 1, topic: "room1".into(), after_id: 10, before_id: 40, before_seq: 4 }]
        );
        // Number 3 came meanwhile; the database has 2 and 3 (and nothing numbered otherwise).
        assert_eq!(offer_all(&order, 1, &[3]), Vec::<i64>::new());
        let found = [(20, Frame::from("20")), (30, Frame::from("30"))];
        let mut delivered = Vec::new();
        order.fill(&gaps[0], &found, |_, frame| delivered.push(frame.parse::<i64>().unwrap()));
        assert_eq!(delivered, vec![20, 30, 40], "held messages follow the filled ones; 6 still waits for 5");
        assert_eq!(offer_all(&order, 1, &[2, 3, 4, 5]), vec![50, 60], "late copies are dropped");
    }

    #[test]
    fn a_fill_that_comes_after_the_gap_closed_changes_nothing() {
        let order = RoomOrder::default();
        offer_all(&order, 1, &[1, 3]);
        let gaps = order.overdue(Duration::ZERO);
        assert_eq!(offer_all(&order, 1, &[2]), vec![20, 30]);
        let mut delivered = Vec::new();
        order.fill(&gaps[0], &[(20, Frame::from("20"))], |_, frame| delivered.push(frame.to_string()));
        assert!(delivered.is_empty());
        assert_eq!(offer_all(&order, 1, &[4]), vec![40]);
    }
}
