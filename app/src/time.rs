//! Times as people read them: in the site's zone and, for readers, in the
//! site's date format.

use chrono::{DateTime, Duration, Utc};

use crate::domain::SiteSettings;

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

    #[test]
    fn relative_times_round_down_to_the_largest_unit() {
        assert_eq!(relative_time(Duration::seconds(30)), "due now");
        assert_eq!(relative_time(Duration::minutes(1)), "in 1 minute");
        assert_eq!(relative_time(Duration::hours(3)), "in 3 hours");
        assert_eq!(relative_time(Duration::days(3)), "in 3 days");
    }
}
