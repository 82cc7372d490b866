//! Sessions you can see: each sign-in is listed on its person's profile
//! with its browser, address and times; ending one signs that browser out
//! at its next request; "sign out everywhere else" keeps the current one;
//! admins see and end anyone's; nobody else sees or ends another's.

use app::accounts::Role;
use app::accounts::api::{ChangePassword, CurrentUser, Logout, SignEveryoneOut};
use app::accounts::server::{AuditAction, AuditFilter};
use app::sessions::api::{
    EndMySession, EndOtherSessions, EndUserSession, EndUserSessions, ListMySessions, ListUserSessions, SessionView,
    UserSessions,
};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use server::RunningServer;

use crate::support::TestDb;
use crate::{PASSWORD, call, create_user, redirects, sign_in, signed_in, start, start_at, url};

const CHROME_ON_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_ON_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
     (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX_ON_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// A browser with its own cookies and `User-Agent`, signed in as `email`.
async fn browser(server: &RunningServer, email: &str, user_agent: &str) -> reqwest::Client {
    browser_with_password(server, email, PASSWORD, user_agent).await
}

async fn browser_with_password(
    server: &RunningServer,
    email: &str,
    password: &str,
    user_agent: &str,
) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("HTTP client");
    let response = sign_in(&client, server, email, password).await;
    assert!(redirects(&response), "sign-in of {email}: {}", response.status());
    client
}

async fn signed_in_as(client: &reqwest::Client, server: &RunningServer) -> Option<String> {
    let response = call(client, server, CurrentUser::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("JSON");
    body["email"].as_str().map(str::to_owned)
}

async fn my_sessions(client: &reqwest::Client, server: &RunningServer) -> Vec<SessionView> {
    let response = call(client, server, ListMySessions::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("sessions")
}

async fn sessions_of(admin: &reqwest::Client, server: &RunningServer, user_id: i64) -> UserSessions {
    let response = call(
        admin,
        server,
        ListUserSessions::PATH,
        &[("user_id", &user_id.to_string())],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("sessions")
}

fn browsers(sessions: &[SessionView]) -> Vec<(&str, bool)> {
    let mut seen: Vec<(&str, bool)> = sessions.iter().map(|s| (s.browser.as_str(), s.current)).collect();
    seen.sort_unstable();
    seen
}

fn the_one_on<'a>(sessions: &'a [SessionView], browser: &str) -> &'a SessionView {
    sessions
        .iter()
        .find(|session| session.browser == browser)
        .unwrap_or_else(|| panic!("a session on {browser} in {sessions:?}"))
}

async fn audit_of(server: &RunningServer, action: AuditAction) -> Vec<app::accounts::server::AuditRow> {
    server
        .state
        .store
        .list_audit(&AuditFilter {
            action: Some(action),
            limit: 50,
            ..AuditFilter::default()
        })
        .await
        .expect("audit")
}

/// Two browsers of one person: both are listed with browser, address and
/// times, each marks itself; ending the other signs it out at its next
/// request and is audited.
async fn a_person_sees_their_sessions_and_ends_one(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let laptop = browser(&server, "ana@clinic.org", CHROME_ON_LINUX).await;
    let phone = browser(&server, "ana@clinic.org", SAFARI_ON_IPHONE).await;

    let seen = my_sessions(&laptop, &server).await;
    assert_eq!(
        browsers(&seen),
        [("Chrome on Linux", true), ("Safari on iPhone", false)]
    );
    for session in &seen {
        assert_eq!(session.address, "127.0.0.1");
        assert!(!session.started.is_empty() && !session.last_used.is_empty());
    }
    assert_eq!(
        browsers(&my_sessions(&phone, &server).await),
        [("Chrome on Linux", false), ("Safari on iPhone", true)],
        "the phone marks itself"
    );

    let phone_session = the_one_on(&seen, "Safari on iPhone").id.to_string();
    let ended = call(&laptop, &server, EndMySession::PATH, &[("id", &phone_session)]).await;
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(signed_in_as(&phone, &server).await, None, "the phone is signed out");
    let admin_page = phone.get(url(&server, "/admin")).send().await.expect("GET /admin");
    assert!(admin_page.status().is_redirection(), "{}", admin_page.status());
    assert_eq!(signed_in_as(&laptop, &server).await.as_deref(), Some("ana@clinic.org"));
    assert_eq!(
        browsers(&my_sessions(&laptop, &server).await),
        [("Chrome on Linux", true)]
    );

    let again = call(&laptop, &server, EndMySession::PATH, &[("id", &phone_session)]).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "an ended session is gone");
    let audit = audit_of(&server, AuditAction::SessionEnded).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor.as_deref(), Some("Ana Ruiz"));
    assert_eq!(audit[0].target.as_deref(), Some("Ana Ruiz"));
    assert_eq!(audit[0].detail, "Safari on iPhone from 127.0.0.1");
    server.stop().await.expect("stop");
}

/// "Sign out everywhere else" ends every other session of the person and
/// keeps the current one, and nobody else's.
async fn signing_out_everywhere_else_keeps_this_session(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "omar@clinic.org", "Omar Haddad", Role::Author).await;
    let laptop = browser(&server, "ana@clinic.org", CHROME_ON_LINUX).await;
    let phone = browser(&server, "ana@clinic.org", SAFARI_ON_IPHONE).await;
    let desk = browser(&server, "ana@clinic.org", FIREFOX_ON_WINDOWS).await;
    let omar = signed_in(&server, "omar@clinic.org").await;

    let response = call(&desk, &server, EndOtherSessions::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let ended: u64 = response.json().await.expect("count");
    assert_eq!(ended, 2);
    assert_eq!(signed_in_as(&laptop, &server).await, None);
    assert_eq!(signed_in_as(&phone, &server).await, None);
    assert_eq!(signed_in_as(&desk, &server).await.as_deref(), Some("ana@clinic.org"));
    assert_eq!(
        signed_in_as(&omar, &server).await.as_deref(),
        Some("omar@clinic.org"),
        "another person's session stays"
    );
    assert_eq!(
        browsers(&my_sessions(&desk, &server).await),
        [("Firefox on Windows 10", true)]
    );
    let audit = audit_of(&server, AuditAction::SessionsEnded).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].detail, "every session but the current one");
    server.stop().await.expect("stop");
}

/// Admins list anyone's sessions (also on a page of their own) and end one
/// or all of them; the audit log names the admin and the person.
async fn an_admin_sees_and_ends_anyones_sessions(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let laptop = browser(&server, "ana@clinic.org", CHROME_ON_LINUX).await;
    let phone = browser(&server, "ana@clinic.org", SAFARI_ON_IPHONE).await;

    let found = sessions_of(&admin, &server, ana.id).await;
    assert_eq!(
        (found.name.as_str(), found.email.as_str()),
        ("Ana Ruiz", "ana@clinic.org")
    );
    assert_eq!(
        browsers(&found.sessions),
        [("Chrome on Linux", false), ("Safari on iPhone", false)],
        "none of them is the admin's"
    );
    let page = admin
        .get(url(&server, &format!("/admin/users/{}/sessions", ana.id)))
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(html.contains("Ana Ruiz (ana@clinic.org)"), "{html}");
    assert!(html.contains("Safari on iPhone"));

    let phone_id = the_one_on(&found.sessions, "Safari on iPhone").id.to_string();
    let ana_id = ana.id.to_string();
    let ended = call(
        &admin,
        &server,
        EndUserSession::PATH,
        &[("user_id", &ana_id), ("id", &phone_id)],
    )
    .await;
    assert_eq!(ended.status(), StatusCode::OK);
    assert_eq!(signed_in_as(&phone, &server).await, None);
    assert_eq!(signed_in_as(&laptop, &server).await.as_deref(), Some("ana@clinic.org"));
    let audit = audit_of(&server, AuditAction::SessionEnded).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor.as_deref(), Some("Admin"));
    assert_eq!(audit[0].target.as_deref(), Some("Ana Ruiz"));

    let response = call(&admin, &server, EndUserSessions::PATH, &[("user_id", &ana_id)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let all: u64 = response.json().await.expect("count");
    assert_eq!(all, 1);
    assert_eq!(signed_in_as(&laptop, &server).await, None);
    assert_eq!(signed_in_as(&admin, &server).await.as_deref(), Some("admin@clinic.org"));
    assert!(sessions_of(&admin, &server, ana.id).await.sessions.is_empty());
    let missing = call(&admin, &server, ListUserSessions::PATH, &[("user_id", "999999")]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    server.stop().await.expect("stop");
}

/// An author can neither list nor end another person's sessions, not even
/// with the id of one; the page about them is for admins.
async fn an_author_cannot_see_or_end_anothers_sessions(db: &TestDb) {
    let server = start(db).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "omar@clinic.org", "Omar Haddad", Role::Author).await;
    let ana_laptop = browser(&server, "ana@clinic.org", CHROME_ON_LINUX).await;
    let omar = signed_in(&server, "omar@clinic.org").await;
    let anas = my_sessions(&ana_laptop, &server).await;
    let ana_session = anas[0].id.to_string();
    let ana_id = ana.id.to_string();

    let theirs = call(&omar, &server, EndMySession::PATH, &[("id", &ana_session)]).await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "not his to end");
    let listed = call(&omar, &server, ListUserSessions::PATH, &[("user_id", &ana_id)]).await;
    assert_eq!(listed.status(), StatusCode::FORBIDDEN);
    let one = call(
        &omar,
        &server,
        EndUserSession::PATH,
        &[("user_id", &ana_id), ("id", &ana_session)],
    )
    .await;
    assert_eq!(one.status(), StatusCode::FORBIDDEN);
    let all = call(&omar, &server, EndUserSessions::PATH, &[("user_id", &ana_id)]).await;
    assert_eq!(all.status(), StatusCode::FORBIDDEN);
    let page = omar
        .get(url(&server, &format!("/admin/users/{}/sessions", ana.id)))
        .send()
        .await
        .expect("GET");
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        signed_in_as(&ana_laptop, &server).await.as_deref(),
        Some("ana@clinic.org")
    );
    let omars = my_sessions(&omar, &server).await;
    assert_eq!(omars.len(), 1, "only his own: {omars:?}");
    assert!(audit_of(&server, AuditAction::SessionEnded).await.is_empty());
    server.stop().await.expect("stop");
}

/// Last used moves with the clock, at most once a minute; started stays.
async fn last_used_follows_the_clock(db: &TestDb) {
    let start_time = chrono::DateTime::parse_from_rfc3339("2026-05-04T09:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    let clock = std::sync::Arc::new(app::clock::ManualClock::new(start_time));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let laptop = browser(&server, "ana@clinic.org", CHROME_ON_LINUX).await;
    let rows = |since| {
        let store = server.state.store.clone();
        async move { store.sessions_of(ana.id, since).await.expect("sessions") }
    };
    let long_ago = start_time - chrono::Duration::days(1);
    let at_start = rows(long_ago).await;
    assert_eq!(at_start.len(), 1);
    assert_eq!(
        (at_start[0].started_at, at_start[0].last_used_at),
        (start_time, start_time)
    );

    clock.advance(chrono::Duration::seconds(30));
    assert!(signed_in_as(&laptop, &server).await.is_some());
    assert_eq!(
        rows(long_ago).await[0].last_used_at,
        start_time,
        "not written again within a minute"
    );

    clock.advance(chrono::Duration::minutes(5));
    assert!(signed_in_as(&laptop, &server).await.is_some());
    let later = rows(long_ago).await;
    assert_eq!(later[0].last_used_at, start_time + chrono::Duration::seconds(330));
    assert_eq!(later[0].started_at, start_time);
    let shown = my_sessions(&laptop, &server).await;
    assert_eq!(shown[0].last_used, "May 4, 2026, 09:05 UTC");
    assert_eq!(shown[0].started, "May 4, 2026, 09:00 UTC");
    server.stop().await.expect("stop");
}

/// Signing out forgets the sign-in; a password change ends the other
/// sessions and keeps listing this one; "sign everyone out" empties the
/// list; the hourly clean-up drops rows of ended and expired sessions.
async fn the_list_follows_sign_outs_and_password_changes(db: &TestDb) {
    let start_time = chrono::DateTime::parse_from_rfc3339("2026-05-04T09:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    let clock = std::sync::Arc::new(app::clock::ManualClock::new(start_time));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Admin).await;
    let count = || {
        let store = server.state.store.clone();
        async move {
            store
                .sessions_of(ana.id, start_time - chrono::Duration::days(365))
                .await
                .expect("sessions")
                .len()
        }
    };
    let laptop = browser(&server, "ana@clinic.org", CHROME_ON_LINUX).await;
    let phone = browser(&server, "ana@clinic.org", SAFARI_ON_IPHONE).await;
    let desk = browser(&server, "ana@clinic.org", FIREFOX_ON_WINDOWS).await;
    assert_eq!(count().await, 3);

    let out = call(&desk, &server, Logout::PATH, &[]).await;
    assert!(redirects(&out), "{}", out.status());
    assert_eq!(count().await, 2, "signing out forgets the sign-in");

    let new_password = "a brand new passphrase";
    let changed = call(
        &laptop,
        &server,
        ChangePassword::PATH,
        &[
            ("current_password", PASSWORD),
            ("new_password", new_password),
            ("new_password_confirmation", new_password),
        ],
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(signed_in_as(&phone, &server).await, None);
    assert_eq!(
        browsers(&my_sessions(&laptop, &server).await),
        [("Chrome on Linux", true)],
        "the password change ended the phone and kept this one"
    );

    server::hourly_cleanup(&server.state).await;
    let rows = db.count("SELECT count(*) FROM signed_in_sessions").await;
    assert_eq!(rows, 1, "the phone's ended row is purged");
    clock.advance(chrono::Duration::days(15));
    server::hourly_cleanup(&server.state).await;
    assert_eq!(
        db.count("SELECT count(*) FROM signed_in_sessions").await,
        0,
        "a session unused for 14 days has expired"
    );

    clock.set(start_time);
    let admin = browser_with_password(&server, "ana@clinic.org", new_password, CHROME_ON_LINUX).await;
    let _other = browser_with_password(&server, "ana@clinic.org", new_password, SAFARI_ON_IPHONE).await;
    assert_eq!(db.count("SELECT count(*) FROM signed_in_sessions").await, 2);
    let everyone = call(&admin, &server, SignEveryoneOut::PATH, &[]).await;
    assert!(redirects(&everyone), "{}", everyone.status());
    assert_eq!(db.count("SELECT count(*) FROM signed_in_sessions").await, 0);
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_person_sees_their_sessions_and_ends_one,
    signing_out_everywhere_else_keeps_this_session,
    an_admin_sees_and_ends_anyones_sessions,
    an_author_cannot_see_or_end_anothers_sessions,
    last_used_follows_the_clock,
    the_list_follows_sign_outs_and_password_changes,
);
