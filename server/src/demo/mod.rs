//! Demo content for a first look at Vellum (`vellum serve --demo`). It is
//! written only into a brand-new database, never over real content: a
//! clinic's staff, fourteen articles at every stage of the workflow (most
//! published over the past three months and medically reviewed, one
//! scheduled, one in review, one draft), and a cover for each, served by
//! `cover`.
//!
//! Every post goes through the same workflow the admin uses (draft, save,
//! submit, approve, publish or schedule), with each step dated in the past.

mod covers;
mod posts;

use anyhow::anyhow;
use app::accounts::Role;
use app::accounts::server::{
    AuditAction, DisplayName, Email, NewAuditEntry, NewUser, Password, ProfileUpdate, User, hash_password, random_token,
};
use app::posts::server::{
    LiveText, NotificationKind, Notify, Post, PostEdit, PostTitle, RawEdit, RevisionKind, SaveRequest, Slug,
    StatusChange,
};
use app::posts::workflow::{self, Actor, PostStatus, Transition};
use app::settings::server::SettingsUpdate;
use app::store::Store;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveTime, Utc};

use self::posts::{DemoPost, POSTS, Plan, TAGS, Who};

/// Someone on the clinic's staff.
struct Member {
    email: &'static str,
    name: &'static str,
    role: Role,
    credentials: &'static str,
    bio: &'static str,
    /// Their part in the articles; the admin writes none.
    writes_as: Option<Who>,
}

/// The demo's staff: an admin who runs the site, a physician who reviews
/// (and writes a little), a nurse and a dietitian. The admin comes first:
/// the log names that account first.
const STAFF: [Member; 4] = [
    Member {
        email: "admin@demo.vellum.test",
        name: "Demo Admin",
        role: Role::Admin,
        credentials: "",
        bio: "Runs the clinic's website.",
        writes_as: None,
    },
    Member {
        email: "maya.patel@demo.vellum.test",
        name: "Dr. Maya Patel",
        role: Role::Editor,
        credentials: "MD, family physician",
        bio: "Family physician with twelve years in community practice. She reviews every article in the \
              journal before it is published, and writes about check-ups and everyday aches.",
        writes_as: Some(Who::Physician),
    },
    Member {
        email: "sam.rivera@demo.vellum.test",
        name: "Sam Rivera",
        role: Role::Author,
        credentials: "RN, health educator",
        bio: "Registered nurse and health educator. Sam runs the clinic's prevention classes and writes \
              about the everyday habits that keep families well.",
        writes_as: Some(Who::Nurse),
    },
    Member {
        email: "nora.lindqvist@demo.vellum.test",
        name: "Nora Lindqvist",
        role: Role::Author,
        credentials: "RD, registered dietitian",
        bio: "Registered dietitian who helps patients with diabetes, heart disease and everyday eating, \
              with advice that fits real kitchens and real budgets.",
        writes_as: Some(Who::Dietitian),
    },
];

/// The staff as created, by part.
struct Cast {
    admin: User,
    physician: User,
    nurse: User,
    dietitian: User,
}

impl Cast {
    fn member(&self, who: Who) -> &User {
        match who {
            Who::Physician => &self.physician,
            Who::Nurse => &self.nurse,
            Who::Dietitian => &self.dietitian,
        }
    }

    /// Who approves a post: the physician, unless she wrote it (then the
    /// admin does, and readers are not told about a review).
    fn reviewer(&self, post: &DemoPost) -> &User {
        if post.authors.contains(&Who::Physician) {
            &self.admin
        } else {
            &self.physician
        }
    }
}

pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut settings = store.site_settings().await?;
    settings.title = "Riverside Family Clinic · Health Journal".into();
    settings.description =
        "Plain-language health articles, written and checked by the clinicians who care for you.".into();
    settings.time_zone = "America/Chicago".into();
    settings.cta_heading = "Questions about your health?".into();
    settings.cta_text = "Our nurses call you back the same day, and new patients are always welcome.".into();
    settings.cta_label = "Book a visit".into();
    settings.cta_url = "https://riverside-clinic.example/book".into();
    store
        .update_site_settings(&SettingsUpdate::parse(&settings)?, None)
        .await?;

    // A fresh random password for every account, shown once: a demo never
    // ships a known one. The hashes are computed side by side.
    let passwords: Vec<String> = STAFF.iter().map(|_| random_token()[..20].to_owned()).collect();
    let mut hashing = Vec::with_capacity(passwords.len());
    for password in &passwords {
        let password = Password::parse(password).map_err(anyhow::Error::msg)?;
        hashing.push(tokio::spawn(hash_password(password)));
    }
    let mut staff = Vec::with_capacity(STAFF.len());
    for (member, hash) in STAFF.iter().zip(hashing) {
        let new_user = NewUser {
            email: Email::parse(member.email).map_err(anyhow::Error::msg)?,
            display_name: DisplayName::parse(member.name).map_err(anyhow::Error::msg)?,
            role: member.role,
            password_hash: Some(hash.await??),
            password_link: None,
        };
        let audit = NewAuditEntry::new(AuditAction::UserCreated, None, None).detail("demo content");
        let user = store.create_user(&new_user, &audit).await?;
        let profile = ProfileUpdate::parse(member.name, member.bio, "", member.credentials)?;
        staff.push((member.writes_as, store.update_profile(user.id, &profile).await?));
    }
    let cast = cast(staff)?;
    // The staff have read their notifications about everything but the
    // article still waiting for review, which is the editors' next task.
    let (waiting, settled): (Vec<&DemoPost>, Vec<&DemoPost>) = POSTS
        .iter()
        .partition(|post| matches!(post.plan, Plan::InReview { .. }));
    for post in settled {
        seed_post(store, &cast, post, now).await?;
    }
    for user in [&cast.admin, &cast.physician, &cast.nurse, &cast.dietitian] {
        store.mark_notifications_read(user.id, now).await?;
    }
    for post in waiting {
        seed_post(store, &cast, post, now).await?;
    }
    for tag in store.list_tags().await? {
        if let Some((name, description)) = TAGS.iter().find(|(name, _)| *name == tag.name) {
            store.update_tag(tag.id, name, description).await?;
        }
    }
    tracing::warn!("{}", accounts_message(&passwords));
    Ok(())
}

fn cast(staff: Vec<(Option<Who>, User)>) -> anyhow::Result<Cast> {
    let mut admin = None;
    let mut physician = None;
    let mut nurse = None;
    let mut dietitian = None;
    for (part, user) in staff {
        let slot = match part {
            None => &mut admin,
            Some(Who::Physician) => &mut physician,
            Some(Who::Nurse) => &mut nurse,
            Some(Who::Dietitian) => &mut dietitian,
        };
        *slot = Some(user);
    }
    match (admin, physician, nurse, dietitian) {
        (Some(admin), Some(physician), Some(nurse), Some(dietitian)) => Ok(Cast {
            admin,
            physician,
            nurse,
            dietitian,
        }),
        _ => Err(anyhow!("the demo staff is incomplete")),
    }
}

/// The accounts and their passwords, for the log: the admin's on the first
/// line (which `make run` users look for), then everyone else's.
fn accounts_message(passwords: &[String]) -> String {
    let mut message = String::from("Demo content added.");
    for (index, (member, password)) in STAFF.iter().zip(passwords).enumerate() {
        if index == 0 {
            message.push_str(&format!(
                " Sign in at /admin/login as {} with the password {password} (shown only now).\n\
                 The other demo accounts, whose passwords are also shown only now:",
                member.email
            ));
        } else {
            let role = format!("{:?}", member.role).to_lowercase();
            message.push_str(&format!(
                "\n  {:<32} {} ({role}): password {password}",
                member.email, member.name
            ));
        }
    }
    message
}

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

async fn seed_post(store: &dyn Store, cast: &Cast, demo: &DemoPost, now: DateTime<Utc>) -> anyhow::Result<()> {
    let (started, saved, steps) = history(demo, cast, now);
    let author_ids: Vec<i64> = demo.authors.iter().map(|who| cast.member(*who).id).collect();
    let author = author_ids
        .first()
        .copied()
        .ok_or_else(|| anyhow!("a demo post has no author"))?;
    let title = PostTitle::parse(demo.title).map_err(anyhow::Error::msg)?;
    let mut post = store
        .create_draft(&title, &Slug::from_title(&title), author, started)
        .await?;
    let cover_url = covers::url(demo.cover);
    let edit = PostEdit::parse(&RawEdit {
        title: &post.title,
        slug: &post.slug,
        body: demo.body,
        excerpt: demo.excerpt,
        cover_url: &cover_url,
        cover_alt: demo.cover_alt,
        show_review: demo.show_review,
        tags: demo.tags,
        author_ids: &author_ids,
        ..RawEdit::default()
    })?;
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
    for step in &steps {
        let change = status_change(&post, &author_ids, step)?;
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
    let to = workflow::apply(post.status, step.transition, actor, true).map_err(|refusal| {
        anyhow!(
            "demo post {:?}: {:?} refused ({refusal:?})",
            post.title,
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
        .detail(format!("post {} \"{}\" (demo content)", post.id, post.title));
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
        publish_at: step.publish_at,
        comment,
        notify,
        audit,
    })
}

/// `GET /demo/covers/{name}.svg`: a demo cover, cached for good (a cover
/// never changes under its name).
pub async fn cover(Path(name): Path<String>) -> Response {
    match name.strip_suffix(".svg").and_then(covers::svg) {
        Some(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            svg,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

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
    fn every_post_is_a_complete_article() {
        let tags: HashSet<&str> = TAGS.iter().map(|(name, _)| *name).collect();
        let mut titles = HashSet::new();
        for post in &POSTS {
            let words = post.body.split_whitespace().count();
            assert!((500..=900).contains(&words), "{}: {words} words", post.title);
            assert!(post.body.contains("\n## "), "{}: sections", post.title);
            assert!(
                post.body.contains("\n- ") || post.body.contains("\n1. "),
                "{}: a list",
                post.title
            );
            assert!(
                post.body.contains("## When to call your clinician"),
                "{}: when to call",
                post.title
            );
            assert!(!post.excerpt.is_empty() && post.excerpt.len() < 300, "{}", post.title);
            assert!(!post.excerpt.contains("  "), "{}: excerpt spacing", post.title);
            let post_tags: Vec<&str> = post.tags.split(", ").collect();
            assert!((1..=3).contains(&post_tags.len()), "{}", post.title);
            assert!(
                post_tags.iter().all(|tag| tags.contains(tag)),
                "{}: {}",
                post.title,
                post.tags
            );
            assert!(
                covers::svg(post.cover).is_some(),
                "{}: cover {}",
                post.title,
                post.cover
            );
            assert!(post.cover_alt.len() > 20, "{}: alt text", post.title);
            assert!(titles.insert(post.title), "{}: twice", post.title);
            let ids = [1];
            PostEdit::parse(&RawEdit {
                title: post.title,
                slug: "a-post",
                body: post.body,
                excerpt: post.excerpt,
                cover_url: &covers::url(post.cover),
                cover_alt: post.cover_alt,
                tags: post.tags,
                author_ids: &ids,
                ..RawEdit::default()
            })
            .unwrap_or_else(|error| panic!("{}: {error:?}", post.title));
        }
        let used: HashSet<&str> = POSTS.iter().flat_map(|post| post.tags.split(", ")).collect();
        assert_eq!(used, tags, "every tag is used");
        assert!(POSTS.iter().any(|post| post.authors.len() > 1), "multi-author bylines");
    }

    #[test]
    fn covers_are_self_contained_svg() {
        let mut names = HashSet::new();
        for (name, svg) in covers::COVERS {
            assert!(names.insert(name), "{name} twice");
            assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1200 630\""));
            assert!(svg.trim_end().ends_with("</svg>"), "{name}");
            for banned in [
                "<script",
                "<text",
                "<image",
                "<foreignObject",
                "font",
                "on",
                "url(http",
                "href=\"http",
            ] {
                let found = match banned {
                    // Attributes such as onload; "on" alone is in ordinary words.
                    "on" => svg.contains(" onload") || svg.contains(" onclick"),
                    _ => svg.contains(banned),
                };
                assert!(!found, "{name} contains {banned}");
            }
            assert_eq!(svg.matches("http").count(), 1, "{name}: only the SVG namespace");
        }
        assert!(POSTS.iter().all(|post| names.contains(post.cover)));
        assert_eq!(covers::svg("nope"), None);
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
            title: String::new(),
            slug: String::new(),
            body: String::new(),
            excerpt: String::new(),
            cover_url: String::new(),
            cover_alt: String::new(),
            seo_title: String::new(),
            seo_description: String::new(),
            canonical_url: String::new(),
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
        }
    }

    #[test]
    fn the_log_names_every_account_once() {
        let passwords: Vec<String> = (0..4).map(|n| format!("password-{n}-xyz")).collect();
        let message = accounts_message(&passwords);
        let first = message.lines().next().unwrap_or_default();
        assert!(
            first.contains("Demo content added.")
                && first.contains("as admin@demo.vellum.test with the password password-0-xyz "),
            "{first}"
        );
        for (member, password) in STAFF.iter().zip(&passwords) {
            assert_eq!(message.matches(member.email).count(), 1, "{message}");
            assert_eq!(message.matches(password.as_str()).count(), 1, "{message}");
        }
    }
}
