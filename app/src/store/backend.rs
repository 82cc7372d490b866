//! The `Store` for any SQL backend: each backend supplies its pools (as
//! `Queries`) and what only it knows (migrations, readiness, sessions);
//! every other method is the shared query, written once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::database::Database;
use sqlx::{ColumnIndex, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Type};

use super::queries::Queries;
use super::{Backend, Migrated, SessionBackend, Store};
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

/// What a database backend provides itself.
#[async_trait]
pub trait SqlBackend: Send + Sync + 'static {
    type Db: Database;

    fn backend(&self) -> Backend;

    /// The shared queries, bound to this backend's pools.
    fn queries(&self) -> Queries<'_, Self::Db>;

    fn session_backend(&self) -> SessionBackend;

    async fn migrate(&self) -> Result<Migrated, sqlx::Error>;
    async fn schema_state(&self) -> Result<super::SchemaState, sqlx::Error>;

    async fn ping(&self) -> Result<(), AppError>;

    fn pool_use(&self) -> Vec<super::PoolUse>;

    async fn close(&self);

    fn public_changes(&self) -> &super::changes::ChangeLog;

    fn connections_acquired(&self) -> u64;

    async fn backup_into(&self, path: &std::path::Path) -> Result<(), AppError>;
}

#[async_trait]
impl<T> Store for T
where
    T: SqlBackend,
    for<'c> &'c mut <T::Db as Database>::Connection: Executor<'c, Database = T::Db>,
    for<'c> &'c Pool<T::Db>: Executor<'c, Database = T::Db>,
    for<'q> <T::Db as Database>::Arguments<'q>: IntoArguments<'q, T::Db>,
    for<'q> i64: Encode<'q, T::Db> + Decode<'q, T::Db> + Type<T::Db>,
    for<'q> Option<i64>: Encode<'q, T::Db> + Decode<'q, T::Db> + Type<T::Db>,
    for<'q> bool: Encode<'q, T::Db> + Decode<'q, T::Db> + Type<T::Db>,
    for<'q> &'q str: Encode<'q, T::Db> + Type<T::Db>,
    for<'q> Option<&'q str>: Encode<'q, T::Db> + Type<T::Db>,
    for<'q> String: Encode<'q, T::Db> + Decode<'q, T::Db> + Type<T::Db>,
    for<'q> DateTime<Utc>: Encode<'q, T::Db> + Decode<'q, T::Db> + Type<T::Db>,
    for<'q> Option<DateTime<Utc>>: Encode<'q, T::Db> + Decode<'q, T::Db> + Type<T::Db>,
    for<'q> Option<String>: Decode<'q, T::Db> + Type<T::Db>,
    for<'r> User: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> AuditRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> SiteSettings: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> Post: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> Revision: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> CommentRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> NotificationRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> SummaryRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> Tag: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> TagUse: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> CalendarRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> Event: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> PublicPost: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> crate::store::model::pages::PublicPage: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> PreviewLinkRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> ApiTokenRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> TokenGrant: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> crate::store::model::passkeys::PasskeyRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> crate::store::model::passkeys::CeremonyRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> TotpRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> SessionRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> WebhookRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> DeliveryRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> DeliveryJob: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> MediaRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> VariantRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> MediaUse: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> crate::store::model::site::ClinicRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> MailJob: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> MailLogRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> MailNotification: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> (i64, String): FromRow<'r, <T::Db as Database>::Row>,
    for<'r> crate::store::model::site::MenuItemRow: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> super::transfer::ExportSource: FromRow<'r, <T::Db as Database>::Row>,
    for<'r> (String, String): FromRow<'r, <T::Db as Database>::Row>,
    for<'r> (String, String, Option<DateTime<Utc>>): FromRow<'r, <T::Db as Database>::Row>,
    usize: ColumnIndex<<T::Db as Database>::Row>,
{
    fn backend(&self) -> Backend {
        SqlBackend::backend(self)
    }

    fn session_backend(&self) -> SessionBackend {
        SqlBackend::session_backend(self)
    }

    async fn migrate(&self) -> Result<Migrated, sqlx::Error> {
        SqlBackend::migrate(self).await
    }

    async fn schema_state(&self) -> Result<super::SchemaState, sqlx::Error> {
        SqlBackend::schema_state(self).await
    }

    async fn ping(&self) -> Result<(), AppError> {
        SqlBackend::ping(self).await
    }

    fn pool_use(&self) -> Vec<super::PoolUse> {
        SqlBackend::pool_use(self)
    }

    async fn close(&self) {
        SqlBackend::close(self).await
    }

    fn public_version(&self) -> u64 {
        SqlBackend::public_changes(self).version()
    }

    fn public_changes_since(&self, version: u64, until: u64) -> Option<Vec<super::changes::PublicChange>> {
        SqlBackend::public_changes(self).since(version, until)
    }

    fn connections_acquired(&self) -> u64 {
        SqlBackend::connections_acquired(self)
    }

    async fn touched_between(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<super::changes::Touched, AppError> {
        self.queries().touched_between(since, until).await
    }

    async fn backup_into(&self, path: &std::path::Path) -> Result<(), AppError> {
        SqlBackend::backup_into(self, path).await
    }

    async fn create_preview_link(&self, link: &NewPreviewLink) -> Result<PreviewLinkRow, AppError> {
        self.queries().create_preview_link(link).await
    }

    async fn preview_links(&self, post_id: i64) -> Result<Vec<PreviewLinkRow>, AppError> {
        self.queries().preview_links(post_id).await
    }

    async fn revoke_preview_link(&self, post_id: i64, id: i64, at: DateTime<Utc>) -> Result<(), AppError> {
        self.queries().revoke_preview_link(post_id, id, at).await
    }

    async fn previewed_post(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<PublicPost>, AppError> {
        self.queries().previewed_post(token_hash, now).await
    }

    async fn next_public_change_after(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
        self.queries().next_public_change_after(now).await
    }

    async fn restore_site(&self, site: &super::transfer::SiteExport) -> Result<(), AppError> {
        self.queries().restore_site(site).await
    }

    async fn post_old_addresses(&self, post_id: i64) -> Result<super::transfer::OldAddresses, AppError> {
        self.queries().post_old_addresses(post_id).await
    }

    async fn import_foreign(
        &self,
        site: &super::imports::ForeignSite,
        at: DateTime<Utc>,
        mode: super::imports::ImportMode,
        progress: &(dyn Fn() + Send + Sync),
    ) -> Result<super::imports::ImportTally, AppError> {
        self.queries().import_foreign(site, at, mode, progress).await
    }

    async fn path_redirect(&self, path: &str, now: DateTime<Utc>) -> Result<Option<String>, AppError> {
        self.queries().path_redirect(path, now).await
    }

    async fn imported_media(&self, source: &str) -> Result<Vec<(String, String)>, AppError> {
        self.queries().imported_media(source).await
    }

    async fn import_sources(&self) -> Result<Vec<super::transfer::ExportSource>, AppError> {
        self.queries().import_sources().await
    }

    async fn content_keys(&self) -> Result<crate::domain::ContentKeys, AppError> {
        self.queries().content_keys().await
    }

    async fn end_all_sessions(&self, audit: &NewAuditEntry) -> Result<u64, AppError> {
        self.queries().end_all_sessions(audit).await
    }

    async fn site_settings(&self) -> Result<SiteSettings, AppError> {
        self.queries().site_settings().await
    }

    async fn update_site_settings(
        &self,
        update: &SettingsUpdate,
        audit: Option<&NewAuditEntry>,
    ) -> Result<SiteSettings, AppError> {
        self.queries().update_site_settings(update, audit).await
    }

    async fn clinic_details(&self) -> Result<crate::domain::ClinicDetails, AppError> {
        self.queries().clinic_details().await
    }

    async fn update_clinic_details(
        &self,
        update: &crate::input::clinic::ClinicUpdate,
        audit: &NewAuditEntry,
    ) -> Result<crate::domain::ClinicDetails, AppError> {
        self.queries().update_clinic_details(update, audit).await
    }

    async fn menus(&self) -> Result<crate::domain::Menus, AppError> {
        self.queries().menus().await
    }

    async fn replace_menus(
        &self,
        update: &crate::input::menu::MenuUpdate,
        audit: &NewAuditEntry,
    ) -> Result<crate::domain::Menus, AppError> {
        self.queries().replace_menus(update, audit).await
    }

    async fn menu_target_exists(
        &self,
        kind: crate::domain::MenuTarget,
        slug: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        self.queries().menu_target_exists(kind, slug, now).await
    }

    async fn live_menus(&self, now: DateTime<Utc>) -> Result<crate::domain::Menus, AppError> {
        self.queries().live_menus(now).await
    }

    async fn count_users(&self) -> Result<i64, AppError> {
        self.queries().count_users().await
    }

    async fn create_user(&self, user: &NewUser, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().create_user(user, audit).await
    }

    async fn create_first_admin(&self, user: &NewUser, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().create_first_admin(user, audit).await
    }

    async fn user_by_id(&self, id: i64) -> Result<Option<User>, AppError> {
        self.queries().user_by_id(id).await
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, AppError> {
        self.queries().user_by_email(email).await
    }

    async fn list_users(&self) -> Result<Vec<User>, AppError> {
        self.queries().list_users().await
    }

    async fn update_profile(&self, id: i64, update: &ProfileUpdate) -> Result<User, AppError> {
        self.queries().update_profile(id, update).await
    }

    async fn set_password(&self, id: i64, hash: &str, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().set_password(id, hash, audit).await
    }

    async fn set_role(&self, id: i64, role: Role, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().set_role(id, role, audit).await
    }

    async fn set_active(&self, id: i64, active: bool, audit: &NewAuditEntry) -> Result<User, AppError> {
        self.queries().set_active(id, active, audit).await
    }

    async fn create_password_token(
        &self,
        user_id: i64,
        token_digest: &str,
        expires_at: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<(), AppError> {
        self.queries()
            .create_password_token(user_id, token_digest, expires_at, audit)
            .await
    }

    async fn set_password_with_token(
        &self,
        token_digest: &str,
        hash: &str,
        now: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<Option<User>, AppError> {
        self.queries()
            .set_password_with_token(token_digest, hash, now, audit)
            .await
    }

    async fn password_token_is_valid(&self, token_digest: &str, now: DateTime<Utc>) -> Result<bool, AppError> {
        self.queries().password_token_is_valid(token_digest, now).await
    }

    async fn record_sign_in(&self, id: i64, failures: &FailureKey<'_>, audit: &NewAuditEntry) -> Result<(), AppError> {
        self.queries().record_sign_in(id, failures, audit).await
    }

    async fn record_login_attempt(&self, key: &FailureKey<'_>, at: DateTime<Utc>) -> Result<i64, AppError> {
        self.queries().record_login_attempt(key, at).await
    }

    async fn forget_login_attempt(&self, id: i64) -> Result<(), AppError> {
        self.queries().forget_login_attempt(id).await
    }

    async fn login_failures_since(
        &self,
        key: &FailureKey<'_>,
        since: DateTime<Utc>,
    ) -> Result<FailureCounts, AppError> {
        self.queries().login_failures_since(key, since).await
    }

    async fn purge_login_failures(&self, before: DateTime<Utc>) -> Result<u64, AppError> {
        self.queries().purge_login_failures(before).await
    }

    async fn append_audit(&self, audit: &NewAuditEntry) -> Result<(), AppError> {
        self.queries().append_audit(audit).await
    }

    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, AppError> {
        self.queries().list_audit(filter).await
    }

    async fn start_passkey_ceremony(&self, ceremony: &NewCeremony<'_>, live_limit: i64) -> Result<bool, AppError> {
        self.queries().start_passkey_ceremony(ceremony, live_limit).await
    }

    async fn take_passkey_ceremony(
        &self,
        token_hash: &str,
        purpose: CeremonyPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<CeremonyRow>, AppError> {
        self.queries().take_passkey_ceremony(token_hash, purpose, now).await
    }

    async fn passkey_handle(&self, user_id: i64, candidate: &str) -> Result<String, AppError> {
        self.queries().passkey_handle(user_id, candidate).await
    }

    async fn add_passkey(&self, passkey: &NewPasskey, audit: &NewAuditEntry) -> Result<PasskeyRow, AppError> {
        self.queries().add_passkey(passkey, audit).await
    }

    async fn passkeys(&self, user_id: i64) -> Result<Vec<PasskeyRow>, AppError> {
        self.queries().passkeys(user_id).await
    }

    async fn count_passkeys(&self, user_id: i64) -> Result<i64, AppError> {
        self.queries().count_passkeys(user_id).await
    }

    async fn passkey_for_sign_in(&self, credential_id: &str, handle: &str) -> Result<Option<PasskeyRow>, AppError> {
        self.queries().passkey_for_sign_in(credential_id, handle).await
    }

    async fn record_passkey_use(&self, used: &PasskeyUse<'_>) -> Result<(), AppError> {
        self.queries().record_passkey_use(used).await
    }

    async fn remove_passkey(&self, user_id: i64, id: i64, audit: &NewAuditEntry) -> Result<(), AppError> {
        self.queries().remove_passkey(user_id, id, audit).await
    }

    async fn users_with_passkeys(&self) -> Result<Vec<i64>, AppError> {
        self.queries().users_with_passkeys().await
    }

    async fn remove_second_factors(&self, user_id: i64, audit: &NewAuditEntry) -> Result<bool, AppError> {
        self.queries().remove_second_factors(user_id, audit).await
    }

    async fn two_factor_policy(&self) -> Result<crate::domain::TwoFactorPolicy, AppError> {
        self.queries().two_factor_policy().await
    }

    async fn set_two_factor_policy(
        &self,
        policy: crate::domain::TwoFactorPolicy,
        audit: &NewAuditEntry,
    ) -> Result<(), AppError> {
        self.queries().set_two_factor_policy(policy, audit).await
    }

    async fn totp_secret(&self, user_id: i64) -> Result<Option<TotpRow>, AppError> {
        self.queries().totp_secret(user_id).await
    }

    async fn has_confirmed_totp(&self, user_id: i64) -> Result<bool, AppError> {
        self.queries().has_confirmed_totp(user_id).await
    }

    async fn users_with_totp(&self) -> Result<Vec<i64>, AppError> {
        self.queries().users_with_totp().await
    }

    async fn begin_totp_setup(&self, user_id: i64, secret: &str, at: DateTime<Utc>) -> Result<bool, AppError> {
        self.queries().begin_totp_setup(user_id, secret, at).await
    }

    async fn confirm_totp(&self, confirmation: &TotpConfirmation<'_>, audit: &NewAuditEntry) -> Result<bool, AppError> {
        self.queries().confirm_totp(confirmation, audit).await
    }

    async fn accept_totp_step(&self, user_id: i64, step: i64) -> Result<bool, AppError> {
        self.queries().accept_totp_step(user_id, step).await
    }

    async fn replace_recovery_codes(
        &self,
        user_id: i64,
        digests: &[String],
        audit: &NewAuditEntry,
    ) -> Result<bool, AppError> {
        self.queries().replace_recovery_codes(user_id, digests, audit).await
    }

    async fn use_recovery_code(&self, user_id: i64, digest: &str, audit: &NewAuditEntry) -> Result<bool, AppError> {
        self.queries().use_recovery_code(user_id, digest, audit).await
    }

    async fn recovery_codes_left(&self, user_id: i64) -> Result<i64, AppError> {
        self.queries().recovery_codes_left(user_id).await
    }

    async fn remove_totp(&self, user_id: i64, audit: &NewAuditEntry) -> Result<bool, AppError> {
        self.queries().remove_totp(user_id, audit).await
    }

    async fn create_draft(
        &self,
        title: &PostTitle,
        slug: &Slug,
        author_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError> {
        self.queries().create_draft(title, slug, author_id, at).await
    }

    async fn create_page(
        &self,
        title: &PostTitle,
        slug: &Slug,
        author_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Post, AppError> {
        self.queries().create_page(title, slug, author_id, at).await
    }

    async fn post(&self, id: i64) -> Result<Option<Post>, AppError> {
        self.queries().post(id).await
    }

    async fn public_pages(
        &self,
        query: &crate::store::model::pages::PageQuery,
    ) -> Result<(Vec<crate::store::model::pages::PublicPage>, i64), AppError> {
        self.queries().public_pages(query).await
    }

    async fn public_page_slugs(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(String, DateTime<Utc>)>, AppError> {
        self.queries().public_page_slugs(now, limit).await
    }

    async fn post_authors(&self, id: i64) -> Result<Vec<User>, AppError> {
        self.queries().post_authors(id).await
    }

    async fn post_tags(&self, id: i64) -> Result<Vec<Tag>, AppError> {
        self.queries().post_tags(id).await
    }

    async fn list_tags(&self) -> Result<Vec<TagUse>, AppError> {
        self.queries().list_tags().await
    }

    async fn update_tag(&self, id: i64, name: &str, description: &str) -> Result<Tag, AppError> {
        self.queries().update_tag(id, name, description).await
    }

    async fn save_post(&self, request: &SaveRequest<'_>) -> Result<Post, AppError> {
        self.queries().save_post(request).await
    }

    async fn change_status(&self, change: &StatusChange) -> Result<Post, AppError> {
        self.queries().change_status(change).await
    }

    async fn revisions(&self, post_id: i64) -> Result<Vec<Revision>, AppError> {
        self.queries().revisions(post_id).await
    }

    async fn revision(&self, post_id: i64, id: i64) -> Result<Option<Revision>, AppError> {
        self.queries().revision(post_id, id).await
    }

    async fn comments(&self, post_id: i64) -> Result<Vec<CommentRow>, AppError> {
        self.queries().comments(post_id).await
    }

    async fn add_comment(
        &self,
        post_id: i64,
        author_id: i64,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<CommentRow, AppError> {
        self.queries().add_comment(post_id, author_id, body, at).await
    }

    async fn notifications(&self, user_id: i64, limit: i64) -> Result<Vec<NotificationRow>, AppError> {
        self.queries().notifications(user_id, limit).await
    }

    async fn unread_notifications(&self, user_id: i64) -> Result<i64, AppError> {
        self.queries().unread_notifications(user_id).await
    }

    async fn mark_notifications_read(&self, user_id: i64, at: DateTime<Utc>) -> Result<(), AppError> {
        self.queries().mark_notifications_read(user_id, at).await
    }

    async fn list_posts(&self, filter: &PostFilter) -> Result<Vec<SummaryRow>, AppError> {
        self.queries().list_posts(filter).await
    }

    async fn empty_trash(&self, before: Option<DateTime<Utc>>, audit: Option<&NewAuditEntry>) -> Result<u64, AppError> {
        self.queries().empty_trash(before, audit).await
    }

    async fn slug_redirect(
        &self,
        kind: crate::domain::PostKind,
        old_slug: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, AppError> {
        self.queries().slug_redirect(kind, old_slug, now).await
    }

    async fn publish_due(&self, now: DateTime<Utc>, payload: EventPayload) -> Result<Vec<Post>, AppError> {
        self.queries().publish_due(now, payload).await
    }

    async fn scheduled_posts_waiting(&self) -> Result<i64, AppError> {
        self.queries().scheduled_posts_waiting().await
    }

    async fn re_review(&self, review: &ReReviewChange) -> Result<Post, AppError> {
        self.queries().re_review(review).await
    }

    async fn set_review_due(&self, change: &ReviewDueChange) -> Result<Post, AppError> {
        self.queries().set_review_due(change).await
    }

    async fn remind_due_reviews(&self, due_by: DateTime<Utc>, at: DateTime<Utc>) -> Result<u64, AppError> {
        self.queries().remind_due_reviews(due_by, at).await
    }

    async fn calendar(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        visible_to_author: Option<i64>,
    ) -> Result<Vec<CalendarRow>, AppError> {
        self.queries().calendar(from, to, visible_to_author).await
    }

    async fn public_slugs(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<(String, DateTime<Utc>)>, AppError> {
        self.queries().public_slugs(now, limit).await
    }

    async fn public_posts(&self, query: &PublicQuery) -> Result<(Vec<PublicPost>, Option<i64>), AppError> {
        self.queries().public_posts(query).await
    }

    async fn render_live_texts(&self, after: i64, limit: i64) -> Result<Option<(i64, usize)>, AppError> {
        self.queries().render_live_texts(after, limit).await
    }

    async fn public_author(&self, now: DateTime<Utc>, slug: &str) -> Result<Option<PublicAuthor>, AppError> {
        self.queries().public_author(now, slug).await
    }

    async fn public_tag_and_author_slugs(&self, now: DateTime<Utc>) -> Result<(Vec<String>, Vec<String>), AppError> {
        self.queries().public_tag_and_author_slugs(now).await
    }

    async fn related_posts(&self, id: i64, now: DateTime<Utc>, limit: i64) -> Result<Vec<(String, String)>, AppError> {
        self.queries().related_posts(id, now, limit).await
    }

    async fn neighbours(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(Option<(String, String)>, Option<(String, String)>), AppError> {
        self.queries().neighbours(id, now).await
    }

    async fn public_authors(&self, now: DateTime<Utc>, slug: &str) -> Result<Vec<PublicCount<PublicAuthor>>, AppError> {
        self.queries().public_authors(now, slug).await
    }

    async fn public_tags(&self, now: DateTime<Utc>, slug: &str) -> Result<Vec<PublicCount<Tag>>, AppError> {
        self.queries().public_tags(now, slug).await
    }

    async fn user_by_slug(&self, slug: &str) -> Result<Option<User>, AppError> {
        self.queries().user_by_slug(slug).await
    }

    async fn tag_by_slug(&self, slug: &str) -> Result<Option<Tag>, AppError> {
        self.queries().tag_by_slug(slug).await
    }

    async fn events(&self, after_id: i64, limit: i64) -> Result<Vec<Event>, AppError> {
        self.queries().events(after_id, limit).await
    }

    async fn create_api_token(&self, token: &NewApiToken, audit: &NewAuditEntry) -> Result<ApiTokenRow, AppError> {
        self.queries().create_api_token(token, audit).await
    }

    async fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiTokenRow>, AppError> {
        self.queries().api_tokens(user_id).await
    }

    async fn revoke_api_token(&self, user_id: i64, id: i64, audit: &NewAuditEntry) -> Result<(), AppError> {
        self.queries().revoke_api_token(user_id, id, audit).await
    }

    async fn use_api_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<TokenGrant>, AppError> {
        self.queries().use_api_token(token_hash, now).await
    }

    async fn start_session(&self, session: &NewSession, replacing: Option<&str>) -> Result<(), AppError> {
        self.queries().start_session(session, replacing).await
    }

    async fn use_session(&self, key: &str, user_id: i64, now: DateTime<Utc>) -> Result<bool, AppError> {
        self.queries().use_session(key, user_id, now).await
    }

    async fn sessions_of(&self, user_id: i64, active_since: DateTime<Utc>) -> Result<Vec<SessionRow>, AppError> {
        self.queries().sessions_of(user_id, active_since).await
    }

    async fn end_session(&self, user_id: i64, id: i64, audit: &NewAuditEntry) -> Result<(), AppError> {
        self.queries().end_session(user_id, id, audit).await
    }

    async fn end_sessions_of(&self, user_id: i64, keep: Option<&str>, audit: &NewAuditEntry) -> Result<u64, AppError> {
        self.queries().end_sessions_of(user_id, keep, audit).await
    }

    async fn forget_session(&self, key: &str) -> Result<(), AppError> {
        self.queries().forget_session(key).await
    }

    async fn purge_ended_sessions(&self, idle_since: DateTime<Utc>) -> Result<u64, AppError> {
        self.queries().purge_ended_sessions(idle_since).await
    }

    async fn rotate_webhook_secret(
        &self,
        id: i64,
        secret: &str,
        overlap_until: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<WebhookRow, AppError> {
        self.queries()
            .rotate_webhook_secret(id, secret, overlap_until, audit)
            .await
    }

    async fn create_webhook(&self, hook: &NewWebhook, audit: &NewAuditEntry) -> Result<WebhookRow, AppError> {
        self.queries().create_webhook(hook, audit).await
    }

    async fn webhooks(&self) -> Result<Vec<WebhookRow>, AppError> {
        self.queries().webhooks().await
    }

    async fn delete_webhook(&self, id: i64, audit: &NewAuditEntry) -> Result<(), AppError> {
        self.queries().delete_webhook(id, audit).await
    }

    async fn webhook_deliveries(&self, webhook_id: i64, limit: i64) -> Result<Vec<DeliveryRow>, AppError> {
        self.queries().webhook_deliveries(webhook_id, limit).await
    }

    async fn queue_test_delivery(&self, webhook_id: i64, payload: &str, at: DateTime<Utc>) -> Result<(), AppError> {
        self.queries().queue_test_delivery(webhook_id, payload, at).await
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DeliveryJob>, AppError> {
        self.queries().claim_deliveries(now, lease_until, limit).await
    }

    async fn finish_delivery(&self, id: i64, attempt: i64, outcome: &DeliveryOutcome) -> Result<(), AppError> {
        self.queries().finish_delivery(id, attempt, outcome).await
    }

    async fn pending_deliveries(&self) -> Result<i64, AppError> {
        self.queries().pending_deliveries().await
    }

    async fn create_media(&self, media: &NewMedia, audit: &NewAuditEntry) -> Result<MediaRow, AppError> {
        self.queries().create_media(media, audit).await
    }

    async fn media_list(&self, q: &str, limit: i64) -> Result<Vec<MediaRow>, AppError> {
        self.queries().media_list(q, limit).await
    }

    async fn media_by_id(&self, id: i64) -> Result<Option<MediaRow>, AppError> {
        self.queries().media_by_id(id).await
    }

    async fn media_by_keys(&self, keys: &[String]) -> Result<Vec<MediaRow>, AppError> {
        self.queries().media_by_keys(keys).await
    }

    async fn media_variants(&self, ids: &[i64]) -> Result<Vec<VariantRow>, AppError> {
        self.queries().media_variants(ids).await
    }

    async fn media_usage(&self, keys: &[String], viewer: UsageViewer) -> Result<Vec<MediaUse>, AppError> {
        self.queries().media_usage(keys, viewer).await
    }

    async fn media_key_referenced(&self, key: &str) -> Result<bool, AppError> {
        self.queries().media_key_referenced(key).await
    }

    async fn set_media_alt(&self, id: i64, alt: &str, only_uploader: Option<i64>) -> Result<MediaRow, AppError> {
        self.queries().set_media_alt(id, alt, only_uploader).await
    }

    async fn delete_media(
        &self,
        id: i64,
        only_uploader: Option<i64>,
        viewer: UsageViewer,
        audit: &NewAuditEntry,
    ) -> Result<Vec<String>, AppError> {
        self.queries().delete_media(id, only_uploader, viewer, audit).await
    }

    async fn queue_mail(&self, mail: &NewMail) -> Result<(), AppError> {
        self.queries().queue_mail(mail).await
    }

    async fn mail_sent_count(&self, to: &str, kind: &str, since: DateTime<Utc>) -> Result<i64, AppError> {
        self.queries().mail_sent_count(to, kind, since).await
    }

    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<MailJob>, AppError> {
        self.queries().claim_mail(now, lease_until, limit).await
    }

    async fn finish_mail(&self, id: i64, attempt: i64, outcome: &MailOutcome) -> Result<(), AppError> {
        self.queries().finish_mail(id, attempt, outcome).await
    }

    async fn mail_log(&self, limit: i64) -> Result<Vec<MailLogRow>, AppError> {
        self.queries().mail_log(limit).await
    }

    async fn pending_mail(&self) -> Result<i64, AppError> {
        self.queries().pending_mail().await
    }

    async fn mail_preferences(&self, user_id: i64) -> Result<Vec<(String, String)>, AppError> {
        self.queries().mail_preferences(user_id).await
    }

    async fn set_mail_preferences(&self, user_id: i64, choices: &[(&str, &str)]) -> Result<(), AppError> {
        self.queries().set_mail_preferences(user_id, choices).await
    }

    async fn unsubscribe(&self, token_digest: &str) -> Result<Option<String>, AppError> {
        self.queries().unsubscribe(token_digest).await
    }

    async fn new_mail_notifications(&self, limit: i64) -> Result<Vec<MailNotification>, AppError> {
        self.queries().new_mail_notifications(limit).await
    }

    async fn route_notification(&self, id: i64, route: &NotificationRoute) -> Result<bool, AppError> {
        self.queries().route_notification(id, route).await
    }

    async fn digest_notifications(&self, before: DateTime<Utc>) -> Result<Vec<MailNotification>, AppError> {
        self.queries().digest_notifications(before).await
    }

    async fn send_digest(&self, ids: &[i64], mail: &NewMail) -> Result<bool, AppError> {
        self.queries().send_digest(ids, mail).await
    }

    async fn purge_mail(&self, before: DateTime<Utc>) -> Result<u64, AppError> {
        self.queries().purge_mail(before).await
    }

    async fn begin_email_change(&self, change: &EmailChangeRequest, mails: &[NewMail]) -> Result<(), AppError> {
        self.queries().begin_email_change(change, mails).await
    }

    async fn confirm_email_change(
        &self,
        token_digest: &str,
        now: DateTime<Utc>,
        audit: &NewAuditEntry,
    ) -> Result<Option<User>, AppError> {
        self.queries().confirm_email_change(token_digest, now, audit).await
    }
}
