//! The figures a run reports.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Report {
    pub target: String,
    pub clients: usize,
    pub rooms: usize,
    pub senders: usize,
    pub rate: f64,
    pub duration_s: u64,
    pub sent: u64,
    /// Reactions and edits sent instead of messages (`--actions-every`).
    pub actions: u64,
    pub expected: u64,
    pub received: u64,
    pub lost: u64,
    pub duplicates: u64,
    /// Messages a client received after one with a higher id (app only).
    pub out_of_order: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// With several instances: p99 of messages whose sender and recipient were on the same
    /// instance, and of those that crossed between instances.
    pub p99_same_instance_ms: Option<f64>,
    pub p99_crossed_ms: Option<f64>,
    /// p99 of the messages sent in each second of sending: where in the run the tail is.
    pub p99_by_second_ms: Vec<f64>,
    pub deliveries_per_s: f64,
    pub server_rss_kib_before: Option<u64>,
    pub server_rss_kib_after: Option<u64>,
    /// CPU seconds each watched group of processes (`--cpu-watch`) used while sending, with the
    /// generator's (`generator`) and the whole machine's (`machine`, all its cores together).
    pub cpu_s: std::collections::BTreeMap<String, f64>,
}

/// The `q` quantile (0..=1) of latencies in microseconds, in milliseconds.
pub fn quantile_ms(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((sorted_us.len() - 1) as f64 * q).round() as usize;
    f64::from(sorted_us[rank]) / 1000.0
}

/// Resident memory of a process, from /proc (Linux).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Report {
    pub fn print(&self) {
        println!("target            {}", self.target);
        println!("clients/rooms     {} in {} room(s), {} sender(s)", self.clients, self.rooms, self.senders);
        println!("input rate        {:.0} msg/s for {} s", self.rate, self.duration_s);
        println!("sent              {} messages, {} actions", self.sent, self.actions);
        println!(
            "deliveries        {} received of {} expected ({} lost, {} duplicates, {} out of id order)",
            self.received, self.expected, self.lost, self.duplicates, self.out_of_order
        );
        println!("delivery rate     {:.0} deliveries/s", self.deliveries_per_s);
        println!(
            "latency ms        p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
            self.p50_ms, self.p95_ms, self.p99_ms, self.max_ms
        );
        let by_second: Vec<String> = self.p99_by_second_ms.iter().map(|ms| format!("{ms:.0}")).collect();
        println!("p99 each second   {}", by_second.join(" "));
        if let (Some(same), Some(crossed)) = (self.p99_same_instance_ms, self.p99_crossed_ms) {
            println!("p99 by path ms    same instance {same:.1}  crossed {crossed:.1}");
        }
        if let (Some(before), Some(after)) = (self.server_rss_kib_before, self.server_rss_kib_after) {
            println!("server RSS KiB    {before} before, {after} after");
        }
        if !self.cpu_s.is_empty() {
            let cpu: Vec<String> = self.cpu_s.iter().map(|(name, s)| format!("{name} {s:.2}")).collect();
            println!("CPU s sending     {}", cpu.join("  "));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_the_ranked_value() {
        let us: Vec<u32> = (1..=100).map(|n| n * 1000).collect();
        assert_eq!(quantile_ms(&us, 0.5), 51.0);
        assert_eq!(quantile_ms(&us, 0.99), 99.0);
        assert_eq!(quantile_ms(&us, 1.0), 100.0);
        assert_eq!(quantile_ms(&[], 0.5), 0.0);
    }
}
