//! The editorial calendar: a month of scheduled and published posts, laid
//! out in the site's time zone.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};

use super::CalendarRow;
use crate::accounts::Role;
use crate::accounts::server::Caller;
use crate::error::AppError;
use crate::posts::api::{CalendarDay, CalendarEntry, CalendarView};
use crate::state::AppState;

pub async fn month(state: &AppState, caller: &Caller, raw_month: &str) -> Result<CalendarView, AppError> {
    let user = &caller.user;
    let settings = state.store.site_settings().await?;
    let zone = crate::time::site_zone(&settings);
    let today = state.clock.now().with_timezone(&zone).date_naive();
    let first = match raw_month.trim() {
        "" => today.with_day(1).unwrap_or(today),
        raw => NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
            .map_err(|_| AppError::invalid("month", "Choose a month like 2026-12."))?,
    };
    let next = first.checked_add_months(Months::new(1)).ok_or(AppError::NotFound)?;
    let previous = first.checked_sub_months(Months::new(1)).ok_or(AppError::NotFound)?;
    let rows = state
        .store
        .calendar(
            start_of(first, &zone),
            start_of(next, &zone),
            (user.role < Role::Editor).then_some(user.id),
        )
        .await?;
    Ok(CalendarView {
        month: first.format("%Y-%m").to_string(),
        title: first.format("%B %Y").to_string(),
        previous: previous.format("%Y-%m").to_string(),
        next: next.format("%Y-%m").to_string(),
        time_zone: settings.time_zone.clone(),
        weeks: lay_out(first, next, today, &rows, &zone),
    })
}

/// Local midnight at the start of `day`, in UTC. Where midnight is
/// skipped by a clock change, the day starts at the first hour it has.
fn start_of(day: NaiveDate, zone: &chrono_tz::Tz) -> DateTime<Utc> {
    (0..24)
        .filter_map(|hour| day.and_hms_opt(hour, 0, 0))
        .find_map(|local| zone.from_local_datetime(&local).earliest())
        .map_or_else(
            || day.and_time(chrono::NaiveTime::MIN).and_utc(),
            |at| at.with_timezone(&Utc),
        )
}

/// Weeks from Monday to Sunday covering the month; other months' days are
/// blanks.
fn lay_out(
    first: NaiveDate,
    next: NaiveDate,
    today: NaiveDate,
    rows: &[CalendarRow],
    zone: &chrono_tz::Tz,
) -> Vec<Vec<CalendarDay>> {
    let blank = || CalendarDay {
        day: 0,
        today: false,
        entries: Vec::new(),
    };
    let mut days: Vec<CalendarDay> = (0..first.weekday().num_days_from_monday()).map(|_| blank()).collect();
    let mut date = first;
    while date < next {
        let entries = rows
            .iter()
            .filter(|row| row.at.with_timezone(zone).date_naive() == date)
            .map(|row| CalendarEntry {
                id: row.id,
                title: row.title.clone(),
                status: row.status,
                time: row.at.with_timezone(zone).format("%H:%M").to_string(),
            })
            .collect();
        days.push(CalendarDay {
            day: date.day(),
            today: date == today,
            entries,
        });
        date = date.checked_add_days(Days::new(1)).unwrap_or(next);
    }
    while !days.len().is_multiple_of(7) {
        days.push(blank());
    }
    days.chunks(7).map(<[CalendarDay]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posts::workflow::PostStatus;

    #[test]
    fn a_month_is_laid_out_monday_first_in_the_site_zone() {
        let zone: chrono_tz::Tz = "America/Chicago".parse().expect("zone");
        let first = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let next = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
        // 03:00 UTC on Dec 2 is 21:00 on Dec 1 in Chicago.
        let rows = [CalendarRow {
            id: 7,
            title: "Flu shots".into(),
            status: PostStatus::Scheduled,
            at: DateTime::parse_from_rfc3339("2026-12-02T03:00:00Z")
                .expect("time")
                .with_timezone(&Utc),
        }];
        let weeks = lay_out(first, next, first, &rows, &zone);
        assert_eq!(weeks.len(), 5);
        assert_eq!(weeks[0][0].day, 0, "Dec 1, 2026 is a Tuesday");
        assert_eq!(weeks[0][1].day, 1);
        assert!(weeks[0][1].today);
        assert_eq!(weeks[0][1].entries[0].time, "21:00");
        assert_eq!(weeks[4][3].day, 31);
        assert_eq!(start_of(first, &zone).to_rfc3339(), "2026-12-01T06:00:00+00:00");
    }

    #[test]
    fn relative_times_read_naturally() {
        use super::super::relative_time;
        use chrono::Duration;
        assert_eq!(relative_time(Duration::minutes(-3)), "due now");
        assert_eq!(relative_time(Duration::minutes(1)), "in 1 minute");
        assert_eq!(relative_time(Duration::minutes(185)), "in 3 hours");
        assert_eq!(relative_time(Duration::days(3)), "in 3 days");
    }
}
