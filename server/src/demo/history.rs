//! Each demo post's way through the workflow: when it was written, and
//! the steps the admin's buttons would have taken since, dated in the past.

use anyhow::anyhow;
use app::accounts::server::{AuditAction, NewAuditEntry, User};
use app::domain::PostKind;
use app::posts::server::cadence::next_review_due;
use app::posts::server::{
    LiveText, NotificationKind, Notify, Post, PostEdit, PostTitle, RevisionKind, SaveRequest, Slug, StatusChange,
};
use app::posts::workflow::{self, Actor, PostStatus, Transition};
use app::store::Store;
use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::posts::{DemoPost, Plan};
use super::staff::Cast;

/// Nine in the morning at the clinic, `days` days from today (negative:
/// in the past). The demo's days are the clinic's (Chicago; its standard
/// offset is near enough for choosing a day).
fn clinic_morning(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let clinic_today = (now - Duration::hours(6)).date_naive();
    (clinic_today + Duration::days(days)).and_time(NaiveTime::MIN).and_utc() + Duration::hours(15)
}

/// A workflow step: who takes it, when, and for a schedule, when the post
/// goes out.
struct Step<'a> {
    transition: Transition,
    actor: &'a User,
    at: DateTime<Utc>,
    publish_at: Option<DateTime<Utc>>,
    note: Option<&'static str>,
}

/// When the post was started and last saved, and the steps it has been
/// through since, oldest first. Every time is in the past.
fn history<'a>(post: &DemoPost, cast: &'a Cast, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>, Vec<Step<'a>>) {
    let author = post.authors.first().map_or(&cast.nurse, |who| cast.member(*who));
    let reviewer = cast.reviewer(post);
    let step = |transition, actor, at, note| Step {
        transition,
        actor,
        at,
        publish_at: None,
        note,
    };
    match post.plan {
        Plan::Published { days_ago } => {
            let out = clinic_morning(now, -days_ago);
            let started = out - Duration::days(7);
            (
                started,
                started + Duration::minutes(50),
                vec![
                    step(
                        Transition::Submit,
                        author,
                        out - Duration::days(4) + Duration::hours(2),
                        post.submit_note,
                    ),
                    step(
                        Transition::Approve,
                        reviewer,
                        out - Duration::days(1) + Duration::hours(5),
                        post.approve_note,
                    ),
                    step(Transition::PublishNow, reviewer, out, None),
                ],
            )
        }
        Plan::Scheduled { in_days } => {
            let approved = clinic_morning(now, -1) + Duration::hours(5);
            let started = clinic_morning(now, -6);
            (
                started,
                started + Duration::minutes(50),
                vec![
                    step(
                        Transition::Submit,
                        author,
                        clinic_morning(now, -3) + Duration::hours(2),
                        post.submit_note,
                    ),
                    step(Transition::Approve, reviewer, approved, post.approve_note),
                    Step {
                        publish_at: Some(clinic_morning(now, in_days)),
                        ..step(Transition::Schedule, reviewer, approved + Duration::minutes(5), None)
                    },
                ],
            )
        }
        Plan::InReview { days_ago } => {
            let submitted = clinic_morning(now, -days_ago) + Duration::hours(2);
            let started = submitted - Duration::days(4);
            (
                started,
                started + Duration::minutes(50),
                vec![step(Transition::Submit, author, submitted, post.submit_note)],
            )
        }
        Plan::Draft { days_ago } => {
            let saved = clinic_morning(now, -days_ago) + Duration::hours(3);
            (saved - Duration::days(2), saved, Vec::new())
        }
    }
}

pub(super) async fn seed_post(
    store: &dyn Store,
    cast: &Cast,
    demo: &DemoPost,
    kind: PostKind,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let (started, saved, steps) = history(demo, cast, now);
    let author_ids: Vec<i64> = demo.authors.iter().map(|who| cast.member(*who).id).collect();
    let author = author_ids
        .first()
        .copied()
        .ok_or_else(|| anyhow!("a demo post has no author"))?;
    let title = PostTitle::parse(demo.title).map_err(anyhow::Error::msg)?;
    let slug = Slug::from_title(&title);
    let mut post = match kind {
        PostKind::Post => store.create_draft(&title, &slug, author, started).await?,
        PostKind::Page => store.create_page(&title, &slug, author, started).await?,
    };
    let edit = PostEdit::parse(&demo.fields(&post.content.slug, author_ids.clone()))?;
    post = store
        .save_post(&SaveRequest {
            id: post.id,
            expected_version: post.version,
            editable: &[PostStatus::Draft],
            edit: &edit,
            saved_by: author,
            kind: RevisionKind::Save,
            at: saved,
        })
        .await?;
    // Reviews fall due on the clinic's calendar, as the admin's would.
    let zone = app::time::site_zone(&store.site_settings().await?);
    for step in &steps {
        let mut change = status_change(&post, &author_ids, step)?;
        // An article's review falls due again; a page's never does.
        if change.reviewed && post.kind.review_falls_due() {
            change.review_due_at = Some(next_review_due(step.at, demo.review_months, zone));
        }
        post = store.change_status(&change).await?;
    }
    Ok(())
}

/// The status change the admin's buttons would make for `step` (see
/// `app::posts::server::review::change_status`), refused as there if the
/// workflow does not allow it.
fn status_change(post: &Post, author_ids: &[i64], step: &Step<'_>) -> anyhow::Result<StatusChange> {
    let actor = Actor {
        role: step.actor.role,
        is_author: author_ids.contains(&step.actor.id),
    };
    let to = workflow::apply(post.status, step.transition, actor, post.kind, true).map_err(|refusal| {
        anyhow!(
            "demo post {:?}: {:?} refused ({refusal:?})",
            post.content.title,
            step.transition
        )
    })?;
    let comment = step.note.map(|note| {
        let kind = if step.transition == Transition::Approve {
            "approved"
        } else {
            "comment"
        };
        (kind, note.to_owned())
    });
    let notify = match step.transition {
        Transition::Submit => Notify::Editors(NotificationKind::Submitted),
        Transition::PublishNow => Notify::Authors(NotificationKind::Published),
        _ => Notify::Nobody,
    };
    let live = match step.transition {
        Transition::PublishNow | Transition::Schedule => LiveText::FromCurrent,
        _ => LiveText::Keep,
    };
    let mut audit = NewAuditEntry::new(AuditAction::for_transition(step.transition), Some(step.actor.id), None)
        .detail(format!("post {} \"{}\" (demo content)", post.id, post.content.title));
    audit.at = step.at;
    Ok(StatusChange {
        payload: app::webhooks::server::event_payload,
        id: post.id,
        expected_version: post.version,
        from: post.status,
        to,
        actor_id: step.actor.id,
        at: step.at,
        live,
        reviewed: step.transition == Transition::Approve,
        review_due_at: None,
        publish_at: step.publish_at,
        comment,
        notify,
        audit,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use app::accounts::Role;
    use app::domain::PostContent;

    use super::super::posts::{POSTS, Who};
    use super::*;

    fn user(id: i64, role: Role) -> User {
        User {
            id,
            role,
            ..test_user()
        }
    }

    fn test_user() -> User {
        User {
            id: 0,
            email: String::new(),
            display_name: String::new(),
            slug: String::new(),
            role: Role::Author,
            active: true,
            bio: String::new(),
            avatar_url: String::new(),
            credentials: String::new(),
            password_hash: None,
            session_epoch: 0,
            created_at: Utc::now(),
            last_sign_in_at: None,
        }
    }

    fn test_cast() -> Cast {
        Cast {
            admin: user(1, Role::Admin),
            physician: user(2, Role::Editor),
            nurse: user(3, Role::Author),
            dietitian: user(4, Role::Author),
        }
    }
    #[test]
    fn the_calendar_is_realistic() {
        let now = Utc::now();
        let cast = test_cast();
        let mut days = HashSet::new();
        let mut plans = Vec::new();
        for post in &POSTS {
            let (started, saved, steps) = history(post, &cast, now);
            assert!(started < saved && saved < now, "{}", post.title);
            let mut last = saved;
            for step in &steps {
                assert!(last < step.at && step.at < now, "{}: {:?}", post.title, step.transition);
                last = step.at;
                if let Some(at) = step.publish_at {
                    assert!(at > now + Duration::days(2), "{}: scheduled ahead", post.title);
                }
            }
            if let Plan::Published { days_ago } = post.plan {
                assert!((1..=92).contains(&days_ago), "{}", post.title);
                assert!(days.insert(days_ago), "{}: one post a day", post.title);
            }
            plans.push(post.plan);
        }
        assert_eq!(days.len(), 11);
        assert!(days.contains(&1), "the newest went out yesterday");
        assert!(plans.iter().any(|plan| matches!(plan, Plan::Scheduled { .. })));
        assert!(plans.iter().any(|plan| matches!(plan, Plan::InReview { .. })));
        assert!(plans.iter().any(|plan| matches!(plan, Plan::Draft { .. })));
        let newest = clinic_morning(now, -1);
        assert!(now - newest > Duration::hours(12) && now - newest < Duration::hours(48));
    }

    #[test]
    fn every_step_is_one_the_workflow_allows() {
        let now = Utc::now();
        let cast = test_cast();
        for demo in &POSTS {
            let author_ids: Vec<i64> = demo.authors.iter().map(|who| cast.member(*who).id).collect();
            let (_, _, steps) = history(demo, &cast, now);
            let mut post = Post {
                status: PostStatus::Draft,
                ..blank_post()
            };
            for step in &steps {
                let change = status_change(&post, &author_ids, step).expect("allowed");
                assert_eq!(change.reviewed, change.to == PostStatus::Approved);
                post.status = change.to;
            }
            let expected = match demo.plan {
                Plan::Published { .. } => PostStatus::Published,
                Plan::Scheduled { .. } => PostStatus::Scheduled,
                Plan::InReview { .. } => PostStatus::InReview,
                Plan::Draft { .. } => PostStatus::Draft,
            };
            assert_eq!(post.status, expected, "{}", demo.title);
            if demo.show_review {
                assert!(
                    !demo.authors.contains(&Who::Physician),
                    "{}: reviewed by its author",
                    demo.title
                );
            }
        }
    }

    fn blank_post() -> Post {
        let now = Utc::now();
        Post {
            id: 1,
            content: PostContent::default(),
            show_review: true,
            status: PostStatus::Draft,
            version: 1,
            created_at: now,
            updated_at: now,
            published_at: None,
            publish_at: None,
            trashed_at: None,
            reviewed_by: None,
            reviewed_at: None,
            reviewed_version: None,
            live_revision_id: None,
            review_due_at: None,
            kind: app::domain::PostKind::Post,
            parent_id: None,
        }
    }
}
