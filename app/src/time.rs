//! Times as people read them: in the site's zone and, for readers, in the
//! site's date format; and the dates counted on the site's calendar (when
//! a medical review falls due), which the posts feature and a restore
//! share.

use chrono::{DateTime, Duration, Months, NaiveDateTime, Offset, TimeZone, Utc};

use crate::domain::{DEFAULT_REVIEW_INTERVAL_MONTHS, SiteSettings};
use crate::input::site::ReviewInterval;

/// The longest stretch of local time the clocks skip that `local_to_utc`
/// steps over. Today's gaps are an hour, or 30 minutes (Lord Howe
/// Island); some zones once skipped two.
const LONGEST_GAP_MINUTES: i64 = 3 * 60;

/// The site's time zone. Stored zones are checked when saved; one that no
/// longer parses (an older tz database) falls back to UTC.
pub fn site_zone(settings: &SiteSettings) -> chrono_tz::Tz {
    settings.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// A time as the admin shows it: in the site's zone, with the zone named.
pub fn admin_time(at: DateTime<Utc>, settings: &SiteSettings) -> String {
    at.with_timezone(&site_zone(settings))
        .format("%b %-d, %Y, %H:%M %Z")
        .to_string()
}

/// A date in the site's zone and format ("July 9, 2025").
pub fn local_date(at: DateTime<Utc>, settings: &SiteSettings) -> String {
    let local = at.with_timezone(&site_zone(settings));
    let mut text = String::new();
    // Stored formats are checked; a failure still must not panic.
    match std::fmt::Write::write_fmt(&mut text, format_args!("{}", local.format(&settings.date_format))) {
        Ok(()) => text,
        Err(_) => local.format("%Y-%m-%d").to_string(),
    }
}

/// A local time in `zone` as UTC. A time the clocks skip becomes the first
/// minute after the gap that exists, whatever the gap's length; a time
/// they pass twice is the first.
pub fn local_to_utc(local: NaiveDateTime, zone: chrono_tz::Tz) -> DateTime<Utc> {
    let found = (0..=LONGEST_GAP_MINUTES).find_map(|minutes| {
        let candidate = local.checked_add_signed(Duration::minutes(minutes))?;
        zone.from_local_datetime(&candidate).earliest()
    });
    if let Some(at) = found {
        return at.with_timezone(&Utc);
    }
    // A longer gap (a zone that skipped a whole day) or the calendar's
    // end: the zone's offset near that time is off by at most the gap,
    // where reading the local time as UTC would be off by the whole offset.
    let offset = Duration::seconds(i64::from(zone.offset_from_utc_datetime(&local).fix().local_minus_utc()));
    local.checked_sub_signed(offset).unwrap_or(local).and_utc()
}

/// When a review done at `reviewed_at` is next due: `months` later on the
/// site's calendar, at the same local time. A day the month lacks becomes
/// its last day (reviewed Jan 31, due in a month: Feb 28 or 29; reviewed
/// Feb 29, due in a year: Feb 28), so a review is never due later than
/// its interval.
pub fn next_review_due(reviewed_at: DateTime<Utc>, months: u32, zone: chrono_tz::Tz) -> DateTime<Utc> {
    let local = reviewed_at.with_timezone(&zone).naive_local();
    let due = local
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDateTime::MAX);
    local_to_utc(due, zone)
}

/// The next review of one done at `at`, by the site's interval and in its
/// zone. A stored interval out of range (never, as saves are checked; but
/// a date must come out whatever) counts as the default.
pub fn default_review_due(at: DateTime<Utc>, settings: &SiteSettings) -> DateTime<Utc> {
    let fallback = u32::try_from(DEFAULT_REVIEW_INTERVAL_MONTHS).unwrap_or(12);
    let months = ReviewInterval::parse(settings.review_interval_months).map_or(fallback, ReviewInterval::months);
    next_review_due(at, months, site_zone(settings))
}

/// "in 3 hours", "in 5 minutes", "in 2 days"; "due now" once the time
/// has come.
pub fn relative_time(until: Duration) -> String {
    let plural = |n: i64, unit: &str| format!("in {n} {unit}{}", if n == 1 { "" } else { "s" });
    match until.num_minutes() {
        m if m < 1 => "due now".to_owned(),
        m if m < 60 => plural(m, "minute"),
        m if m < 48 * 60 => plural(m / 60, "hour"),
        m => plural(m / (24 * 60), "day"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(zone: &str) -> SiteSettings {
        SiteSettings {
            time_zone: zone.to_owned(),
            date_format: "%B %-d, %Y".to_owned(),
            ..SiteSettings::default()
        }
    }

    #[test]
    fn admin_times_are_in_the_site_zone_and_name_it() {
        let at = DateTime::parse_from_rfc3339("2026-07-09T15:30:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(admin_time(at, &settings("America/Chicago")), "Jul 9, 2026, 10:30 CDT");
        assert_eq!(admin_time(at, &settings("not a zone")), "Jul 9, 2026, 15:30 UTC");
    }

    #[test]
    fn reader_dates_use_the_site_format_in_its_zone() {
        let at = DateTime::parse_from_rfc3339("2026-07-10T02:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(local_date(at, &settings("America/Chicago")), "July 9, 2026");
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).expect("time").with_timezone(&Utc)
    }

    fn zone(name: &str) -> chrono_tz::Tz {
        name.parse().expect("zone")
    }

    #[test]
    fn a_year_later_is_the_same_day_or_the_months_last() {
        let utc_zone = chrono_tz::UTC;
        assert_eq!(
            next_review_due(utc("2026-01-31T10:00:00Z"), 12, utc_zone),
            utc("2027-01-31T10:00:00Z")
        );
        // Feb 29 has no twin next year: the last day of February.
        assert_eq!(
            next_review_due(utc("2028-02-29T10:00:00Z"), 12, utc_zone),
            utc("2029-02-28T10:00:00Z")
        );
        // Four years on, it has one again.
        assert_eq!(
            next_review_due(utc("2028-02-29T10:00:00Z"), 48, utc_zone),
            utc("2032-02-29T10:00:00Z")
        );
        assert_eq!(
            next_review_due(utc("2026-01-31T10:00:00Z"), 1, utc_zone),
            utc("2026-02-28T10:00:00Z")
        );
        assert_eq!(
            next_review_due(utc("2027-12-31T23:00:00Z"), 2, utc_zone),
            utc("2028-02-29T23:00:00Z")
        );
    }

    #[test]
    fn months_count_on_the_sites_calendar() {
        let chicago = zone("America/Chicago");
        // Jan 31, 20:00 in Chicago is Feb 1 in UTC: still Jan 31 a year on.
        assert_eq!(
            next_review_due(utc("2026-02-01T02:00:00Z"), 12, chicago),
            utc("2027-02-01T02:00:00Z")
        );
        // Across the change to summer time the local hour stays.
        assert_eq!(
            next_review_due(utc("2026-01-15T15:00:00Z"), 6, chicago),
            utc("2026-07-15T14:00:00Z")
        );
        // 02:30 on Mar 8, 2026 is skipped: due at 03:00 CDT, when the
        // clocks go on.
        assert_eq!(
            next_review_due(utc("2026-02-08T08:30:00Z"), 1, chicago),
            utc("2026-03-08T08:00:00Z")
        );
    }

    #[test]
    fn a_skipped_time_moves_past_a_gap_of_any_length() {
        // Lord Howe Island goes from +10:30 to +11:00 at 02:00 on the
        // first Sunday of October: 02:00 to 02:29 never happen.
        let lord_howe = zone("Australia/Lord_Howe");
        let skipped = |hour: u32, minute: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 10, 4)
                .and_then(|day| day.and_hms_opt(hour, minute, 0))
                .expect("a date")
        };
        assert_eq!(
            local_to_utc(skipped(2, 15), lord_howe),
            utc("2026-10-03T15:30:00Z"),
            "02:30 +11:00"
        );
        assert_eq!(local_to_utc(skipped(2, 0), lord_howe), utc("2026-10-03T15:30:00Z"));
        assert_eq!(local_to_utc(skipped(2, 30), lord_howe), utc("2026-10-03T15:30:00Z"));
        assert_eq!(
            local_to_utc(skipped(1, 59), lord_howe),
            utc("2026-10-03T15:29:00Z"),
            "+10:30"
        );
        // A review a month before, at the same local time, falls due then.
        assert_eq!(
            next_review_due(utc("2026-09-03T15:45:00Z"), 1, lord_howe),
            utc("2026-10-03T15:30:00Z"),
            "Sep 4, 02:15 +10:30, a month on"
        );
        // Going back, 01:30 to 01:59 happen twice (+11:00, then +10:30):
        // the first.
        let twice = chrono::NaiveDate::from_ymd_opt(2026, 4, 5)
            .and_then(|day| day.and_hms_opt(1, 45, 0))
            .expect("a date");
        assert_eq!(local_to_utc(twice, lord_howe), utc("2026-04-04T14:45:00Z"));
    }

    #[test]
    fn the_default_follows_the_setting() {
        let at = utc("2026-05-31T09:00:00Z");
        let with = |zone: &str, months: i64| SiteSettings {
            review_interval_months: months,
            ..settings(zone)
        };
        assert_eq!(default_review_due(at, &with("UTC", 12)), utc("2027-05-31T09:00:00Z"));
        assert_eq!(default_review_due(at, &with("UTC", 6)), utc("2026-11-30T09:00:00Z"));
        assert_eq!(
            default_review_due(at, &with("UTC", 0)),
            utc("2027-05-31T09:00:00Z"),
            "out of range: a year"
        );
        assert_eq!(
            default_review_due(at, &with("America/Chicago", 6)),
            utc("2026-11-30T10:00:00Z"),
            "04:00 CDT, then 04:00 CST"
        );
    }

    #[test]
    fn relative_times_round_down_to_the_largest_unit() {
        assert_eq!(relative_time(Duration::seconds(30)), "due now");
        assert_eq!(relative_time(Duration::minutes(1)), "in 1 minute");
        assert_eq!(relative_time(Duration::hours(3)), "in 3 hours");
        assert_eq!(relative_time(Duration::days(3)), "in 3 days");
    }
}
