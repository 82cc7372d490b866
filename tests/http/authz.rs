//! The authorization matrix: every server function, called as every kind
//! of caller, answers exactly as the policy says: done, 401 or 403, or the
//! designed refusal (404 for no such thing, 409 for a stale version, 422
//! for a refused value) with its error kind and message, so a call whose
//! form the function cannot read never passes. A server function missing
//! from this table fails the test.

use std::collections::BTreeSet;

use app::accounts::Role;
use app::accounts::api::*;
use app::api_tokens::api::{CreateApiToken, ListApiTokens, RevokeApiToken};
use app::mail::api::{EmailIsOn, MailStatus, MyMailPreferences, SaveMailPreferences};
use app::media::api::{DeleteMedia, ListMedia, SetMediaAlt};
use app::passkeys::api::{
    FinishPasskeyRegistration, FinishPasskeySignIn, ListPasskeys, PasskeysEnabled, RemovePasskey,
    StartPasskeyRegistration, StartPasskeySignIn,
};
use app::posts::api::*;
use app::previews::api::{CreatePreviewLink, ListPreviewLinks, RevokePreviewLink};
use app::sessions::api::{
    EndMySession, EndOtherSessions, EndUserSession, EndUserSessions, ListMySessions, ListUserSessions,
};
use app::settings::api::{GetClinicDetails, GetMenus, GetSiteSettings, SaveClinicDetails, SaveMenus, SaveSiteSettings};
use app::two_factor::api::{
    ConfirmTotpSetup, GetTwoFactorPolicy, GetTwoFactorStatus, ListSecondFactors, RenewRecoveryCodes, ResetTwoFactor,
    SaveTwoFactorPolicy, StartTotpSetup, TurnOffTotp, VerifySignInCode,
};
use app::webhooks::api::{CreateWebhook, DeleteWebhook, ListWebhooks, RotateWebhookSecret, SendTestWebhook};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;

use crate::support::TestDb;
use crate::{call, client, create_user, signed_in, start};

/// The exact answer a caller gets: status and, for errors, the error's
/// kind in the body (`{"error": "not_found"}` and the like). A form the
/// function cannot read is answered 422 with the field `request`, so it
/// never passes for any of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 200, no redirect: the call did what it asks.
    Done,
    /// 200 with a `Location` header: done, and the admin's script goes there.
    Redirect,
    /// 401 `unauthenticated`.
    Unauthenticated,
    /// 403 `forbidden`.
    Forbidden,
    /// 404 `not_found`: no such thing, or someone else's draft, which does
    /// not exist for this caller.
    NotFound,
    /// 409 `conflict` with a message containing this text: a stale
    /// version or a step that does not apply; nothing changes.
    Conflict(&'static str),
    /// 422 `validation`, with a message for this field that contains this
    /// text: the value is refused and nothing is stored.
    Refused(&'static str, &'static str),
}

use Expect::{Done as D, Forbidden as F, NotFound as N, Redirect as R, Unauthenticated as U};

/// The designed refusals the matrix's forms run into.
const STALE: Expect = Expect::Conflict("Someone else saved this post");
const NO_UPDATE: Expect = Expect::Conflict("no unpublished change");
const NO_LIVE_TEXT: Expect = Expect::Conflict("Only a published article can be re-reviewed");
const NOT_REVIEWED: Expect = Expect::Conflict("Only a medically reviewed post");
const WRONG_PASSWORD: Expect = Expect::Refused("current_password", "is not correct");
const NOT_HTTP: Expect = Expect::Refused("url", "http or https");
/// Two-factor sign-in: nobody in the matrix has it on.
const NOT_A_CODE: Expect = Expect::Refused("code", "did not work");
const TWO_FACTOR_OFF: Expect = Expect::Conflict("Two-factor sign-in is off");
const NO_SECOND_FACTOR: Expect = Expect::Conflict("has no second factor to reset");
/// The matrix's server has no domain name (http://127.0.0.1:3000), so
/// passkeys cannot be added there; `tests/http/passkeys.rs` adds them.
const NO_PASSKEYS: Expect = Expect::Conflict("need the site to have a domain name");
const PASSKEY_REFUSED: Expect = Expect::Refused("passkey", "was not added");
const EMAIL_OFF: Expect = Expect::Conflict("Email is off");
const PASSWORD_WRONG: Expect = Expect::Refused("password", "is not correct");

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
        // The same answer whatever the address; throttled per address.
        RequestPasswordReset::PATH,
        // Gated by the link's token; throttled per address.
        ConfirmEmailChange::PATH,
        // 0 for a visitor; a user's own count otherwise.
        UnreadNotifications::PATH,
        // The sign-in's second step: needs the pending sign-in a correct
        // password left in the session; throttled like passwords.
        VerifySignInCode::PATH,
        // Whether the sign-in page offers passkeys: the same for everyone.
        PasskeysEnabled::PATH,
        // A passkey sign-in: the passkey is the credential; its challenge
        // works once and expires, and failures are throttled per address.
        StartPasskeySignIn::PATH,
        FinishPasskeySignIn::PATH,
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
            [U, D, D, D, D, U],
        ),
        // A wrong current password: 422 on that field, and nothing changes.
        (
            ChangePassword::PATH,
            vec![
                ("current_password", wrong_password.into()),
                ("new_password", "a long new passphrase".into()),
                ("new_password_confirmation", "a long new passphrase".into()),
            ],
            [U, WRONG_PASSWORD, WRONG_PASSWORD, WRONG_PASSWORD, WRONG_PASSWORD, U],
        ),
        (ListUsers::PATH, vec![], [U, F, F, F, D, U]),
        (
            CreateUser::PATH,
            vec![
                ("email", "new-{caller}@clinic.org".into()),
                ("display_name", "New".into()),
                ("role", "author".into()),
            ],
            [U, F, F, F, D, U],
        ),
        (
            ChangeRole::PATH,
            vec![("user_id", target_id.clone()), ("role", "author".into())],
            [U, F, F, F, D, U],
        ),
        (
            SetUserActive::PATH,
            vec![("user_id", target_id.clone()), ("active", "true".into())],
            [U, F, F, F, D, U],
        ),
        (
            IssuePasswordLink::PATH,
            vec![("user_id", target_id.clone())],
            [U, F, F, F, D, U],
        ),
        // Email is off in this server: the admin hears so, nothing is sent.
        (
            SendPasswordLink::PATH,
            vec![("user_id", target_id.clone())],
            [U, F, F, F, EMAIL_OFF, U],
        ),
        // A wrong password: 422 on that field, and the address stays.
        (
            ChangeEmail::PATH,
            vec![
                ("new_email", "{caller}@new.example".into()),
                ("password", wrong_password.into()),
            ],
            [U, PASSWORD_WRONG, PASSWORD_WRONG, PASSWORD_WRONG, PASSWORD_WRONG, U],
        ),
        (EmailIsOn::PATH, vec![], [U, D, D, D, D, U]),
        (MyMailPreferences::PATH, vec![], [U, D, D, D, D, U]),
        (
            SaveMailPreferences::PATH,
            vec![("choices[comment]", "digest".into())],
            [U, D, D, D, D, U],
        ),
        (MailStatus::PATH, vec![], [U, F, F, F, D, U]),
        (AuditLog::PATH, vec![], [U, F, F, F, D, U]),
        (GetClinicDetails::PATH, vec![], [U, F, F, F, D, U]),
        (
            SaveClinicDetails::PATH,
            vec![("name", "Riverside Family Clinic".into()), ("phone", "555 0100".into())],
            [U, F, F, F, D, U],
        ),
        (GetMenus::PATH, vec![], [U, F, F, F, D, U]),
        (
            SaveMenus::PATH,
            vec![
                ("header[0][label]", "Feed".into()),
                ("header[0][kind]", "url".into()),
                ("header[0][target]", "/feed.xml".into()),
            ],
            [U, F, F, F, D, U],
        ),
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
            [U, F, F, F, D, U],
        ),
        (
            CreatePost::PATH,
            vec![("title", "A new post".into())],
            [U, D, D, D, D, U],
        ),
        (
            PreviewMarkdown::PATH,
            vec![("markdown", "# Hello".into())],
            [U, D, D, D, D, U],
        ),
        (
            CheckReadiness::PATH,
            vec![
                ("title", "Sleep".into()),
                ("slug", "sleep".into()),
                ("body", "Sleep helps.".into()),
                ("excerpt", String::new()),
                ("cover_url", String::new()),
                ("cover_alt", String::new()),
                ("seo_title", String::new()),
                ("seo_description", String::new()),
                ("canonical_url", String::new()),
                ("tags", String::new()),
                ("show_review", "true".into()),
                ("author_ids[0]", author_id.clone()),
            ],
            [U, D, D, D, D, U],
        ),
        (LoadPost::PATH, vec![("id", post_id.clone())], [U, D, N, D, D, U]),
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
            [U, STALE, N, STALE, STALE, U],
        ),
        // Stale versions again: allowed callers get 409 and change nothing.
        (
            ChangeStatus::PATH,
            vec![
                ("id", post_id.clone()),
                ("version", "0".into()),
                ("transition", "submit".into()),
            ],
            [U, STALE, N, STALE, STALE, U],
        ),
        // A draft has no live text to update: editors get 409.
        (
            PublishUpdate::PATH,
            vec![("id", post_id.clone()), ("version", "0".into())],
            [U, F, F, NO_UPDATE, NO_UPDATE, U],
        ),
        // The post is a draft: editors may re-review only a published
        // post (409); authors never (403).
        (
            ReReview::PATH,
            vec![("id", post_id.clone()), ("outcome", "confirm".into())],
            [U, F, F, NO_LIVE_TEXT, NO_LIVE_TEXT, U],
        ),
        (
            SetReviewDue::PATH,
            vec![("id", post_id.clone()), ("due", "2099-01-01".into())],
            [U, F, F, NOT_REVIEWED, NOT_REVIEWED, U],
        ),
        (
            AddComment::PATH,
            vec![("id", post_id.clone()), ("body", "A note from {caller}".into())],
            [U, D, N, D, D, U],
        ),
        (ListPosts::PATH, vec![], [U, D, D, D, D, U]),
        (ListStaff::PATH, vec![], [U, D, D, D, D, U]),
        (FindLinkTargets::PATH, vec![("q", "sleep".into())], [U, D, D, D, D, U]),
        (ReviewQueue::PATH, vec![], [U, F, F, D, D, U]),
        (Dashboard::PATH, vec![], [U, D, D, D, D, U]),
        (PostHistory::PATH, vec![("id", post_id.clone())], [U, D, N, D, D, U]),
        // There is no revision 0: 404 (as for the author who may not see it).
        (
            RevisionDiff::PATH,
            vec![("id", post_id.clone()), ("from", "0".into()), ("to", "0".into())],
            [U, N, N, N, N, U],
        ),
        (
            RestoreRevision::PATH,
            vec![
                ("id", post_id.clone()),
                ("revision", "0".into()),
                ("version", "0".into()),
            ],
            [U, N, N, N, N, U],
        ),
        (ListNotifications::PATH, vec![], [U, D, D, D, D, U]),
        (MarkNotificationsRead::PATH, vec![], [U, D, D, D, D, U]),
        (EmptyTrash::PATH, vec![], [U, F, F, F, D, U]),
        (
            CreatePreviewLink::PATH,
            vec![("post_id", post_id.clone()), ("days", "7".into())],
            [U, F, F, D, D, U],
        ),
        (
            ListPreviewLinks::PATH,
            vec![("post_id", post_id.clone())],
            [U, F, F, D, D, U],
        ),
        // No such link: allowed callers get 404 and nothing changes.
        (
            RevokePreviewLink::PATH,
            vec![("post_id", post_id.clone()), ("id", "999999".into())],
            [U, F, F, N, N, U],
        ),
        (ListTags::PATH, vec![], [U, D, D, D, D, U]),
        (Calendar::PATH, vec![], [U, D, D, D, D, U]),
        // There is no tag 0: editors get 404.
        (
            UpdateTag::PATH,
            vec![
                ("id", "0".into()),
                ("name", "Sleep".into()),
                ("description", String::new()),
            ],
            [U, F, F, N, N, U],
        ),
        // Everyone signed in manages their own tokens; no such token to
        // revoke: allowed callers get 404.
        (
            CreateApiToken::PATH,
            vec![("name", "Script of {caller}".into()), ("scope", "read".into())],
            [U, D, D, D, D, U],
        ),
        (ListApiTokens::PATH, vec![], [U, D, D, D, D, U]),
        (RevokeApiToken::PATH, vec![("id", "999999".into())], [U, N, N, N, N, U]),
        // An address Vellum refuses (ftp): admins get 422 and nothing is
        // stored; no such webhook to test or delete: 404.
        (
            CreateWebhook::PATH,
            vec![
                ("url", "ftp://example.org/hook".into()),
                ("events[0]", "post.published".into()),
            ],
            [U, F, F, F, NOT_HTTP, U],
        ),
        (ListWebhooks::PATH, vec![], [U, F, F, F, D, U]),
        (SendTestWebhook::PATH, vec![("id", "999999".into())], [U, F, F, F, N, U]),
        (DeleteWebhook::PATH, vec![("id", "999999".into())], [U, F, F, F, N, U]),
        (
            RotateWebhookSecret::PATH,
            vec![("id", "999999".into())],
            [U, F, F, F, N, U],
        ),
        // Everyone signed in uses the library; no such image to describe or
        // delete: allowed callers get 404.
        (ListMedia::PATH, vec![], [U, D, D, D, D, U]),
        (
            SetMediaAlt::PATH,
            vec![("id", "999999".into()), ("alt", "A chart".into())],
            [U, N, N, N, N, U],
        ),
        (DeleteMedia::PATH, vec![("id", "999999".into())], [U, N, N, N, N, U]),
        // Everyone signed in manages their own passkeys; an unknown
        // ceremony adds nothing, and no such passkey is a 404.
        (ListPasskeys::PATH, vec![], [U, D, D, D, D, U]),
        (
            StartPasskeyRegistration::PATH,
            vec![("name", "Work laptop".into()), ("confirmation", crate::PASSWORD.into())],
            [U, NO_PASSKEYS, NO_PASSKEYS, NO_PASSKEYS, NO_PASSKEYS, U],
        ),
        (
            FinishPasskeyRegistration::PATH,
            vec![
                ("ceremony", "no-such-ceremony".into()),
                ("name", "Work laptop".into()),
                ("credential", "{}".into()),
            ],
            [U, PASSKEY_REFUSED, PASSKEY_REFUSED, PASSKEY_REFUSED, PASSKEY_REFUSED, U],
        ),
        (RemovePasskey::PATH, vec![("id", "999999".into())], [U, N, N, N, N, U]),
        // Everyone signed in sees and ends their own sessions (each caller
        // has one, so "everywhere else" ends none of the matrix's); admins
        // those of anyone. No such session to end: 404.
        (ListMySessions::PATH, vec![], [U, D, D, D, D, U]),
        (EndMySession::PATH, vec![("id", "999999".into())], [U, N, N, N, N, U]),
        (EndOtherSessions::PATH, vec![], [U, D, D, D, D, U]),
        (
            ListUserSessions::PATH,
            vec![("user_id", target_id.clone())],
            [U, F, F, F, D, U],
        ),
        (
            EndUserSession::PATH,
            vec![("user_id", target_id.clone()), ("id", "999999".into())],
            [U, F, F, F, N, U],
        ),
        (
            EndUserSessions::PATH,
            vec![("user_id", target_id.clone())],
            [U, F, F, F, D, U],
        ),
        // Two-factor sign-in: everyone signed in sets up their own (a set-up
        // counts only once a code confirms it, and "abc" is no code);
        // admins choose the policy and reset other people's.
        (GetTwoFactorStatus::PATH, vec![], [U, D, D, D, D, U]),
        (StartTotpSetup::PATH, vec![], [U, D, D, D, D, U]),
        (
            ConfirmTotpSetup::PATH,
            vec![("code", "abc".into())],
            [U, NOT_A_CODE, NOT_A_CODE, NOT_A_CODE, NOT_A_CODE, U],
        ),
        (
            RenewRecoveryCodes::PATH,
            vec![("confirmation", wrong_password.into())],
            [U, TWO_FACTOR_OFF, TWO_FACTOR_OFF, TWO_FACTOR_OFF, TWO_FACTOR_OFF, U],
        ),
        (
            TurnOffTotp::PATH,
            vec![("confirmation", wrong_password.into())],
            [U, TWO_FACTOR_OFF, TWO_FACTOR_OFF, TWO_FACTOR_OFF, TWO_FACTOR_OFF, U],
        ),
        (GetTwoFactorPolicy::PATH, vec![], [U, F, F, F, D, U]),
        (
            SaveTwoFactorPolicy::PATH,
            vec![("policy", "nobody".into())],
            [U, F, F, F, D, U],
        ),
        (ListSecondFactors::PATH, vec![], [U, F, F, F, D, U]),
        (
            ResetTwoFactor::PATH,
            vec![("user_id", target_id.clone())],
            [U, F, F, F, NO_SECOND_FACTOR, U],
        ),
        // Last: the admin's call ends every session (the callers after it
        // are signed out, so Logout answers them all as visitors; its own
        // redirect is tested in accounts.rs).
        (SignEveryoneOut::PATH, vec![], [U, F, F, F, R, U]),
        (Logout::PATH, vec![], [U, U, U, U, U, U]),
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
    let mut wrong = Vec::new();
    for (path, form, expected) in &matrix {
        for ((caller, http), expect) in CALLERS.iter().zip(&clients).zip(expected) {
            let form: Vec<(&str, String)> = form
                .iter()
                .map(|(k, v)| (*k, v.replace("{caller}", &caller.replace(' ', "-"))))
                .collect();
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = call(http, &server, path, &form).await;
            let status = response.status();
            let redirects = response.headers().contains_key(reqwest::header::LOCATION);
            let body = response.text().await.expect("body");
            if let Err(problem) = answered(*expect, status, redirects, &body) {
                wrong.push(format!("{path} as {caller}: expected {expect:?}, {problem}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "answers not as the policy says:\n{}",
        wrong.join("\n")
    );
    server.stop().await.expect("stop");
}

/// Whether an answer is exactly the expected one; what it was otherwise.
fn answered(expect: Expect, status: StatusCode, redirects: bool, body: &str) -> Result<(), String> {
    let got = || format!("got {status}{} {body}", if redirects { " (redirect)" } else { "" });
    let error_kind = |kind: &str| {
        serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .is_some_and(|error| error["error"] == kind)
    };
    let ok = match expect {
        Expect::Done => status == StatusCode::OK && !redirects,
        Expect::Redirect => status == StatusCode::OK && redirects,
        Expect::Unauthenticated => status == StatusCode::UNAUTHORIZED && error_kind("unauthenticated"),
        Expect::Forbidden => status == StatusCode::FORBIDDEN && error_kind("forbidden"),
        Expect::NotFound => status == StatusCode::NOT_FOUND && error_kind("not_found"),
        Expect::Conflict(text) => {
            status == StatusCode::CONFLICT
                && serde_json::from_str::<serde_json::Value>(body)
                    .ok()
                    .is_some_and(|error| {
                        error["error"] == "conflict" && error["message"].as_str().is_some_and(|m| m.contains(text))
                    })
        }
        Expect::Refused(field, text) => {
            status == StatusCode::UNPROCESSABLE_ENTITY
                && serde_json::from_str::<serde_json::Value>(body)
                    .ok()
                    .is_some_and(|error| {
                        error["error"] == "validation"
                            && error["fields"].get("request").is_none()
                            && error["fields"][field].as_array().is_some_and(|messages| {
                                messages.iter().any(|m| m.as_str().is_some_and(|m| m.contains(text)))
                            })
                    })
        }
    };
    if ok { Ok(()) } else { Err(got()) }
}

crate::on_both_databases!(every_server_function_checks_its_caller);
