//! Puts each room's messages back in id order on their way to this instance's sockets.
//!
//! Several instances store messages at once, and each publishes its own after storing them, so
//! Redis may carry a room's message 8 before message 7. Every message is numbered in its room
//! (1, 2, 3… in id order, see `numbering::insert_numbered`), so a reader that has delivered 6
//! and receives 8 knows exactly what it lacks: it holds 8 until 7 arrives. If 7 does not come
//! (its instance died between storing and publishing, a publish was lost, Redis is down), the
//! held ones wait at most a moment: message 7 is already in the database, so the reader fetches
//! everything stored between 6 and 8 and goes on ([`RoomOrder::overdue`], [`RoomOrder::fill`]).
//!
//! A message missing at the end of a room shows no gap, since nothing comes after it: so the
//! database is also asked, every second, how far each room's numbers have gone
//! ([`RoomOrder::behind`]); a room that stays behind that for a whole check is filled the same way.
//!
//! Delivering happens under the lock, so this instance's writer and its Redis listener, which
//! both offer messages, cannot interleave a room's messages out of order.

use std::{
    collections::{btree_map, BTreeMap, HashMap},
    sync::Mutex,
    time::{Duration, Instant},
};

use super::numbering::NumberedFrame;
use crate::server::subscribers::Frame;

/// Where each room's numbers stand for this instance, by room id (a room deleted and made again
/// under the same name starts its numbers afresh under a new id). It starts from the database
/// ([`RoomOrder::start_from`]); until then every message waits. Once started, a room it does not
/// know was made since, so it waits for that room's messages from number 1.
#[derive(Default)]
pub struct RoomOrder {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    rooms: HashMap<i64, Line>,
    started: bool,
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
    /// `next` when the database last showed this room further on: still the same at the next
    /// check means the missing messages are not on their way.
    behind_at: Option<i64>,
}

impl Line {
    fn new(topic: String, next: i64, last_id: i64) -> Line {
        Line { topic, next, last_id, held: BTreeMap::new(), held_since: None, behind_at: None }
    }
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
    /// Learns where rooms stand, read from the database before listening to Redis (and again at
    /// each reconnect): what was numbered by then is not awaited. A room that was behind (messages
    /// published while this instance was not listening; every socket replays those after an
    /// outage) moves on to it, letting its held messages up to there go in order.
    pub fn start_from(
        &self,
        rooms: impl IntoIterator<Item = NumberedSoFar>,
        mut deliver: impl FnMut(&str, &Frame),
    ) {
        let mut state = self.state.lock().unwrap_or_else(|poison| poison.into_inner());
        for room in rooms {
            let line = state
                .rooms
                .entry(room.room_id)
                .or_insert_with(|| Line::new(room.topic, room.last_seq + 1, room.last_id));
            if line.next <= room.last_seq {
                let later = line.held.split_off(&(room.last_seq + 1));
                for (id, frame) in std::mem::replace(&mut line.held, later).into_values() {
                    deliver(&line.topic, &frame);
                    line.last_id = line.last_id.max(id);
                }
                line.next = room.last_seq + 1;
                line.last_id = line.last_id.max(room.last_id);
                line.release(&mut deliver);
            }
        }
        state.started = true;
    }

    /// Takes one numbered message and hands `deliver`, in order, every message of its room that
    /// may go out now: none (it is early, or a copy of one delivered), it alone, or it and the
    /// ones it was holding up.
    pub fn offer(&self, message: &NumberedFrame, mut deliver: impl FnMut(&str, &Frame)) {
        let mut state = self.state.lock().unwrap_or_else(|poison| poison.into_inner());
        // Before the start, a room's place is unknown: from 1, waiting, until the start sets it.
        let line =
            state.rooms.entry(message.room_id).or_insert_with(|| Line::new(message.topic.clone(), 1, 0));
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
        let state = self.state.lock().unwrap_or_else(|poison| poison.into_inner());
        if !state.started {
            return Vec::new();
        }
        state
            .rooms
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
        let mut state = self.state.lock().unwrap_or_else(|poison| poison.into_inner());
        let Some(line) = state.rooms.get_mut(&gap.room_id) else { return };
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

impl RoomOrder {
    /// Rooms the database shows further on than this instance got, at this check and the one
    /// before, with no progress between: what they lack is stored and not on its way (its
    /// instance died before publishing it, or a publish was lost), and nothing after it has come
    /// to show the gap. Each is to be filled up to the database's last number.
    pub fn behind(&self, rooms: &[NumberedSoFar]) -> Vec<Gap> {
        let mut state = self.state.lock().unwrap_or_else(|poison| poison.into_inner());
        if !state.started {
            return Vec::new();
        }
        let mut gaps = Vec::new();
        for room in rooms {
            // A room not seen yet was made since the start: nothing of it was delivered here.
            let line = state.rooms.entry(room.room_id).or_insert_with(|| Line::new(room.topic.clone(), 1, 0));
            if line.next > room.last_seq {
                line.behind_at = None;
            } else if line.behind_at == Some(line.next) {
                gaps.push(Gap {
                    room_id: room.room_id,
                    topic: line.topic.clone(),
                    after_id: line.last_id,
                    before_id: room.last_id + 1,
                    before_seq: room.last_seq + 1,
                });
            } else {
                line.behind_at = Some(line.next);
            }
        }
        gaps
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

    fn so_far(room_id: i64, last_seq: i64) -> NumberedSoFar {
        NumberedSoFar { room_id, topic: format!("room{room_id}"), last_seq, last_id: last_seq * 10 }
    }

    /// Room 1 has had 4 messages (ids 10 to 40) before this instance listened.
    fn started() -> RoomOrder {
        let order = RoomOrder::default();
        order.start_from([so_far(1, 4)], |_, _| panic!("nothing to deliver"));
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

    fn ids(delivered: &mut Vec<i64>) -> impl FnMut(&str, &Frame) + '_ {
        |_, frame| delivered.push(frame.parse().unwrap())
    }

    /// Offers messages by number; returns the ids delivered, in order.
    fn offer_all(order: &RoomOrder, room_id: i64, seqs: &[i64]) -> Vec<i64> {
        let mut delivered = Vec::new();
        for seq in seqs {
            order.offer(&numbered(room_id, *seq), ids(&mut delivered));
        }
        delivered
    }

    fn fill(order: &RoomOrder, gap: &Gap, found: &[i64]) -> Vec<i64> {
        let found: Vec<(i64, Frame)> = found.iter().map(|id| (*id, Frame::from(id.to_string()))).collect();
        let mut delivered = Vec::new();
        order.fill(gap, &found, ids(&mut delivered));
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
    fn before_the_start_messages_wait_and_the_start_lets_them_go_in_order() {
        let order = RoomOrder::default();
        assert_eq!(offer_all(&order, 1, &[8, 6]), Vec::<i64>::new());
        assert!(order.overdue(Duration::ZERO).is_empty(), "no gap is filled before the start");
        let mut delivered = Vec::new();
        order.start_from([so_far(1, 7)], ids(&mut delivered));
        assert_eq!(delivered, vec![60, 80], "6 was numbered by the start; 8 follows the start's 7");
    }

    #[test]
    fn a_reconnect_moves_a_room_on_to_where_the_database_stands() {
        let order = started();
        assert_eq!(offer_all(&order, 1, &[5, 8]), vec![50]);
        // 6 and 7 were published while this instance was not listening: its sockets replay them.
        let mut delivered = Vec::new();
        order.start_from([so_far(1, 7)], ids(&mut delivered));
        assert_eq!(delivered, vec![80]);
        assert!(order.overdue(Duration::ZERO).is_empty(), "the old gap is not filled again");
        assert_eq!(offer_all(&order, 1, &[6, 9]), vec![90]);
    }

    #[test]
    fn a_gap_that_lasts_is_filled_from_the_database_without_repeats() {
        let order = started();
        assert_eq!(offer_all(&order, 1, &[5, 8, 10]), vec![50]);
        let gaps = order.overdue(Duration::ZERO);
        assert_eq!(
            gaps,
            vec![Gap { room_id: 1, topic: "room1".into(), after_id: 50, before_id: 80, before_seq: 8 }]
        );
        // Number 7 came meanwhile; the database has 6 and 7.
        assert_eq!(offer_all(&order, 1, &[7]), Vec::<i64>::new());
        assert_eq!(fill(&order, &gaps[0], &[60, 70]), vec![60, 70, 80], "10 still waits for 9");
        assert_eq!(offer_all(&order, 1, &[6, 7, 8, 9]), vec![90, 100], "late copies are dropped");
    }

    #[test]
    fn a_fill_that_comes_after_the_gap_closed_changes_nothing() {
        let order = started();
        offer_all(&order, 1, &[5, 7]);
        let gaps = order.overdue(Duration::ZERO);
        assert_eq!(offer_all(&order, 1, &[6]), vec![60, 70]);
        assert!(fill(&order, &gaps[0], &[60]).is_empty());
        assert_eq!(offer_all(&order, 1, &[8]), vec![80]);
    }

    #[test]
    fn a_message_missing_at_the_end_of_a_room_is_fetched_once_it_is_not_on_its_way() {
        let order = started();
        assert_eq!(offer_all(&order, 1, &[5]), vec![50]);
        // The database has 6 and 7; nothing after them comes to show the gap.
        assert!(order.behind(&[so_far(1, 7)]).is_empty(), "the first check only notes it");
        assert_eq!(offer_all(&order, 1, &[6]), vec![60]);
        assert!(order.behind(&[so_far(1, 7)]).is_empty(), "6 came: 7 may be on its way too");
        let gaps = order.behind(&[so_far(1, 7)]);
        assert_eq!(
            gaps,
            vec![Gap { room_id: 1, topic: "room1".into(), after_id: 60, before_id: 71, before_seq: 8 }]
        );
        assert_eq!(fill(&order, &gaps[0], &[70]), vec![70]);
        assert!(order.behind(&[so_far(1, 7)]).is_empty());
        assert_eq!(offer_all(&order, 1, &[7, 8]), vec![80]);
        // A room made since the start whose only message never came.
        assert!(order.behind(&[so_far(2, 1)]).is_empty());
        let gaps = order.behind(&[so_far(2, 1)]);
        assert_eq!(
            gaps,
            vec![Gap { room_id: 2, topic: "room2".into(), after_id: 0, before_id: 11, before_seq: 2 }]
        );
    }
}
