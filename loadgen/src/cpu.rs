//! CPU time used while sending, by the processes a run watches, the generator and the whole
//! machine (Linux /proc): where the two cores went in the measured window.

use std::collections::{BTreeMap, HashMap};

/// Linux's user clock: /proc counts CPU time in ticks of 1/100 s on every platform it runs on.
const TICKS_PER_S: f64 = 100.0;

/// Processes watched by name: `NAME=PID[,PID…]` on the command line. Each listed process is
/// watched with its children as they are just before sending starts: a database server's
/// backends, opened while the clients logged in, count with it.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub pids: Vec<u32>,
}

/// Parses `NAME=PID[,PID…]`; an empty list (no such process running) watches nothing.
pub fn parse_group(text: &str) -> Result<Group, String> {
    let (name, pids) = text.split_once('=').ok_or("expected NAME=PID[,PID…]")?;
    let pids = pids
        .split(',')
        .map(str::trim)
        .filter(|pid| !pid.is_empty())
        .map(|pid| pid.parse::<u32>().map_err(|_| format!("not a process id: {pid}")))
        .collect::<Result<_, _>>()?;
    Ok(Group { name: name.to_owned(), pids })
}

/// CPU seconds used so far by each group's processes, the generator and the machine.
pub struct Snapshot {
    by_group: HashMap<String, HashMap<u32, f64>>,
    generator: Option<f64>,
    machine: Option<f64>,
}

/// What each group holds: its listed processes and their children now. Found before the window
/// opens (it scans every process), so the window's snapshots only read known ones.
pub fn members(groups: &[Group]) -> Vec<Group> {
    let parents = parents();
    groups
        .iter()
        .map(|group| {
            let children =
                parents.iter().filter(|(_, parent)| group.pids.contains(parent)).map(|(pid, _)| *pid);
            Group { name: group.name.clone(), pids: group.pids.iter().copied().chain(children).collect() }
        })
        .collect()
}

/// CPU time used so far by each group's processes (as [`members`] found them), the generator
/// and the machine.
pub fn snapshot(members: &[Group]) -> Snapshot {
    let by_group = members
        .iter()
        .map(|group| {
            let used = group.pids.iter().filter_map(|pid| process_s(*pid).map(|used| (*pid, used))).collect();
            (group.name.clone(), used)
        })
        .collect();
    Snapshot { by_group, generator: process_s(std::process::id()), machine: machine_busy_s() }
}

/// What each group, the generator (`generator`) and the machine (`machine`, of all its cores)
/// used between two snapshots, in seconds rounded to 0.01. A process is counted only if it was
/// there at both: one that ended meanwhile would otherwise take its whole life off its group.
pub fn used_between(before: &Snapshot, after: &Snapshot) -> BTreeMap<String, f64> {
    let round = |seconds: f64| (seconds * 100.0).round() / 100.0;
    let mut used: BTreeMap<String, f64> = before
        .by_group
        .iter()
        .map(|(name, then)| {
            let now = after.by_group.get(name);
            let seconds = then.iter().filter_map(|(pid, then)| Some(now?.get(pid)? - then)).sum();
            (name.clone(), round(seconds))
        })
        .collect();
    if let (Some(after), Some(before)) = (after.generator, before.generator) {
        used.insert("generator".to_owned(), round(after - before));
    }
    if let (Some(after), Some(before)) = (after.machine, before.machine) {
        used.insert("machine".to_owned(), round(after - before));
    }
    used
}

/// Every running process's parent: `(pid, parent pid)`.
fn parents() -> Vec<(u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            // The parent is the second field after the command name.
            let parent = stat_after_name(pid)?.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, parent))
        })
        .collect()
}

/// CPU time a process (all its threads) has used so far, in seconds.
pub fn process_s(pid: u32) -> Option<f64> {
    // utime and stime are fields 14 and 15 of the line, the 12th and 13th after the name.
    let stat = stat_after_name(pid)?;
    let mut fields = stat.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / TICKS_PER_S)
}

/// A process's /proc/PID/stat after its command name, which is in parentheses and may hold
/// spaces: fields are counted from there.
fn stat_after_name(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(stat.rsplit_once(')')?.1.to_owned())
}

/// CPU time the machine's cores have spent on its own work so far, in seconds (/proc/stat):
/// user, nice, system, irq and softirq. Not idle or iowait, not steal (taken by the host), and
/// not guest time (already inside user and nice).
pub fn machine_busy_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<f64> = cpu.split_whitespace().filter_map(|field| field.parse().ok()).collect();
    let busy: f64 = [0, 1, 2, 5, 6].iter().filter_map(|index| ticks.get(*index)).sum();
    Some(busy / TICKS_PER_S)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_parse_and_an_empty_one_watches_nothing() {
        let group = parse_group("postgres=12, 34").expect("parsed");
        assert_eq!((group.name.as_str(), group.pids), ("postgres", vec![12, 34]));
        assert!(parse_group("redis=").expect("parsed").pids.is_empty());
        assert!(parse_group("server=abc").is_err());
        assert!(parse_group("no-equals").is_err());
    }

    #[test]
    fn a_process_that_ended_between_snapshots_is_not_counted() {
        let group = |used: HashMap<u32, f64>| HashMap::from([("db".to_owned(), used)]);
        let before = Snapshot {
            by_group: group(HashMap::from([(1, 5.0), (2, 40.0)])),
            generator: None,
            machine: None,
        };
        let after = Snapshot { by_group: group(HashMap::from([(1, 5.5)])), generator: None, machine: None };
        assert_eq!(used_between(&before, &after), BTreeMap::from([("db".to_owned(), 0.5)]));
    }

    #[test]
    fn a_watched_process_counts_with_its_children() {
        // `timeout` waits, idle, for its busy child (and ends it after two seconds at most).
        let mut parent = std::process::Command::new("timeout")
            .args(["2", "sh", "-c", "while :; do :; done"])
            .spawn()
            .expect("timeout and sh run");
        std::thread::sleep(std::time::Duration::from_millis(200));
        let members = members(&[Group { name: "busy".into(), pids: vec![parent.id()] }]);
        let before = snapshot(&members);
        std::thread::sleep(std::time::Duration::from_millis(500));
        let used = used_between(&before, &snapshot(&members));
        // SIGTERM: `timeout` passes it on to its child and ends.
        let _ = std::process::Command::new("kill").arg(parent.id().to_string()).status();
        let _ = parent.wait();
        assert_eq!(members[0].pids.len(), 2, "timeout and its child: {members:?}");
        assert!(used["busy"] > 0.0, "the child's CPU time counts: {used:?}");
    }

    #[test]
    fn this_process_and_the_machine_can_be_read() {
        assert!(process_s(std::process::id()).expect("this process's CPU time") >= 0.0);
        assert!(machine_busy_s().expect("the machine's busy time") > 0.0);
    }
}
