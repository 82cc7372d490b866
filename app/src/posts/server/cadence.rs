//! Reviews that stay current: when a post's next medical review is due,
//! the reviewers' second look at a published post (re-review), the date a
//! reviewer chooses, and the reminders. The dates are computed and checked
//! here, on the server, whatever the page offered.

use chrono::{DateTime, Duration, Months, NaiveDate, NaiveTime, Utc};

use super::editing::editor_data;
use super::{ReReviewChange, ReviewDueChange, ReviewVerdict, audit_detail, post_for};
use crate::accounts::server::{AuditAction, Caller, NewAuditEntry};
use crate::error::AppError;
use crate::input::post::comment_text;
use crate::posts::api::{EditorData, ReReview, ReReviewOutcome};
use crate::posts::workflow::{self, PostStatus, Refusal};
use crate::settings::SiteSettings;
use crate::state::AppState;
use crate::time::{local_date, local_to_utc, site_zone};
// The dates themselves live with the site's other times, where a restore
// can reach them too.
pub use crate::time::{default_review_due as default_due, next_review_due};

/// A review due within this many days joins the due queue, and its
/// reviewer is reminded: time to read the article again before it lapses.
pub const DUE_SOON_DAYS: i64 = 30;

/// A reviewer's own due date lies at most this far ahead.
pub const MAX_MONTHS_AHEAD: u32 = 60;

/// The reviews due by this time are due soon (or overdue) at `now`.
pub fn due_soon_by(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(DUE_SOON_DAYS)
}

/// A due date a reviewer typed: `YYYY-MM-DD` in the site's zone, due from
/// the start of that day, which must be in the future and at most five
/// years ahead.
pub fn due_date(raw: &str, settings: &SiteSettings, now: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    let invalid = |message: &str| AppError::invalid("due", message);
    let date = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| invalid("Choose the date of the next review."))?;
    let zone = site_zone(settings);
    let due = local_to_utc(date.and_time(NaiveTime::MIN), zone);
    if due <= now {
        return Err(invalid("Choose a date in the future for the next review."));
    }
    let latest = now
        .with_timezone(&zone)
        .date_naive()
        .checked_add_months(Months::new(MAX_MONTHS_AHEAD))
        .unwrap_or(NaiveDate::MAX);
    if date > latest {
        return Err(invalid(
            "Choose a date at most five years ahead: a medical review is checked again by then.",
        ));
    }
    Ok(due)
}

/// A due date as the admin shows it ("January 31, 2027"), and whether it
/// has passed.
pub fn due_view(due_at: Option<DateTime<Utc>>, settings: &SiteSettings, now: DateTime<Utc>) -> (Option<String>, bool) {
    (
        due_at.map(|at| local_date(at, settings)),
        due_at.is_some_and(|at| at <= now),
    )
}

/// The date field's value for a due date (`YYYY-MM-DD`, the site's zone).
pub fn due_field(due_at: DateTime<Utc>, settings: &SiteSettings) -> String {
    due_at
        .with_timezone(&site_zone(settings))
        .format("%Y-%m-%d")
        .to_string()
}

pub async fn re_review(state: &AppState, caller: &Caller, request: &ReReview) -> Result<EditorData, AppError> {
    let ReReview {
        id,
        outcome,
        ref comment,
        ref due,
    } = *request;
    let user = &caller.user;
    let (post, _, actor) = post_for(state, user, id).await?;
    workflow::may_re_review(post.status, actor).map_err(|refusal| match refusal {
        Refusal::NotAllowed => AppError::Forbidden,
        Refusal::WrongStatus => AppError::Conflict {
            message: no_live_text(post.status),
        },
    })?;
    let settings = state.store.site_settings().await?;
    let now = state.clock.now();
    let (verdict, action, detail) = match outcome {
        ReReviewOutcome::Confirm => {
            let due_at = match due.trim() {
                "" => default_due(now, &settings),
                raw => due_date(raw, &settings, now)?,
            };
            let comment = match comment.trim() {
                "" => None,
                raw => Some(comment_text(raw).map_err(|message| AppError::invalid("comment", message))?),
            };
            let detail = format!(
                "{}: live text confirmed, next review due {}",
                audit_detail(&post),
                local_date(due_at, &settings)
            );
            (
                ReviewVerdict::Confirmed { due_at, comment },
                AuditAction::PostReReviewed,
                detail,
            )
        }
        ReReviewOutcome::SendBack => {
            let comment = comment_text(comment)
                .map_err(|_| AppError::invalid("comment", "Say what needs to change: the authors will read this."))?;
            let detail = format!(
                "{}: sent back on re-review; readers keep the live text",
                audit_detail(&post)
            );
            (
                ReviewVerdict::SentBack { comment },
                AuditAction::ChangesRequested,
                detail,
            )
        }
    };
    let audit = NewAuditEntry {
        at: now,
        ..NewAuditEntry::new(action, Some(user.id), None)
            .address(&caller.address)
            .detail(detail)
    };
    state
        .store
        .re_review(&ReReviewChange {
            id,
            reviewer_id: user.id,
            at: now,
            outcome: verdict,
            audit,
        })
        .await?;
    editor_data(state, caller, id).await
}

/// A reviewer's own date for the next review of a reviewed post.
pub async fn set_due(state: &AppState, caller: &Caller, id: i64, due: &str) -> Result<EditorData, AppError> {
    let user = &caller.user;
    let (post, _, actor) = post_for(state, user, id).await?;
    let not_reviewed = || AppError::Conflict {
        message: "Only a medically reviewed post (approved, scheduled or published) has a next review to date; \
                  approve it first."
            .into(),
    };
    workflow::may_date_next_review(post.status, actor).map_err(|refusal| match refusal {
        Refusal::NotAllowed => AppError::Forbidden,
        Refusal::WrongStatus => not_reviewed(),
    })?;
    if post.reviewed_at.is_none() {
        return Err(not_reviewed());
    }
    let settings = state.store.site_settings().await?;
    let now = state.clock.now();
    let due_at = due_date(due, &settings, now)?;
    let audit = NewAuditEntry {
        at: now,
        ..NewAuditEntry::new(AuditAction::ReviewDueChanged, Some(user.id), None)
            .address(&caller.address)
            .detail(format!(
                "{}: next review due {}",
                audit_detail(&post),
                local_date(due_at, &settings)
            ))
    };
    state
        .store
        .set_review_due(&ReviewDueChange { id, due_at, audit })
        .await?;
    editor_data(state, caller, id).await
}

/// Reminds reviewers of the published posts due for review within
/// `DUE_SOON_DAYS` (or overdue): once per due date, however often it runs.
/// Returns how many posts were newly due.
pub async fn remind_due(state: &AppState) -> Result<u64, AppError> {
    let now = state.clock.now();
    state.store.remind_due_reviews(due_soon_by(now), now).await
}

/// Why a post cannot be re-reviewed in this status.
fn no_live_text(status: PostStatus) -> String {
    let what = match status {
        PostStatus::Draft => "a draft",
        PostStatus::InReview => "waiting for review",
        PostStatus::ChangesRequested => "back with its authors",
        PostStatus::Approved => "approved but not published",
        PostStatus::Scheduled => "scheduled, not yet published",
        PostStatus::Published => "published",
        PostStatus::Trashed => "in the trash",
    };
    format!(
        "Only a published article can be re-reviewed, and this post is {what}: there is no live text to confirm. \
         Review it through the workflow instead (submit, approve, publish)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).expect("time").with_timezone(&Utc)
    }

    fn settings(zone: &str, months: i64) -> SiteSettings {
        SiteSettings {
            time_zone: zone.into(),
            date_format: "%B %-d, %Y".into(),
            review_interval_months: months,
            ..SiteSettings::default()
        }
    }

    #[test]
    fn a_typed_due_date_is_in_the_future_and_within_five_years() {
        let now = utc("2026-03-10T15:00:00Z");
        let chicago = settings("America/Chicago", 12);
        assert_eq!(
            due_date("2026-09-01", &chicago, now).expect("valid"),
            utc("2026-09-01T05:00:00Z"),
            "the start of the day in Chicago"
        );
        for (raw, message) in [
            ("2026-03-10", "in the future"),
            ("2025-12-31", "in the future"),
            ("2031-03-11", "five years"),
            ("next spring", "Choose the date"),
            ("", "Choose the date"),
        ] {
            let error = due_date(raw, &chicago, now).expect_err(raw);
            assert!(error.field_messages("due")[0].contains(message), "{raw}: {error:?}");
        }
        assert!(due_date("2031-03-10", &chicago, now).is_ok(), "five years to the day");
    }

    #[test]
    fn due_soon_means_within_thirty_days() {
        let now = utc("2026-03-10T15:00:00Z");
        assert_eq!(due_soon_by(now), utc("2026-04-09T15:00:00Z"));
        let (shown, overdue) = due_view(Some(utc("2026-03-10T14:59:59Z")), &settings("UTC", 12), now);
        assert_eq!(shown.as_deref(), Some("March 10, 2026"));
        assert!(overdue);
        assert_eq!(due_view(None, &settings("UTC", 12), now), (None, false));
    }
}
