//! Demo content for a first look at Vellum (`vellum serve --demo`). It is
//! written only into a brand-new database, never over real content.

use app::accounts::Role;
use app::accounts::server::User;
use app::accounts::server::{
    AuditAction, DisplayName, Email, NewAuditEntry, NewUser, Password, ProfileUpdate, hash_password, random_token,
};
use app::posts::server::{
    LiveText, NotificationKind, Notify, Post, PostEdit, PostTitle, RawEdit, RevisionKind, SaveRequest, Slug,
    StatusChange,
};
use app::posts::workflow::PostStatus;
use app::settings::server::SettingsUpdate;
use app::store::Store;
use chrono::Utc;

/// The demo's staff: who writes, who reviews. Only the admin can sign in.
const STAFF: [(&str, &str, Role, &str, &str); 3] = [
    (
        "admin@demo.vellum.test",
        "Demo Admin",
        Role::Admin,
        "",
        "Runs the clinic's website.",
    ),
    (
        "maya.patel@demo.vellum.test",
        "Dr. Maya Patel",
        Role::Editor,
        "MD, family physician",
        "Family physician with twelve years in community practice; reviews every article before it is published.",
    ),
    (
        "sam.rivera@demo.vellum.test",
        "Sam Rivera",
        Role::Author,
        "RN, health educator",
        "Nurse and health educator who writes about everyday prevention.",
    ),
];

pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    let mut settings = store.site_settings().await?;
    settings.title = "Riverside Family Clinic · Health Journal".into();
    settings.description = "Plain-language health articles from our clinicians, each one medically reviewed.".into();
    settings.time_zone = "America/Chicago".into();
    store
        .update_site_settings(&SettingsUpdate::parse(&settings)?, None)
        .await?;

    // A fresh random password, shown once: a demo never ships a known one.
    let admin_password = random_token()[..20].to_owned();
    let mut staff = Vec::new();
    for (email, name, role, credentials, bio) in STAFF {
        let password_hash = match role {
            Role::Admin => Some(hash_password(Password::parse(&admin_password).map_err(anyhow::Error::msg)?).await?),
            _ => None,
        };
        let new_user = NewUser {
            email: Email::parse(email).map_err(anyhow::Error::msg)?,
            display_name: DisplayName::parse(name).map_err(anyhow::Error::msg)?,
            role,
            password_hash,
            password_link: None,
        };
        let audit = NewAuditEntry::new(AuditAction::UserCreated, None, None).detail("demo content");
        let user = store.create_user(&new_user, &audit).await?;
        staff.push(
            store
                .update_profile(user.id, &ProfileUpdate::parse(name, bio, "", credentials)?)
                .await?,
        );
    }
    if let [_, editor, author] = staff.as_slice() {
        seed_posts(store, author, editor).await?;
    }
    tracing::warn!(
        "Demo content added. Sign in at /admin/login as {} with the password {admin_password} (shown only now).",
        STAFF[0].0
    );
    Ok(())
}

/// (title, tags, body, how far it got): one published and reviewed, one
/// waiting for review, one draft.
const POSTS: [(&str, &str, &str, PostStatus); 3] = [
    (
        "Five habits for a healthier heart",
        "Heart health, Prevention",
        "Small, steady changes protect your heart more than any single big one.\n\n\
         ## Move every day\n\nAim for 150 minutes of moderate activity a week; a brisk walk counts.\n\n\
         ## Eat more plants\n\n- Fill half your plate with vegetables\n- Choose whole grains\n- Snack on nuts\n\n\
         ## Know your numbers\n\n| Measure | Healthy range |\n|---|---|\n| Blood pressure | below 120/80 |\n\
         | LDL cholesterol | below 100 mg/dL |\n\n\
         Read more from the [American Heart Association](https://www.heart.org/).\n",
        PostStatus::Published,
    ),
    (
        "Understanding seasonal allergies",
        "Allergies",
        "Sneezing every spring? Pollen is the usual cause.\n\n## What helps\n\n- Keep windows closed\n\
         - Shower after being outside\n",
        PostStatus::InReview,
    ),
    (
        "Staying active in winter",
        "Prevention",
        "Cold days make it harder to move. A few ideas that work indoors.\n",
        PostStatus::Draft,
    ),
];

async fn seed_posts(store: &dyn Store, author: &User, editor: &User) -> anyhow::Result<()> {
    for (title, tags, body, goal) in POSTS {
        let title = PostTitle::parse(title).map_err(anyhow::Error::msg)?;
        let mut post = store
            .create_draft(&title, &Slug::from_title(&title), author.id, Utc::now())
            .await?;
        let edit = PostEdit::parse(&RawEdit {
            title: &post.title,
            slug: &post.slug,
            body,
            tags,
            show_review: true,
            author_ids: &[author.id],
            ..RawEdit::default()
        })?;
        post = store
            .save_post(&SaveRequest {
                id: post.id,
                expected_version: post.version,
                editable: &[PostStatus::Draft],
                edit: &edit,
                saved_by: author.id,
                kind: RevisionKind::Save,
                at: Utc::now(),
            })
            .await?;
        let steps: &[(PostStatus, &User)] = match goal {
            PostStatus::Published => &[
                (PostStatus::InReview, author),
                (PostStatus::Approved, editor),
                (PostStatus::Published, editor),
            ],
            PostStatus::InReview => &[(PostStatus::InReview, author)],
            _ => &[],
        };
        for (to, actor) in steps {
            post = store.change_status(&demo_step(&post, *to, actor)).await?;
        }
    }
    Ok(())
}

fn demo_step(post: &Post, to: PostStatus, actor: &User) -> StatusChange {
    let action = match to {
        PostStatus::InReview => AuditAction::PostSubmitted,
        PostStatus::Approved => AuditAction::PostApproved,
        _ => AuditAction::PostPublished,
    };
    StatusChange {
        id: post.id,
        expected_version: post.version,
        from: post.status,
        to,
        actor_id: actor.id,
        at: Utc::now(),
        live: if to == PostStatus::Published {
            LiveText::FromCurrent
        } else {
            LiveText::Keep
        },
        reviewed: to == PostStatus::Approved,
        publish_at: None,
        comment: None,
        notify: if to == PostStatus::InReview {
            Notify::Editors(NotificationKind::Submitted)
        } else {
            Notify::Nobody
        },
        audit: NewAuditEntry::new(action, Some(actor.id), None).detail(format!("demo post {}", post.id)),
    }
}
