//! Storage: one trait with intent-named methods and one implementation per
//! database. Which one runs is decided by the scheme of the database URL.
//!
//! Every query uses `$1`-style placeholders, which both SQLite and
//! PostgreSQL accept, and runtime `query_as` (no compile-time database).

mod backend;
pub mod changes;
pub mod files;
mod import_places;
pub mod imports;
pub mod list_marks;
mod mail;
mod media;
pub mod model;
mod notifications;
mod pages;
mod passkeys;
mod pools;
mod post_lists;
mod postgres;
mod posts;
mod previews;
mod public;
mod public_filter;
mod queries;
mod renders;
mod reviews;
pub mod search;
mod sessions;
mod signed_in;
mod site;
mod sql;
mod sqlite;
mod tokens;
pub mod transfer;
mod two_factor;
mod webhooks;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::audit::NewAuditEntry;
use crate::domain::Role;
use crate::domain::SiteSettings;
use crate::error::AppError;
use crate::input::people::{Email, ProfileUpdate};
use crate::input::post::{PostTitle, Slug};
use crate::input::site::SettingsUpdate;
use crate::store::model::accounts::{AuditFilter, AuditRow, NewUser, User};
use crate::store::model::accounts::{FailureCounts, FailureKey};
use crate::store::model::mail::{
    EmailChangeRequest, MailJob, MailLogRow, MailNotification, MailOutcome, NewMail, NotificationRoute,
};
use crate::store::model::media::{MediaRow, MediaUse, NewMedia, UsageViewer, VariantRow};
use crate::store::model::passkeys::{CeremonyPurpose, CeremonyRow, NewCeremony, NewPasskey, PasskeyRow, PasskeyUse};
use crate::store::model::posts::{CalendarRow, Event, PublicAuthor, PublicCount, PublicPost, PublicQuery};
use crate::store::model::posts::{
    CommentRow, NotificationRow, Post, PostFilter, Revision, SaveRequest, StatusChange, SummaryRow, Tag, TagUse,
};
use crate::store::model::posts::{ReReviewChange, ReviewDueChange};
use crate::store::model::previews::{NewPreviewLink, PreviewLinkRow};
use crate::store::model::sessions::{NewSession, SessionRow};
use crate::store::model::tokens::{ApiTokenRow, NewApiToken, TokenGrant};
use crate::store::model::two_factor::{TotpConfirmation, TotpRow};
use crate::store::model::webhooks::{DeliveryJob, DeliveryOutcome, DeliveryRow, EventPayload, NewWebhook, WebhookRow};

pub use pools::PoolUse;
use pools::{counting_acquisitions, pool_use, uncounted};
pub use postgres::PostgresStore;
pub use sessions::SessionBackend;
pub use sqlite::SqliteStore;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let scheme = url.split_once(':').map(|(scheme, _)| scheme).unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            // The scheme only: the rest may hold a password.
            scheme => Err(format!(
                "unsupported database URL (scheme \"{scheme}\"): use sqlite://path/to/file.db or postgres://user@host/db"
            )),
        }
    }
}

/// What happened when migrations ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// True when the database had no Vellum schema before.
    pub fresh: bool,
}

/// How a database's schema stands against the migrations in this binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaState {
    /// No Vellum tables yet.
    Empty,
    /// Some of this binary's migrations have not run.
    Behind {
        applied: usize,
        known: usize,
    },
    Current,
    /// A newer Vellum ran migrations this binary does not know.
    Ahead {
        unknown: usize,
    },
}

impl SchemaState {
    /// Compares the versions a database has applied with the binary's.
    pub fn compare(applied: &[i64], migrator: &sqlx::migrate::Migrator) -> Self {
        let known: Vec<i64> = migrator.iter().map(|migration| migration.version).collect();
        let unknown = applied.iter().filter(|version| !known.contains(version)).count();
        let missing = known.iter().filter(|version| !applied.contains(version)).count();
        if unknown > 0 {
            Self::Ahead { unknown }
        } else if missing > 0 {
            Self::Behind {
                applied: known.len() - missing,
                known: known.len(),
            }
        } else {
            Self::Current
        }
    }
}

/// The file a SQLite URL names (`None` for other databases and for an
/// in-memory one).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    if Backend::from_url(url).ok()? != Backend::Sqlite {
        return None;
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Applies the migrations embedded in the binary that have not run yet.
    async fn migrate(&self) -> Result<Migrated, sqlx::Error>;

    /// Where the schema stands, without changing it.
    async fn schema_state(&self) -> Result<SchemaState, sqlx::Error>;

    /// Answers when the database does: the readiness probe.
    async fn ping(&self) -> Result<(), AppError>;

    /// The connections each of the store's pools holds open and idle
    /// (`/metrics`: a pool always busy is one too small).
    fn pool_use(&self) -> Vec<PoolUse>;

    async fn site_settings(&self) -> Result<SiteSettings, AppError>;

    /// The public API's content key and, after a change, the previous one.
    async fn content_keys(&self) -> Result<crate::domain::ContentKeys, AppError>;

    /// Signs everyone out (API tokens stay); how many sessions there were.
    async fn end_all_sessions(&self, audit: &NewAuditEntry) -> Result<u64, AppError>;

    /// Saves the settings; `audit` (when a person made the change) is
    /// written in the same transaction, and its time is the change's (a
    /// replaced content key keeps working for `CONTENT_KEY_OVERLAP_DAYS`
    /// from then).
    async fn update_site_settings(
        &self,
        update: &SettingsUpdate,
        audit: Option<&NewAuditEntry>,
    ) -> Result<SiteSettings, AppError>;

    /// The clinic behind the site (all empty until an admin fills it in).
    async fn clinic_details(&self) -> Result<crate::domain::ClinicDetails, AppError>;

    /// Saves the clinic's details with `audit`, in one transaction.
    async fn update_clinic_details(
        &self,
        update: &crate::input::clinic::ClinicUpdate,
        audit: &NewAuditEntry,
    ) -> Result<crate::domain::ClinicDetails, AppError>;

    /// The header and footer menus, in order.
    async fn menus(&self) -> Result<crate::domain::Menus, AppError>;

    /// Replaces both menus with `update`'s items, with `audit`, in one
    /// transaction.
    async fn replace_menus(
        &self,
        update: &crate::input::menu::MenuUpdate,
        audit: &NewAuditEntry,
    ) -> Result<crate::domain::Menus, AppError>;

    /// Whether a menu item's target is there for readers at `now`.
    async fn menu_target_exists(
        &self,
        kind: crate::domain::MenuTarget,
        slug: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError>;

    /// The menus' items whose target readers can see at `now`, in order.
    async fn live_menus(&self, now: DateTime<Utc>) -> Result<crate::domain::Menus, AppError>;

    /// The store for tower-sessions, in the same database.
    fn session_backend(&self) -> SessionBackend;

    // Accounts. Every change to a user writes its audit entry in the same
    // transaction.

    async fn count_users(&self) -> Result<i64, AppError>;

    /// Creates a user (and its set-password link, if any); `Conflict` when
    /// the email is taken.
    async fn create_user(&self, user: &NewUser, audit: &NewAuditEntry) -> Result<User, AppError>;

    /// Creates the first user; `NotFound` when any user exists already.
    async fn create_first_admin(&self, user: &NewUser, audit: &NewAuditEntry) -> Result<User, AppError>;

    async fn user_by_id(&self, id: i64) -> Result<Option<User>, AppError>;

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, AppError>;

    async fn list_users(&self) -> Result<Vec<User>, AppError>;

    async fn update_profile(&self, id: i64, update: &ProfileUpdate) -> Result<User, AppError>;

    /// These three end every session of the user (the session epoch moves).
    /// Role and activation changes that would leave no active admin are
    /// refused with `Conflict`.
    async fn set_password(&self, id: i64, hash: &str, audit: &NewAuditEntry) -> Result<User, AppError>;
    async fn set_role(&self, id: i64, role: Role, audit: &NewAuditEntry) -> Result<User, AppError>;
    async fn set_active(&self, id: i64, active: bool, audit: &NewAuditEntry) -> Result<User, AppError>;

    async fn create_password_token(
        &self,
        user_id: i64,
        token_digest: &str,
        expires_at: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<(), AppError>;

    /// Uses up an unexpired token and sets the password of its (active)
    /// user; `None` when the token is unknown, used or expired.
    async fn set_password_with_token(
        &self,
        token_digest: &str,
        hash: &str,
        now: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<Option<User>, AppError>;

    /// Whether a set-password token is known and unexpired, without using
    /// it up: checked before the costly hashing of a new password.
    async fn password_token_is_valid(&self, token_digest: &str, now: DateTime<Utc>) -> Result<bool, AppError>;

    /// Notes the sign-in and clears the failed attempts of this account
    /// from this address (not others': they may be someone else's).
    async fn record_sign_in(&self, id: i64, failures: &FailureKey<'_>, audit: &NewAuditEntry) -> Result<(), AppError>;

    /// Counts an attempt as failed until it succeeds (a sign-in clears its
    /// rows). Recorded before the password is checked, so parallel guesses
    /// cannot slip past the limit.
    async fn record_login_attempt(&self, key: &FailureKey<'_>, at: DateTime<Utc>) -> Result<i64, AppError>;

    /// Takes back an attempt that was refused by the throttle.
    async fn forget_login_attempt(&self, id: i64) -> Result<(), AppError>;

    async fn login_failures_since(&self, key: &FailureKey<'_>, since: DateTime<Utc>)
    -> Result<FailureCounts, AppError>;

    /// Deletes the failures older than `before`, which no limit counts.
    async fn purge_login_failures(&self, before: DateTime<Utc>) -> Result<u64, AppError>;

    async fn append_audit(&self, audit: &NewAuditEntry) -> Result<(), AppError>;

    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, AppError>;

    // Passkeys (`store/passkeys.rs`).
    /// False (nothing stored) when the ceremony's address has `live_limit`
    /// ceremonies under way.
    async fn start_passkey_ceremony(&self, ceremony: &NewCeremony<'_>, live_limit: i64) -> Result<bool, AppError>;
    /// Uses the ceremony up; `None` when it is unknown, used or expired.
    async fn take_passkey_ceremony(
        &self,
        token_hash: &str,
        purpose: CeremonyPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<CeremonyRow>, AppError>;
    /// The person's user handle, `candidate` when they had none.
    async fn passkey_handle(&self, user_id: i64, candidate: &str) -> Result<String, AppError>;
    /// 409 when that passkey was added already.
    async fn add_passkey(&self, passkey: &NewPasskey, audit: &NewAuditEntry) -> Result<PasskeyRow, AppError>;
    async fn passkeys(&self, user_id: i64) -> Result<Vec<PasskeyRow>, AppError>;
    async fn count_passkeys(&self, user_id: i64) -> Result<i64, AppError>;
    async fn passkey_for_sign_in(&self, credential_id: &str, handle: &str) -> Result<Option<PasskeyRow>, AppError>;
    async fn record_passkey_use(&self, used: &PasskeyUse<'_>) -> Result<(), AppError>;
    /// 404 for another person's passkey or one that is gone.
    async fn remove_passkey(&self, user_id: i64, id: i64, audit: &NewAuditEntry) -> Result<(), AppError>;
    async fn users_with_passkeys(&self) -> Result<Vec<i64>, AppError>;
    /// The person's app, recovery codes and passkeys, in one transaction;
    /// false (nothing written) when they had none of them.
    async fn remove_second_factors(&self, user_id: i64, audit: &NewAuditEntry) -> Result<bool, AppError>;

    // Two-factor sign-in (`store/two_factor.rs`).
    async fn two_factor_policy(&self) -> Result<crate::domain::TwoFactorPolicy, AppError>;
    async fn set_two_factor_policy(
        &self,
        policy: crate::domain::TwoFactorPolicy,
        audit: &NewAuditEntry,
    ) -> Result<(), AppError>;
    async fn totp_secret(&self, user_id: i64) -> Result<Option<TotpRow>, AppError>;
    async fn has_confirmed_totp(&self, user_id: i64) -> Result<bool, AppError>;
    async fn users_with_totp(&self) -> Result<Vec<i64>, AppError>;
    /// False when the person's TOTP is confirmed already (it stays).
    async fn begin_totp_setup(&self, user_id: i64, secret: &str, at: DateTime<Utc>) -> Result<bool, AppError>;
    /// False when that set-up is no longer the one in progress.
    async fn confirm_totp(&self, confirmation: &TotpConfirmation<'_>, audit: &NewAuditEntry) -> Result<bool, AppError>;
    /// False when that time step or a later one was taken already.
    async fn accept_totp_step(&self, user_id: i64, step: i64) -> Result<bool, AppError>;
    async fn replace_recovery_codes(
        &self,
        user_id: i64,
        digests: &[String],
        audit: &NewAuditEntry,
    ) -> Result<bool, AppError>;
    /// False when the person has no such unused code.
    async fn use_recovery_code(&self, user_id: i64, digest: &str, audit: &NewAuditEntry) -> Result<bool, AppError>;
    async fn recovery_codes_left(&self, user_id: i64) -> Result<i64, AppError>;
    /// False (nothing written) when the person had no confirmed TOTP.
    async fn remove_totp(&self, user_id: i64, audit: &NewAuditEntry) -> Result<bool, AppError>;

    // Posts. Every change checks its rules (version, status) in the SQL
    // `WHERE` and writes its revision, notifications and audit entry in
    // the same transaction.

    /// A new draft with one author; the slug gets -2, -3, … when taken.
    async fn create_draft(
        &self,
        title: &PostTitle,
        slug: &Slug,
        author_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError>;

    /// A new page (a post of kind `page`, at `/{slug}`): a draft with one
    /// author; the slug gets -2, -3, … when taken, or when an imported
    /// site's old address is `/{slug}`.
    async fn create_page(
        &self,
        title: &PostTitle,
        slug: &Slug,
        author_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError>;

    async fn post(&self, id: i64) -> Result<Option<Post>, AppError>;

    /// The post's authors, primary first.
    async fn post_authors(&self, id: i64) -> Result<Vec<User>, AppError>;

    async fn post_tags(&self, id: i64) -> Result<Vec<Tag>, AppError>;

    /// Every tag with how many posts use it, by name.
    async fn list_tags(&self) -> Result<Vec<TagUse>, AppError>;

    /// Renames a tag or changes its description; its slug stays.
    async fn update_tag(&self, id: i64, name: &str, description: &str) -> Result<Tag, AppError>;

    /// Saves the post if it is still at the expected version and in an
    /// editable status; `Conflict` (and no change) otherwise.
    async fn save_post(&self, request: &SaveRequest<'_>) -> Result<Post, AppError>;

    /// Moves the status if it is still `from` at the expected version.
    async fn change_status(&self, change: &StatusChange) -> Result<Post, AppError>;

    /// Newest first.
    async fn revisions(&self, post_id: i64) -> Result<Vec<Revision>, AppError>;

    async fn revision(&self, post_id: i64, id: i64) -> Result<Option<Revision>, AppError>;

    async fn comments(&self, post_id: i64) -> Result<Vec<CommentRow>, AppError>;

    async fn add_comment(
        &self,
        post_id: i64,
        author_id: i64,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<CommentRow, AppError>;

    async fn notifications(&self, user_id: i64, limit: i64) -> Result<Vec<NotificationRow>, AppError>;

    async fn unread_notifications(&self, user_id: i64) -> Result<i64, AppError>;

    async fn mark_notifications_read(&self, user_id: i64, at: DateTime<Utc>) -> Result<(), AppError>;

    async fn list_posts(&self, filter: &PostFilter) -> Result<Vec<SummaryRow>, AppError>;

    /// Deletes trashed posts for good (all, or those trashed before
    /// `before`); returns how many.
    async fn empty_trash(&self, before: Option<DateTime<Utc>>, audit: Option<&NewAuditEntry>) -> Result<u64, AppError>;

    /// The current slug of a public post (or page, by `kind`) that used to
    /// have `old_slug`.
    async fn slug_redirect(
        &self,
        kind: crate::domain::PostKind,
        old_slug: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, AppError>;

    /// Marks every scheduled post that is due as published, with its audit
    /// entry and its `post.published` event, in one transaction. Each post
    /// is claimed by exactly one caller, however many processes ask.
    async fn publish_due(&self, now: DateTime<Utc>, payload: EventPayload) -> Result<Vec<Post>, AppError>;

    /// How many posts wait for their scheduled time (due or not yet).
    async fn scheduled_posts_waiting(&self) -> Result<i64, AppError>;

    // Reviews that stay current.

    /// Records a reviewer's second look at a published post's live text
    /// (confirmed, with the next due date; or sent back to its authors),
    /// with its comment, notifications and audit entry; no revision.
    /// `Conflict` when the post has no published text.
    async fn re_review(&self, review: &ReReviewChange) -> Result<Post, AppError>;

    /// Sets a reviewed post's next review date, with its audit entry.
    async fn set_review_due(&self, change: &ReviewDueChange) -> Result<Post, AppError>;

    /// Notifies each reviewer, once per due date, of their published posts
    /// due for review by `due_by`; returns how many posts were due.
    async fn remind_due_reviews(&self, due_by: DateTime<Utc>, at: DateTime<Utc>) -> Result<u64, AppError>;

    /// Scheduled and published posts between `from` and `to`.
    async fn calendar(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        visible_to_author: Option<i64>,
    ) -> Result<Vec<CalendarRow>, AppError>;

    /// A page of public posts at `now`, newest first, and how many match
    /// in all when `query.count_all` asks.
    async fn public_posts(&self, query: &PublicQuery) -> Result<(Vec<PublicPost>, Option<i64>), AppError>;

    /// Stores the render of up to `limit` live texts that have none of
    /// this renderer's version, after live revision `after`; returns the
    /// last revision rendered and how many (`None`: nothing left). The
    /// backfill after an upgrade calls it until it returns `None`.
    async fn render_live_texts(&self, after: i64, limit: i64) -> Result<Option<(i64, usize)>, AppError>;

    /// The author with this slug, when a public post is theirs.
    async fn public_author(&self, now: DateTime<Utc>, slug: &str) -> Result<Option<PublicAuthor>, AppError>;

    /// The slugs of the tags and of the authors with a public post, by
    /// name: (tags, authors).
    async fn public_tag_and_author_slugs(&self, now: DateTime<Utc>) -> Result<(Vec<String>, Vec<String>), AppError>;

    /// Public posts sharing the most tags with post `id`: (title, slug).
    async fn related_posts(&self, id: i64, now: DateTime<Utc>, limit: i64) -> Result<Vec<(String, String)>, AppError>;

    /// The public posts published just before and after post `id`:
    /// (older, newer), each (title, slug).
    async fn neighbours(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(Option<(String, String)>, Option<(String, String)>), AppError>;

    /// Authors of public posts at `now` ('' for all, or one by slug).
    async fn public_authors(&self, now: DateTime<Utc>, slug: &str) -> Result<Vec<PublicCount<PublicAuthor>>, AppError>;

    /// Every public post's slug and last change at `now`, newest first.
    async fn public_slugs(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<(String, DateTime<Utc>)>, AppError>;

    /// Public pages at `query.now` (one by slug or id, or all), by title,
    /// with their public parent, and how many there are.
    async fn public_pages(
        &self,
        query: &model::pages::PageQuery,
    ) -> Result<(Vec<model::pages::PublicPage>, i64), AppError>;

    /// Every public page's slug and last change at `now`.
    async fn public_page_slugs(&self, now: DateTime<Utc>, limit: i64)
    -> Result<Vec<(String, DateTime<Utc>)>, AppError>;

    /// Tags on public posts at `now` ('' for all, or one by slug).
    async fn public_tags(&self, now: DateTime<Utc>, slug: &str) -> Result<Vec<PublicCount<Tag>>, AppError>;

    async fn user_by_slug(&self, slug: &str) -> Result<Option<User>, AppError>;

    async fn tag_by_slug(&self, slug: &str) -> Result<Option<Tag>, AppError>;

    /// Events after `after_id`, oldest first.
    async fn events(&self, after_id: i64, limit: i64) -> Result<Vec<Event>, AppError>;

    // API tokens: stored as digests; each person sees and revokes only
    // their own. Creation and revocation write their audit entry in the
    // same transaction.

    async fn create_api_token(&self, token: &NewApiToken, audit: &NewAuditEntry) -> Result<ApiTokenRow, AppError>;
    async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiTokenRow>, AppError>;
    /// `NotFound` unless `id` is an active token of `user_id`.
    async fn revoke_api_token(&self, user_id: i64, id: i64, audit: &NewAuditEntry) -> Result<(), AppError>;
    /// What an active token of an active user allows; notes its use.
    async fn use_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<TokenGrant>, AppError>;

    // Signed-in sessions: one row per sign-in, which its session names by
    // a random key. A session whose row is gone is refused, so deleting the
    // row ends it, on every instance.

    /// Stores a sign-in; `replacing` names the same session's previous one.
    async fn start_session(&self, session: &NewSession, replacing: Option<&str>) -> Result<(), AppError>;
    /// Whether the sign-in still stands; notes its use (at most once a minute).
    async fn use_session(&self, key: &str, user_id: i64, now: DateTime<Utc>) -> Result<bool, AppError>;
    /// A person's sessions of their current epoch used since `active_since`.
    async fn sessions_of(&self, user_id: i64, active_since: DateTime<Utc>) -> Result<Vec<SessionRow>, AppError>;
    /// `NotFound` unless `id` is a session of `user_id`.
    async fn end_session(&self, user_id: i64, id: i64, audit: &NewAuditEntry) -> Result<(), AppError>;
    /// Ends all of a person's sessions but `keep`; how many ended.
    async fn end_sessions_of(&self, user_id: i64, keep: Option<&str>, audit: &NewAuditEntry) -> Result<u64, AppError>;
    async fn forget_session(&self, key: &str) -> Result<(), AppError>;
    /// Drops the rows of expired and epoch-ended sessions; how many.
    async fn purge_ended_sessions(&self, idle_since: DateTime<Utc>) -> Result<u64, AppError>;

    // Webhooks and their delivery queue. Post events are queued by the
    // status changes themselves, in their transactions.

    async fn create_webhook(&self, hook: &NewWebhook, audit: &NewAuditEntry) -> Result<WebhookRow, AppError>;
    /// A new secret; the old one also signs until `overlap_until`.
    async fn rotate_webhook_secret(
        &self,
        id: i64,
        secret: &str,
        overlap_until: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<WebhookRow, AppError>;
    async fn webhooks(&self) -> Result<Vec<WebhookRow>, AppError>;
    async fn delete_webhook(&self, id: i64, audit: &NewAuditEntry) -> Result<(), AppError>;
    async fn webhook_deliveries(&self, webhook_id: i64, limit: i64) -> Result<Vec<DeliveryRow>, AppError>;
    async fn queue_test_delivery(&self, webhook_id: i64, payload: &str, at: DateTime<Utc>) -> Result<(), AppError>;
    /// Claims due deliveries until `lease_until`; each is claimed by one
    /// caller at a time, however many instances share the database.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DeliveryJob>, AppError>;
    async fn finish_delivery(&self, id: i64, attempt: i64, outcome: &DeliveryOutcome) -> Result<(), AppError>;
    /// How many deliveries wait to be sent (or retried).
    async fn pending_deliveries(&self) -> Result<i64, AppError>;

    // The media library. Uploads and deletions write their audit entry in
    // the same transaction; deleting an image that a post uses is refused.

    async fn create_media(&self, media: &NewMedia, audit: &NewAuditEntry) -> Result<MediaRow, AppError>;
    async fn media_list(&self, q: &str, limit: i64) -> Result<Vec<MediaRow>, AppError>;
    async fn media_by_id(&self, id: i64) -> Result<Option<MediaRow>, AppError>;
    async fn media_by_keys(&self, keys: &[String]) -> Result<Vec<MediaRow>, AppError>;
    async fn media_variants(&self, ids: &[i64]) -> Result<Vec<VariantRow>, AppError>;
    /// The posts that use these files, as `viewer` may see them.
    async fn media_usage(&self, keys: &[String], viewer: UsageViewer) -> Result<Vec<MediaUse>, AppError>;
    async fn media_key_referenced(&self, key: &str) -> Result<bool, AppError>;
    /// `Forbidden` unless `only_uploader` (when given) uploaded it.
    async fn set_media_alt(&self, id: i64, alt: &str, only_uploader: Option<i64>) -> Result<MediaRow, AppError>;
    /// Returns the keys of the files to remove; `Conflict` naming the
    /// posts (as `viewer` may see them) that still use it.
    async fn delete_media(
        &self,
        id: i64,
        only_uploader: Option<i64>,
        viewer: UsageViewer,
        audit: &NewAuditEntry,
    ) -> Result<Vec<String>, AppError>;

    /// Waits for open connections to finish and closes them.
    async fn close(&self);

    /// Writes a consistent copy of the whole database to `path` (a new
    /// file) while the site keeps serving. SQLite only: PostgreSQL sites
    /// use `pg_dump`, which this answers with a `Validation` error saying.
    async fn backup_into(&self, path: &std::path::Path) -> Result<(), AppError>;

    async fn create_preview_link(&self, link: &NewPreviewLink) -> Result<PreviewLinkRow, AppError>;

    /// A post's preview links, newest first.
    async fn preview_links(&self, post_id: i64) -> Result<Vec<PreviewLinkRow>, AppError>;

    async fn revoke_preview_link(&self, post_id: i64, id: i64, at: DateTime<Utc>) -> Result<(), AppError>;

    /// The post an active preview link opens, by the token's digest.
    async fn previewed_post(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<PublicPost>, AppError>;

    /// Goes up whenever what readers see changes, here or (PostgreSQL)
    /// in another instance sharing the database.
    fn public_version(&self) -> u64;

    /// What the changes after `version` up to `until` touched, oldest
    /// first; `None` when they are no longer all remembered.
    fn public_changes_since(&self, version: u64, until: u64) -> Option<Vec<changes::PublicChange>>;

    /// How many database connections the store has handed out since it
    /// opened (every query takes one).
    fn connections_acquired(&self) -> u64;

    /// What the passing of time touched between `since` and `until`
    /// (posts scheduled then, reviews falling due), for the public cache.
    async fn touched_between(&self, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<changes::Touched, AppError>;

    /// The next time after `now` when what readers see changes without a
    /// write: a scheduled post becomes public, or a review falls due.
    async fn next_public_change_after(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError>;

    // Moving sites.

    /// Writes an export into an empty database, ids and all, in one
    /// transaction; `Conflict` when the database holds content already.
    async fn restore_site(&self, site: &transfer::SiteExport) -> Result<(), AppError>;

    async fn post_old_addresses(&self, post_id: i64) -> Result<transfer::OldAddresses, AppError>;

    /// Writes another site's content in one transaction (or only counts
    /// it, in a dry run); a post imported before is updated.
    async fn import_foreign(
        &self,
        site: &imports::ForeignSite,
        at: DateTime<Utc>,
        mode: imports::ImportMode,
        progress: &(dyn Fn() + Send + Sync),
    ) -> Result<imports::ImportTally, AppError>;

    /// Where readers find (`/posts/{slug}`, or `/{slug}` for a page) the
    /// public post or page that lived at `path` on another site.
    async fn path_redirect(&self, path: &str, now: DateTime<Utc>) -> Result<Option<String>, AppError>;

    /// The images earlier imports from `source` fetched: (address, key).
    async fn imported_media(&self, source: &str) -> Result<Vec<(String, String)>, AppError>;

    /// Where imported posts and images came from, for the export.
    async fn import_sources(&self) -> Result<Vec<transfer::ExportSource>, AppError>;

    /// Queues one message in the outbox.
    async fn queue_mail(&self, mail: &NewMail) -> Result<(), AppError>;

    /// Messages of `kind` queued for `to` since `since`.
    async fn mail_sent_count(&self, to: &str, kind: &str, since: DateTime<Utc>) -> Result<i64, AppError>;

    /// Claims due messages for sending until `lease_until` (each instance
    /// claims different ones).
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<MailJob>, AppError>;

    /// Records an attempt's outcome, unless the message was claimed again.
    async fn finish_mail(&self, id: i64, attempt: i64, outcome: &MailOutcome) -> Result<(), AppError>;

    /// The newest messages, for the delivery log.
    async fn mail_log(&self, limit: i64) -> Result<Vec<MailLogRow>, AppError>;

    /// How many messages wait to be sent.
    async fn pending_mail(&self) -> Result<i64, AppError>;

    /// A person's notification choices: (kind, mode).
    async fn mail_preferences(&self, user_id: i64) -> Result<Vec<(String, String)>, AppError>;

    async fn set_mail_preferences(&self, user_id: i64, choices: &[(&str, &str)]) -> Result<(), AppError>;

    /// Turns off what an unsubscribe link names; its kind, or `None` for
    /// an unknown link.
    async fn unsubscribe(&self, token_digest: &str) -> Result<Option<String>, AppError>;

    /// Notifications not yet routed to email.
    async fn new_mail_notifications(&self, limit: i64) -> Result<Vec<MailNotification>, AppError>;

    /// Routes one notification (queuing its message with it); false when
    /// another instance did first.
    async fn route_notification(&self, id: i64, route: &NotificationRoute) -> Result<bool, AppError>;

    /// Notifications waiting for a digest, written before `before`.
    async fn digest_notifications(&self, before: DateTime<Utc>) -> Result<Vec<MailNotification>, AppError>;

    /// Marks `ids` sent and queues their digest, all or nothing.
    async fn send_digest(&self, ids: &[i64], mail: &NewMail) -> Result<bool, AppError>;

    /// Forgets messages finished before `before` and expired changes of
    /// address; how many messages went.
    async fn purge_mail(&self, before: DateTime<Utc>) -> Result<u64, AppError>;

    /// Writes a pending change of address and queues its messages.
    async fn begin_email_change(&self, change: &EmailChangeRequest, mails: &[NewMail]) -> Result<(), AppError>;

    /// Uses a confirmation link; `None` when it is unknown, used or expired.
    async fn confirm_email_change(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<Option<User>, AppError>;
}

/// Connects to the database that `url` names.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, ConnectError> {
    match Backend::from_url(url).map_err(ConnectError::Url)? {
        Backend::Sqlite => Ok(Arc::new(SqliteStore::connect(url).await?)),
        Backend::Postgres => Ok(Arc::new(PostgresStore::connect(url).await?)),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Url(String),
    #[error("cannot open the database: {0}")]
    Database(#[from] sqlx::Error),
}
