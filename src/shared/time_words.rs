//! Spans of time in words, as pages rendered by the server say them ("expires in 3 days",
//! "5 minutes ago"): the server knows how long, not the reader's clock or time zone.

/// `secs` rounded in the largest unit that reads well: "3 days", "5 hours", "1 minute".
pub fn span(secs: u64) -> String {
    let rounded = |size: u64| (secs + size / 2) / size;
    // The unit is chosen after rounding: 59 min 59 s is "1 hour", not "60 minutes".
    let (count, unit) = match (rounded(60), rounded(3_600)) {
        (minutes, _) if minutes < 60 => (minutes.max(1), "minute"),
        (_, hours) if hours < 48 => (hours, "hour"),
        _ => (rounded(86_400), "day"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

/// A short wait in words: "1 second", "20 seconds", then as [`span`] from a minute on.
pub fn seconds(secs: u64) -> String {
    match secs {
        0..=1 => "1 second".to_owned(),
        2..60 => format!("{secs} seconds"),
        _ => span(secs),
    }
}

/// How long ago something happened `secs` seconds back: "just now", "5 minutes ago".
pub fn ago(secs: u64) -> String {
    match secs {
        0..30 => "just now".to_owned(),
        _ => format!("{} ago", span(secs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_waits_read_in_seconds() {
        assert_eq!(seconds(0), "1 second");
        assert_eq!(seconds(1), "1 second");
        assert_eq!(seconds(20), "20 seconds");
        assert_eq!(seconds(90), "2 minutes");
    }

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(30), "1 minute");
        assert_eq!(span(7_200), "2 hours");
        assert_eq!(span(3_599), "1 hour");
        assert_eq!(span(3_569), "59 minutes");
        assert_eq!(span(172_799), "2 days");
        assert_eq!(span(86_399), "24 hours");
        assert_eq!(span(36 * 3_600), "36 hours");
        assert_eq!(span(3 * 86_400 + 5), "3 days");
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(300), "5 minutes ago");
    }
}
