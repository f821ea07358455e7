//! Message times. The server renders UTC (it cannot know the reader's zone); once the page is
//! live in the browser each time switches to the reader's local time.

/// "HH:MM" for today, "YYYY-MM-DD HH:MM" otherwise, at a given UTC offset in minutes.
pub fn format_time(ms: i64, offset_minutes: i64, now_ms: i64) -> String {
    let local = ms + offset_minutes * 60_000;
    let today = (now_ms + offset_minutes * 60_000).div_euclid(86_400_000);
    let day = local.div_euclid(86_400_000);
    let minutes_of_day = local.rem_euclid(86_400_000) / 60_000;
    let clock = format!("{:02}:{:02}", minutes_of_day / 60, minutes_of_day % 60);
    if day == today {
        clock
    } else {
        let (y, m, d) = civil_from_days(day);
        format!("{y:04}-{m:02}-{d:02} {clock}")
    }
}

/// The local day (days since 1970-01-01) of a time, at a UTC offset in minutes.
pub fn local_day(ms: i64, offset_minutes: i64) -> i64 {
    (ms + offset_minutes * 60_000).div_euclid(86_400_000)
}

/// A day as a divider in the conversation says it: "Today", "Yesterday", "Monday 23 November",
/// with the year once it is not this year's.
pub fn day_label(day: i64, today: i64) -> String {
    const WEEKDAYS: [&str; 7] =
        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    if day == today {
        return "Today".to_owned();
    }
    if day == today - 1 {
        return "Yesterday".to_owned();
    }
    // 1970-01-01 was a Thursday.
    let weekday = WEEKDAYS[(day + 4).rem_euclid(7) as usize];
    let (year, month, date) = civil_from_days(day);
    let month = MONTHS[(month - 1) as usize];
    if year == civil_from_days(today).0 {
        format!("{weekday} {date} {month}")
    } else {
        format!("{weekday} {date} {month} {year}")
    }
}

/// "YYYY-MM-DD", for the `datetime` attribute of a day.
pub fn iso_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// ISO 8601 in UTC, for the `datetime` attribute.
pub fn iso_utc(ms: i64) -> String {
    let day = ms.div_euclid(86_400_000);
    let (y, m, d) = civil_from_days(day);
    let secs = ms.rem_euclid(86_400_000) / 1000;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The browser's offset from UTC in minutes and the current time (browser only).
#[cfg(feature = "hydrate")]
pub fn local_offset_and_now() -> (i64, i64) {
    let now = js_sys::Date::new_0();
    (-(now.get_timezone_offset() as i64), now.get_time() as i64)
}

/// The browser's clock in ms (0 on the server, where nothing is timed).
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now();
    #[cfg(not(feature = "hydrate"))]
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_naturally() {
        let noon = 1_764_072_000_000; // 2025-11-25T12:00:00Z
        assert_eq!(iso_utc(noon), "2025-11-25T12:00:00Z");
        assert_eq!(format_time(noon, 0, noon + 60_000), "12:00");
        assert_eq!(format_time(noon, 90, noon), "13:30");
        assert_eq!(format_time(noon, 0, noon + 86_400_000), "2025-11-25 12:00");
    }

    #[test]
    fn days_are_named_the_way_people_say_them() {
        let noon = 1_764_072_000_000; // Tuesday 2025-11-25T12:00:00Z
        let today = local_day(noon, 0);
        assert_eq!(day_label(today, today), "Today");
        assert_eq!(day_label(today - 1, today), "Yesterday");
        assert_eq!(day_label(today - 2, today), "Sunday 23 November");
        assert_eq!(day_label(today - 365, today), "Monday 25 November 2024");
        assert_eq!(iso_day(today), "2025-11-25");
        // Late evening in New York is already tomorrow in UTC.
        assert_eq!(local_day(noon + 13 * 3_600_000, -300), today);
        assert_eq!(local_day(noon + 13 * 3_600_000, 0), today + 1);
    }
}
