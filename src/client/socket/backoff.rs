//! How long the socket waits before trying again.

/// Exponential backoff from half a second to 30 s after `failures` failed tries, with jitter
/// (`random` in 0..1) so a restarted server is not hit by every tab in the same instant.
pub fn backoff_ms(failures: u32, random: f64) -> u32 {
    let ceiling = (500u32.saturating_mul(1 << failures.min(6))).min(30_000);
    let jitter = 0.5 + random.clamp(0.0, 1.0) * 0.5;
    (f64::from(ceiling) * jitter) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_to_thirty_seconds_with_jitter() {
        assert_eq!(backoff_ms(1, 1.0), 1_000);
        assert_eq!(backoff_ms(1, 0.0), 500);
        assert_eq!(backoff_ms(3, 1.0), 4_000);
        assert_eq!(backoff_ms(40, 1.0), 30_000);
        assert_eq!(backoff_ms(40, 0.0), 15_000);
    }
}
