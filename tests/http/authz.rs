//! The authorization matrix: every server function, called as every kind
//! of caller, answers allowed, 401 or 403 as the policy says. A server
//! function missing from this table fails the test.

use std::collections::BTreeSet;

use app::accounts::Role;
use app::accounts::api::*;
use app::api_tokens::api::{CreateApiToken, ListApiTokens, RevokeApiToken};
use app::media::api::{DeleteMedia, ListMedia, SetMediaAlt};
use app::posts::api::*;
use app::previews::api::{CreatePreviewLink, ListPreviewLinks, RevokePreviewLink};
use app::settings::api::{GetSiteSettings, SaveSiteSettings};
use app::webhooks::api::{CreateWebhook, DeleteWebhook, ListWebhooks, SendTestWebhook};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;

use crate::support::TestDb;
use crate::{call, client, create_user, signed_in, start};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Any answer but 401, 403 or a server error.
    Allowed,
    Unauthenticated,
    Forbidden,
    /// 404: someone else's draft does not exist for this caller.
    Hidden,
}

use Expect::{Allowed as A, Forbidden as F, Hidden as N, Unauthenticated as U};

/// A server function's path, a form to send, and the answer per caller.
type Row = (&'static str, Vec<(&'static str, String)>, [Expect; 6]);

const CALLERS: [&str; 6] = [
    "anonymous",
    "author",
    "another author",
    "editor",
    "admin",
    "deactivated",
];

/// Functions anyone may call; each is gated by something else (a token,
/// the credentials themselves) or reveals only public data.
fn public_functions() -> Vec<&'static str> {
    vec![
        GetSiteSettings::PATH,
        CurrentUser::PATH,
        Login::PATH,
        CompleteSetup::PATH,
        SetPasswordWithToken::PATH,
        // 0 for a visitor; a user's own count otherwise.
        UnreadNotifications::PATH,
    ]
}

async fn every_server_function_checks_its_caller(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "author@clinic.org", "Author", Role::Author).await;
    create_user(&server, "other@clinic.org", "Other Author", Role::Author).await;
    create_user(&server, "editor@clinic.org", "Editor", Role::Editor).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let gone = create_user(&server, "gone@clinic.org", "Gone", Role::Editor).await;
    let target = create_user(&server, "target@clinic.org", "Target", Role::Author).await;
    let target_id = target.id.to_string();
    let author = server
        .state
        .store
        .user_by_email(&app::accounts::server::Email::parse("author@clinic.org").expect("email"))
        .await
        .expect("query")
        .expect("author");
    let title = app::posts::server::PostTitle::parse("Sleep and mood").expect("title");
    let slug = app::posts::server::Slug::from_title(&title);
    let post = server
        .state
        .store
        .create_draft(&title, &slug, author.id, chrono::Utc::now())
        .await
        .expect("draft");
    let post_id = post.id.to_string();
    let author_id = author.id.to_string();

    let deactivated = signed_in(&server, "gone@clinic.org").await;
    let audit = app::accounts::server::NewAuditEntry::new(app::accounts::server::AuditAction::Deactivated, None, None);
    server
        .state
        .store
        .set_active(gone.id, false, &audit)
        .await
        .expect("deactivate");

    let wrong_password = "not the current password";
    let matrix: Vec<Row> = vec![
        (
            UpdateProfile::PATH,
            vec![
                ("display_name", "Same Name".into()),
                ("bio", String::new()),
                ("avatar_url", String::new()),
                ("credentials", String::new()),
            ],
            [U, A, A, A, A, U],
        ),
        (
            ChangePassword::PATH,
            vec![
                ("current_password", wrong_password.into()),
                ("new_password", "a long new passphrase".into()),
                ("new_password_confirmation", "a long new passphrase".into()),
            ],
            [U, A, A, A, A, U],
        ),
        (ListUsers::PATH, vec![], [U, F, F, F, A, U]),
        (
            CreateUser::PATH,
            vec![
                ("email", "new-{caller}@clinic.org".into()),
                ("display_name", "New".into()),
                ("role", "author".into()),
            ],
            [U, F, F, F, A, U],
        ),
        (
            ChangeRole::PATH,
            vec![("user_id", target_id.clone()), ("role", "author".into())],
            [U, F, F, F, A, U],
        ),
        (
            SetUserActive::PATH,
            vec![("user_id", target_id.clone()), ("active", "true".into())],
            [U, F, F, F, A, U],
        ),
        (
            IssuePasswordLink::PATH,
            vec![("user_id", target_id.clone())],
            [U, F, F, F, A, U],
        ),
        (AuditLog::PATH, vec![], [U, F, F, F, A, U]),
        (
            SaveSiteSettings::PATH,
            vec![
                ("title", "Vellum".into()),
                ("description", String::new()),
                ("site_url", "http://127.0.0.1:3000".into()),
                ("time_zone", "UTC".into()),
                ("date_format", "%B %-d, %Y".into()),
                ("review_required", "true".into()),
            ],
            [U, F, F, F, A, U],
        ),
        (
            CreatePost::PATH,
            vec![("title", "A new post".into())],
            [U, A, A, A, A, U],
        ),
        (
            PreviewMarkdown::PATH,
            vec![("markdown", "# Hello".into())],
            [U, A, A, A, A, U],
        ),
        (LoadPost::PATH, vec![("id", post_id.clone())], [U, A, N, A, A, U]),
        (
            SavePost::PATH,
            vec![
                ("id", post_id.clone()),
                // A stale version: the allowed callers get a conflict and
                // change nothing, so every caller sees the same post.
                ("version", "0".into()),
                ("title", "Sleep and mood".into()),
                ("slug", "sleep-and-mood".into()),
                ("body", "Text".into()),
                ("excerpt", String::new()),
                ("cover_url", String::new()),
                ("cover_alt", String::new()),
                ("seo_title", String::new()),
                ("seo_description", String::new()),
                ("canonical_url", String::new()),
                ("show_review", "true".into()),
                ("tags", String::new()),
                ("author_ids[0]", author_id.clone()),
                ("manual", "true".into()),
            ],
            [U, A, N, A, A, U],
        ),
        // Stale versions again: allowed callers get 409 and change nothing.
        (
            ChangeStatus::PATH,
            vec![
                ("id", post_id.clone()),
                ("version", "0".into()),
                ("transition", "submit".into()),
            ],
            [U, A, N, A, A, U],
        ),
        (
            PublishUpdate::PATH,
            vec![("id", post_id.clone()), ("version", "0".into())],
            [U, F, F, A, A, U],
        ),
        (
            AddComment::PATH,
            vec![("id", post_id.clone()), ("body", "A note from {caller}".into())],
            [U, A, N, A, A, U],
        ),
        (ListPosts::PATH, vec![], [U, A, A, A, A, U]),
        (ListStaff::PATH, vec![], [U, A, A, A, A, U]),
        (ReviewQueue::PATH, vec![], [U, F, F, A, A, U]),
        (Dashboard::PATH, vec![], [U, A, A, A, A, U]),
        (PostHistory::PATH, vec![("id", post_id.clone())], [U, A, N, A, A, U]),
        (
            RevisionDiff::PATH,
            vec![("id", post_id.clone()), ("from", "0".into()), ("to", "0".into())],
            [U, A, N, A, A, U],
        ),
        (
            RestoreRevision::PATH,
            vec![
                ("id", post_id.clone()),
                ("revision", "0".into()),
                ("version", "0".into()),
            ],
            [U, A, N, A, A, U],
        ),
        (ListNotifications::PATH, vec![], [U, A, A, A, A, U]),
        (MarkNotificationsRead::PATH, vec![], [U, A, A, A, A, U]),
        (EmptyTrash::PATH, vec![], [U, F, F, F, A, U]),
        (
            CreatePreviewLink::PATH,
            vec![("post_id", post_id.clone()), ("days", "7".into())],
            [U, F, F, A, A, U],
        ),
        (
            ListPreviewLinks::PATH,
            vec![("post_id", post_id.clone())],
            [U, F, F, A, A, U],
        ),
        // No such link: allowed callers get 404 and nothing changes.
        (
            RevokePreviewLink::PATH,
            vec![("post_id", post_id.clone()), ("id", "999999".into())],
            [U, F, F, A, A, U],
        ),
        (ListTags::PATH, vec![], [U, A, A, A, A, U]),
        (Calendar::PATH, vec![], [U, A, A, A, A, U]),
        (
            UpdateTag::PATH,
            vec![
                ("id", "0".into()),
                ("name", "Sleep".into()),
                ("description", String::new()),
            ],
            [U, F, F, A, A, U],
        ),
        // Everyone signed in manages their own tokens; no such token to
        // revoke: allowed callers get 404.
        (
            CreateApiToken::PATH,
            vec![("name", "Script of {caller}".into()), ("scope", "read".into())],
            [U, A, A, A, A, U],
        ),
        (ListApiTokens::PATH, vec![], [U, A, A, A, A, U]),
        (RevokeApiToken::PATH, vec![("id", "999999".into())], [U, A, A, A, A, U]),
        // An address Vellum refuses (ftp): admins get 422 and nothing is
        // stored; no such webhook to test or delete: 404.
        (
            CreateWebhook::PATH,
            vec![
                ("url", "ftp://example.org/hook".into()),
                ("events[0]", "post.published".into()),
            ],
            [U, F, F, F, A, U],
        ),
        (ListWebhooks::PATH, vec![], [U, F, F, F, A, U]),
        (SendTestWebhook::PATH, vec![("id", "999999".into())], [U, F, F, F, A, U]),
        (DeleteWebhook::PATH, vec![("id", "999999".into())], [U, F, F, F, A, U]),
        // Everyone signed in uses the library; no such image to describe or
        // delete: allowed callers get 404.
        (ListMedia::PATH, vec![], [U, A, A, A, A, U]),
        (
            SetMediaAlt::PATH,
            vec![("id", "999999".into()), ("alt", "A chart".into())],
            [U, A, A, A, A, U],
        ),
        (DeleteMedia::PATH, vec![("id", "999999".into())], [U, A, A, A, A, U]),
        // Last: it ends the caller's session.
        (Logout::PATH, vec![], [U, A, A, A, A, U]),
    ];

    let registered: BTreeSet<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    let listed: BTreeSet<&str> = matrix
        .iter()
        .map(|(path, _, _)| *path)
        .chain(public_functions())
        .collect();
    assert_eq!(
        registered, listed,
        "every server function must be in the matrix or the public list"
    );

    let clients = [
        client(),
        signed_in(&server, "author@clinic.org").await,
        signed_in(&server, "other@clinic.org").await,
        signed_in(&server, "editor@clinic.org").await,
        signed_in(&server, "admin@clinic.org").await,
        deactivated,
    ];
    for (path, form, expected) in &matrix {
        for ((caller, http), expect) in CALLERS.iter().zip(&clients).zip(expected) {
            let form: Vec<(&str, String)> = form
                .iter()
                .map(|(k, v)| (*k, v.replace("{caller}", &caller.replace(' ', "-"))))
                .collect();
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let status = call(http, &server, path, &form).await.status();
            let ok = match expect {
                Expect::Allowed => {
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN && !status.is_server_error()
                }
                Expect::Unauthenticated => status == StatusCode::UNAUTHORIZED,
                Expect::Forbidden => status == StatusCode::FORBIDDEN,
                Expect::Hidden => status == StatusCode::NOT_FOUND,
            };
            assert!(ok, "{path} as {caller}: expected {expect:?}, got {status}");
        }
    }
    server.stop().await.expect("stop");
}

crate::on_both_databases!(every_server_function_checks_its_caller);
