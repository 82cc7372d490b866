//! The workflow in action: status changes, the review thread, the
//! notifications and the trash.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::editing::editor_data;
use super::{LiveText, NotificationKind, Notify, StatusChange, admin_time, audit_detail, post_for};
use crate::accounts::server::{AuditAction, Caller, NewAuditEntry};
use crate::error::AppError;
use crate::input::post::comment_text;
use crate::posts::api::{ChangeStatus, CommentView, EditorData, NotificationView};
use crate::posts::workflow::{self, PostStatus, Refusal, Transition};
use crate::settings::SiteSettings;
use crate::state::AppState;

/// Trashed posts are deleted for good after this many days.
pub const TRASH_DAYS: i64 = 30;

pub async fn change_status(state: &AppState, caller: &Caller, request: &ChangeStatus) -> Result<EditorData, AppError> {
    let ChangeStatus {
        id,
        version,
        transition,
        ref comment,
        ref publish_at,
    } = *request;
    let user = &caller.user;
    let (post, _, actor) = post_for(state, user, id).await?;
    let settings = state.store.site_settings().await?;
    let to =
        workflow::apply(post.status, transition, actor, post.kind, settings.review_required).map_err(|refusal| {
            match refusal {
                Refusal::NotAllowed => AppError::Forbidden,
                Refusal::WrongStatus => AppError::Conflict {
                    message: format!(
                        "This post is {} now, so it cannot be {}. Reload to see its current state.",
                        status_words(post.status),
                        transition_words(transition)
                    ),
                },
            }
        })?;
    let comment = match transition {
        Transition::RequestChanges => Some((
            "changes_requested",
            comment_text(comment)
                .map_err(|_| AppError::invalid("comment", "Say what needs to change: the author will read this."))?,
        )),
        _ if comment.trim().is_empty() => None,
        Transition::Approve => Some((
            "approved",
            comment_text(comment).map_err(|m| AppError::invalid("comment", m))?,
        )),
        _ => Some((
            "comment",
            comment_text(comment).map_err(|m| AppError::invalid("comment", m))?,
        )),
    };
    let publish_at = match transition {
        Transition::Schedule => Some(schedule_time(publish_at, &settings, state.clock.now())?),
        _ => None,
    };
    let notify = match transition {
        Transition::Submit => Notify::Editors(NotificationKind::Submitted),
        Transition::RequestChanges => Notify::Authors(NotificationKind::ChangesRequested),
        Transition::Approve => Notify::Authors(NotificationKind::Approved),
        Transition::PublishNow => Notify::Authors(NotificationKind::Published),
        _ => Notify::Nobody,
    };
    let live = match transition {
        Transition::PublishNow | Transition::Schedule => LiveText::FromCurrent,
        Transition::Unpublish | Transition::Unschedule | Transition::Trash => LiveText::Withdraw,
        _ => LiveText::Keep,
    };
    let audit = NewAuditEntry::new(AuditAction::for_transition(transition), Some(user.id), None)
        .address(&caller.address)
        .detail(audit_detail(&post));
    let now = state.clock.now();
    let reviewed = transition == Transition::Approve;
    state
        .store
        .change_status(&StatusChange {
            payload: crate::webhooks::server::event_payload,
            id,
            expected_version: version,
            from: post.status,
            to,
            actor_id: user.id,
            at: now,
            live,
            reviewed,
            review_due_at: (reviewed && post.kind.review_falls_due())
                .then(|| super::cadence::default_due(now, &settings)),
            publish_at,
            comment,
            notify,
            audit,
        })
        .await?;
    editor_data(state, caller, id).await
}

/// Makes the edited text of a live post the one readers see.
pub async fn publish_update(state: &AppState, caller: &Caller, id: i64, version: i64) -> Result<EditorData, AppError> {
    let user = &caller.user;
    let (post, authors, _) = post_for(state, user, id).await?;
    let view = super::editing::post_view(state, &post, &authors).await?;
    if !view.pending_update {
        return Err(AppError::Conflict {
            message: "There is no unpublished change: readers already see this text.".into(),
        });
    }
    let audit = NewAuditEntry::new(AuditAction::UpdatePublished, Some(user.id), None)
        .address(&caller.address)
        .detail(audit_detail(&post));
    // Publishing an update is its editor's review of the new text, due
    // again by the site's interval (an article's).
    let settings = state.store.site_settings().await?;
    let now = state.clock.now();
    let review_due_at = post
        .kind
        .review_falls_due()
        .then(|| super::cadence::default_due(now, &settings));
    state
        .store
        .change_status(&StatusChange {
            payload: crate::webhooks::server::event_payload,
            id,
            expected_version: version,
            from: post.status,
            to: post.status,
            actor_id: user.id,
            at: now,
            live: LiveText::FromCurrent,
            reviewed: true,
            review_due_at,
            publish_at: post.publish_at,
            comment: None,
            notify: Notify::Authors(NotificationKind::Published),
            audit,
        })
        .await?;
    editor_data(state, caller, id).await
}

/// A local date and time in the site's zone ("2026-12-01T09:30"), in the
/// future. A time the clocks skip is refused; a time they pass twice is
/// the first of the two.
pub fn schedule_time(raw: &str, settings: &SiteSettings, now: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    let zone = crate::time::site_zone(settings);
    let invalid = |message: String| AppError::invalid("publish_at", message);
    let local = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .map_err(|_| invalid("Choose a date and a time.".into()))?;
    let at = match zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) => at,
        chrono::LocalResult::Ambiguous(first, _) => first,
        chrono::LocalResult::None => {
            return Err(invalid(format!(
                "{} does not exist in {zone}: the clocks skip that hour. Choose another time.",
                local.format("%b %-d, %Y %H:%M")
            )));
        }
    }
    .with_timezone(&Utc);
    if at <= now {
        return Err(invalid("Choose a time in the future.".into()));
    }
    Ok(at)
}

pub async fn add_comment(state: &AppState, caller: &Caller, id: i64, body: &str) -> Result<CommentView, AppError> {
    let user = &caller.user;
    let _ = post_for(state, user, id).await?;
    let body = comment_text(body).map_err(|message| AppError::invalid("body", message))?;
    let settings = state.store.site_settings().await?;
    let row = state.store.add_comment(id, user.id, &body, state.clock.now()).await?;
    Ok(CommentView {
        id: row.id,
        author: row.author,
        kind: row.kind,
        body: row.body,
        at: admin_time(row.created_at, &settings),
    })
}

pub async fn notifications(state: &AppState, caller: &Caller) -> Result<Vec<NotificationView>, AppError> {
    let user = &caller.user;
    let settings = state.store.site_settings().await?;
    let rows = state.store.notifications(user.id, 100).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let what = match row.kind.as_str() {
                "submitted" => "submitted for review",
                "changes_requested" => "asked for changes to",
                "approved" => "approved",
                "comment" => "commented on",
                _ => "published",
            };
            let message = if row.kind == NotificationKind::ReviewDue.as_str() {
                // The actor of a reminder is the post's reviewer.
                format!(
                    "\u{201c}{}\u{201d} is due for its next medical review (last reviewed by {})",
                    row.post_title, row.actor
                )
            } else {
                format!("{} {what} \u{201c}{}\u{201d}", row.actor, row.post_title)
            };
            NotificationView {
                id: row.id,
                post_id: row.post_id,
                message,
                at: admin_time(row.created_at, &settings),
                read: row.read_at.is_some(),
            }
        })
        .collect())
}

pub async fn unread_count(state: &AppState, caller: &Caller) -> Result<i64, AppError> {
    state.store.unread_notifications(caller.user.id).await
}

pub async fn mark_read(state: &AppState, caller: &Caller) -> Result<(), AppError> {
    state
        .store
        .mark_notifications_read(caller.user.id, state.clock.now())
        .await
}

pub async fn empty_trash(state: &AppState, caller: &Caller) -> Result<u64, AppError> {
    let audit = NewAuditEntry::new(AuditAction::TrashEmptied, Some(caller.user.id), None).address(&caller.address);
    state.store.empty_trash(None, Some(&audit)).await
}

fn status_words(status: PostStatus) -> &'static str {
    match status {
        PostStatus::Draft => "a draft",
        PostStatus::InReview => "in review",
        PostStatus::ChangesRequested => "back with its author",
        PostStatus::Approved => "approved",
        PostStatus::Scheduled => "scheduled",
        PostStatus::Published => "published",
        PostStatus::Trashed => "in the trash",
    }
}

fn transition_words(transition: Transition) -> &'static str {
    match transition {
        Transition::Submit => "submitted",
        Transition::Withdraw => "withdrawn",
        Transition::RequestChanges => "sent back",
        Transition::Approve => "approved",
        Transition::PublishNow => "published",
        Transition::Schedule => "scheduled",
        Transition::Unschedule => "unscheduled",
        Transition::Unpublish => "unpublished",
        Transition::Trash => "trashed",
        Transition::Restore => "restored",
    }
}

impl AuditAction {
    /// The entry for a workflow step.
    pub fn for_transition(transition: Transition) -> Self {
        use Transition as T;
        match transition {
            T::Submit => Self::PostSubmitted,
            T::Withdraw => Self::PostWithdrawn,
            T::RequestChanges => Self::ChangesRequested,
            T::Approve => Self::PostApproved,
            T::PublishNow => Self::PostPublished,
            T::Schedule => Self::PostScheduled,
            T::Unschedule => Self::PostUnscheduled,
            T::Unpublish => Self::PostUnpublished,
            T::Trash => Self::PostTrashed,
            T::Restore => Self::PostRestored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(zone: &str) -> SiteSettings {
        SiteSettings {
            title: "Clinic".into(),
            description: String::new(),
            site_url: "https://clinic.example".into(),
            time_zone: zone.into(),
            date_format: "%B %-d, %Y".into(),
            review_required: true,
            ..SiteSettings::default()
        }
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).expect("time").with_timezone(&Utc)
    }

    #[test]
    fn schedule_times_are_read_in_the_site_zone() {
        let now = utc("2026-03-01T00:00:00Z");
        let chicago = settings("America/Chicago");
        assert_eq!(
            schedule_time("2026-03-10T09:30", &chicago, now).expect("valid"),
            utc("2026-03-10T14:30:00Z")
        );
        let gap = schedule_time("2026-03-08T02:30", &chicago, now).expect_err("spring-forward gap");
        assert!(gap.field_messages("publish_at")[0].contains("does not exist"));
        // 01:30 on Nov 1, 2026 happens twice in Chicago: the first (CDT) wins.
        assert_eq!(
            schedule_time("2026-11-01T01:30", &chicago, now).expect("valid"),
            utc("2026-11-01T06:30:00Z")
        );
        assert!(schedule_time("2026-02-01T09:00", &chicago, now).is_err(), "past");
        assert!(schedule_time("tomorrow", &chicago, now).is_err());
    }
}
