//! Signing in and out, sessions, throttling, the first admin and
//! set-password links, over HTTP on both databases.

use app::accounts::Role;
use app::accounts::api::{
    AuditLog, ChangePassword, ChangeRole, CompleteSetup, CreateUser, CurrentUser, Logout, SetPasswordWithToken,
    SetUserActive,
};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, RETRY_AFTER, SET_COOKIE};

use crate::support::TestDb;
use crate::{PASSWORD, call, client, create_user, redirects, serve_args, sign_in, signed_in, start, url};

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn current_email(client: &reqwest::Client, server: &server::RunningServer) -> Option<String> {
    let response = call(client, server, CurrentUser::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("JSON");
    body["email"].as_str().map(str::to_owned)
}

async fn admin_page_status(client: &reqwest::Client, server: &server::RunningServer) -> StatusCode {
    client
        .get(url(server, "/admin"))
        .send()
        .await
        .expect("GET /admin")
        .status()
}

async fn visitors_are_sent_to_sign_in_and_come_back(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let client = client();
    let response = client
        .get(url(&server, "/admin/profile?tab=1"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin/login?next=%2Fadmin%2Fprofile%3Ftab%3D1");

    let response = call(
        &client,
        &server,
        app::accounts::api::Login::PATH,
        &[
            ("email", "ANA@clinic.org"),
            ("password", PASSWORD),
            ("next", "/admin/profile?tab=1"),
        ],
    )
    .await;
    assert_eq!(
        location(&response),
        "/admin/profile?tab=1",
        "back where the visitor wanted to go"
    );
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("vellum_session="))
        .expect("a session cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http site: {cookie}");
    assert!(cookie.contains("Max-Age=1209600"), "14 days: {cookie}");
    assert_eq!(admin_page_status(&client, &server).await, StatusCode::OK);
    assert_eq!(current_email(&client, &server).await.as_deref(), Some("ana@clinic.org"));

    let response = call(&client, &server, Logout::PATH, &[]).await;
    assert!(redirects(&response), "{}", response.status());
    assert_eq!(admin_page_status(&client, &server).await, StatusCode::SEE_OTHER);
    assert_eq!(current_email(&client, &server).await, None);
    server.stop().await.expect("stop");
}

async fn only_local_paths_are_followed_after_sign_in(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    for evil in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
        let response = call(
            &client(),
            &server,
            app::accounts::api::Login::PATH,
            &[("email", "ana@clinic.org"), ("password", PASSWORD), ("next", evil)],
        )
        .await;
        assert_eq!(location(&response), "/admin", "{evil} is not followed");
    }
    server.stop().await.expect("stop");
}

async fn every_failed_sign_in_looks_the_same(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let mut bodies = Vec::new();
    for (email, password) in [
        ("ana@clinic.org", "wrong password, long enough"),
        ("nobody@clinic.org", PASSWORD),
        ("not an email", PASSWORD),
    ] {
        let response = sign_in(&client(), &server, email, password).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        bodies.push(response.text().await.expect("body"));
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "{bodies:?}");
    assert!(bodies[0].contains("do not match an active account"), "{}", bodies[0]);
    server.stop().await.expect("stop");
}

async fn the_session_id_changes_at_sign_in(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let client = client();
    let first = sign_in(&client, &server, "ana@clinic.org", PASSWORD).await;
    let second = sign_in(&client, &server, "ana@clinic.org", PASSWORD).await;
    let session_id = |response: &reqwest::Response| {
        response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix("vellum_session=")
                    .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
            })
            .expect("session cookie")
    };
    assert_ne!(session_id(&first), session_id(&second));
    server.stop().await.expect("stop");
}

/// A sign-in from `address` (behind a trusted proxy).
async fn sign_in_from(server: &server::RunningServer, address: &str, email: &str, password: &str) -> reqwest::Response {
    client()
        .post(url(server, app::accounts::api::Login::PATH))
        .header("origin", format!("http://{}", server.addr))
        .header("x-forwarded-for", address)
        .form(&[("email", email), ("password", password), ("next", "/admin")])
        .send()
        .await
        .expect("POST")
}

async fn five_failures_lock_the_account_across_restarts(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    for _ in 0..5 {
        let response = sign_in(&client(), &server, "ana@clinic.org", "wrong password, long enough").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = sign_in(&client(), &server, "ana@clinic.org", PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry_after: u64 = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "too_many_requests");
    server.stop().await.expect("stop");

    let restarted = start(db).await;
    let response = sign_in(&client(), &restarted, "ana@clinic.org", PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a restart does not reset the count"
    );
    restarted.stop().await.expect("stop");
}

/// Someone else's wrong passwords keep only themselves out: the lockout is
/// per account *and* address, and an IPv6 /64 counts as one address.
async fn a_stranger_cannot_lock_the_owner_out(db: &TestDb) {
    let mut args = serve_args(db);
    args.trust_proxy = true;
    let server = server::start(&args).await.expect("start behind a proxy");
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    for n in 1..=5 {
        let stranger = format!("2001:db8:bad:1::{n}");
        let response = sign_in_from(&server, &stranger, "ana@clinic.org", "wrong password, long enough").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "guess {n}");
    }
    let response = sign_in_from(
        &server,
        "2001:db8:bad:1:ffff::9",
        "ana@clinic.org",
        "another guess, long enough",
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "another address in the same /64 is the same stranger"
    );
    let response = sign_in_from(&server, "198.51.100.20", "ana@clinic.org", PASSWORD).await;
    assert!(
        redirects(&response),
        "the owner, elsewhere, still signs in: {}",
        response.status()
    );
    server.stop().await.expect("stop");
}

async fn a_successful_sign_in_resets_the_account_count(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    for round in 0..2 {
        for _ in 0..4 {
            let response = sign_in(&client(), &server, "ana@clinic.org", "wrong password, long enough").await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "round {round}");
        }
        let response = sign_in(&client(), &server, "ana@clinic.org", PASSWORD).await;
        assert!(redirects(&response), "round {round}: {}", response.status());
    }
    server.stop().await.expect("stop");
}

async fn twenty_failures_from_one_address_lock_it(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    for n in 0..20 {
        let email = format!("guess{n}@clinic.org");
        let response = sign_in(&client(), &server, &email, "wrong password, long enough").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = sign_in(&client(), &server, "ana@clinic.org", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    server.stop().await.expect("stop");
}

/// Behind a trusted proxy the address comes from X-Forwarded-For; without
/// that setting the header is ignored, so a client cannot dodge the limit
/// by inventing addresses.
async fn forwarded_addresses_count_only_behind_a_trusted_proxy(db: &TestDb) {
    let fail_from = |server: &server::RunningServer, forwarded: &'static str, email: String| {
        let request = client()
            .post(url(server, app::accounts::api::Login::PATH))
            .header("origin", format!("http://{}", server.addr))
            .header("x-forwarded-for", forwarded)
            .form(&[("email", email), ("password", "wrong password, long enough".to_owned())]);
        async move { request.send().await.expect("POST").status() }
    };
    let server = start(db).await;
    for n in 0..20 {
        let address = if n % 2 == 0 { "203.0.113.1" } else { "203.0.113.2" };
        assert_eq!(
            fail_from(&server, address, format!("guess{n}@clinic.org")).await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let status = fail_from(&server, "203.0.113.3", "new@clinic.org".into()).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "without a trusted proxy every attempt is 127.0.0.1"
    );
    server.stop().await.expect("stop");

    // The same database: its 21 failures so far are all from 127.0.0.1.
    let mut args = serve_args(db);
    args.trust_proxy = true;
    let server = server::start(&args).await.expect("start behind a proxy");
    for n in 0..20 {
        let status = fail_from(&server, "198.51.100.7", format!("other{n}@clinic.org")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {n}");
    }
    let status = fail_from(&server, "198.51.100.7", "more@clinic.org".into()).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the forwarded address is limited"
    );
    let status = fail_from(&server, "198.51.100.8", "more@clinic.org".into()).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another client behind the proxy is not"
    );
    server.stop().await.expect("stop");
}

async fn sessions_survive_a_restart(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let client = signed_in(&server, "ana@clinic.org").await;
    let address = server.addr;
    server.stop().await.expect("stop");
    let mut args = serve_args(db);
    args.addr = address;
    let restarted = server::start(&args).await.expect("restart on the same port");
    assert_eq!(
        current_email(&client, &restarted).await.as_deref(),
        Some("ana@clinic.org")
    );
    restarted.stop().await.expect("stop");
}

async fn deactivating_or_changing_a_role_ends_sessions(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let id = ana.id.to_string();

    let ana_client = signed_in(&server, "ana@clinic.org").await;
    let response = call(
        &admin,
        &server,
        ChangeRole::PATH,
        &[("user_id", &id), ("role", "editor")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        current_email(&ana_client, &server).await,
        None,
        "role change ends the session"
    );

    let ana_client = signed_in(&server, "ana@clinic.org").await;
    let response = call(
        &admin,
        &server,
        SetUserActive::PATH,
        &[("user_id", &id), ("active", "false")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        current_email(&ana_client, &server).await,
        None,
        "deactivation ends the session"
    );
    let response = sign_in(&client(), &server, "ana@clinic.org", PASSWORD).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a deactivated account cannot sign in"
    );

    let response = call(
        &admin,
        &server,
        SetUserActive::PATH,
        &[("user_id", &id), ("active", "true")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(redirects(
        &sign_in(&client(), &server, "ana@clinic.org", PASSWORD).await
    ));

    let response = call(
        &admin,
        &server,
        SetUserActive::PATH,
        &[("user_id", "0"), ("active", "false")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    server.stop().await.expect("stop");
}

async fn changing_the_password_ends_other_sessions_only(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let laptop = signed_in(&server, "ana@clinic.org").await;
    let phone = signed_in(&server, "ana@clinic.org").await;
    let new_password = "a different long passphrase";
    let response = call(
        &laptop,
        &server,
        ChangePassword::PATH,
        &[
            ("current_password", "not my password at all"),
            ("new_password", new_password),
            ("new_password_confirmation", new_password),
        ],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the current password is required"
    );
    let response = call(
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
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(current_email(&laptop, &server).await.as_deref(), Some("ana@clinic.org"));
    assert_eq!(current_email(&phone, &server).await, None);
    assert!(redirects(
        &sign_in(&client(), &server, "ana@clinic.org", new_password).await
    ));
    server.stop().await.expect("stop");
}

async fn the_setup_page_creates_the_first_admin_once(db: &TestDb) {
    let server = start(db).await;
    let token = server.state.config.setup_token.clone();
    assert!(!token.is_empty(), "a token exists while there are no users");
    let client = client();
    let page = client
        .get(url(&server, &format!("/admin/setup?token={token}")))
        .send()
        .await
        .expect("GET")
        .status();
    assert_eq!(page, StatusCode::OK);
    let guessed = client
        .get(url(&server, "/admin/setup?token=guess"))
        .send()
        .await
        .expect("GET")
        .status();
    assert_eq!(
        guessed,
        StatusCode::NOT_FOUND,
        "without the token there is no set-up page"
    );

    let form = |token: &str, password: &str| {
        vec![
            ("token".to_owned(), token.to_owned()),
            ("email".to_owned(), "admin@clinic.org".to_owned()),
            ("display_name".to_owned(), "Dr. Admin".to_owned()),
            ("password".to_owned(), password.to_owned()),
        ]
    };
    let post = |form: Vec<(String, String)>| {
        let client = client.clone();
        let url = url(&server, CompleteSetup::PATH);
        let origin = format!("http://{}", server.addr);
        async move {
            client
                .post(url)
                .header("origin", origin)
                .form(&form)
                .send()
                .await
                .expect("POST")
        }
    };
    let response = post(form("not-the-token", PASSWORD)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = post(form(&token, "password1234")).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a common password is refused"
    );
    assert!(response.text().await.expect("body").contains("common passwords"));
    let response = post(form(&token, PASSWORD)).await;
    assert!(redirects(&response), "{}", response.status());
    assert_eq!(
        current_email(&client, &server).await.as_deref(),
        Some("admin@clinic.org")
    );

    let page = client
        .get(url(&server, &format!("/admin/setup?token={token}")))
        .send()
        .await
        .expect("GET")
        .status();
    assert_eq!(page, StatusCode::NOT_FOUND, "the page is gone once a user exists");
    let response = post(form(&token, PASSWORD)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    server.stop().await.expect("stop");
}

async fn set_password_links_work_once(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let response = call(
        &admin,
        &server,
        CreateUser::PATH,
        &[
            ("email", "Ben@Clinic.org"),
            ("display_name", "Dr. Ben Okafor"),
            ("role", "editor"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let created: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(created["user"]["email"], "ben@clinic.org");
    assert_eq!(created["user"]["slug"], "dr-ben-okafor");
    let link = created["set_password_url"].as_str().expect("link").to_owned();
    let token = link.rsplit('/').next().expect("token").to_owned();
    assert!(link.starts_with("http://127.0.0.1:3000/admin/set-password/"), "{link}");

    let duplicate = call(
        &admin,
        &server,
        CreateUser::PATH,
        &[
            ("email", "ben@clinic.org"),
            ("display_name", "Ben Again"),
            ("role", "author"),
        ],
    )
    .await;
    assert_eq!(
        duplicate.status(),
        StatusCode::CONFLICT,
        "emails are unique without regard to case"
    );

    let page = client()
        .get(url(&server, &format!("/admin/set-password/{token}")))
        .send()
        .await
        .expect("GET")
        .status();
    assert_eq!(page, StatusCode::OK);
    let ben = client();
    let set = |password: &'static str, confirmation: &'static str| {
        let ben = ben.clone();
        let token = token.clone();
        let server_url = url(&server, SetPasswordWithToken::PATH);
        let origin = format!("http://{}", server.addr);
        async move {
            ben.post(server_url)
                .header("origin", origin)
                .form(&[
                    ("token", token.as_str()),
                    ("password", password),
                    ("password_confirmation", confirmation),
                ])
                .send()
                .await
                .expect("POST")
        }
    };
    let mismatch = set("a long new passphrase", "a long new passphrasE").await;
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = set("a long new passphrase", "a long new passphrase").await;
    assert!(redirects(&ok), "a typo did not use up the link: {}", ok.status());
    assert_eq!(current_email(&ben, &server).await.as_deref(), Some("ben@clinic.org"));
    let again = set("another long passphrase", "another long passphrase").await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY, "the link works once");
    server.stop().await.expect("stop");
}

/// The hourly clean-up forgets failures no limit counts any more, and
/// keeps the recent ones.
async fn the_hourly_clean_up_forgets_old_failures(db: &TestDb) {
    use app::accounts::server::throttle::FailureKey;
    let server = start(db).await;
    let store = &server.state.store;
    let key = FailureKey {
        email: "ana@clinic.org",
        address: "198.51.100.9",
    };
    let now = chrono::Utc::now();
    for minutes_ago in [90, 20, 2] {
        store
            .record_login_attempt(&key, now - chrono::Duration::minutes(minutes_ago))
            .await
            .expect("record");
    }
    server::hourly_cleanup(&server.state).await;
    let left = store
        .login_failures_since(&key, now - chrono::Duration::days(1))
        .await
        .expect("count");
    assert_eq!(left.pair, 1, "only the failure inside the window is kept");
    server.stop().await.expect("stop");
}

/// Invented set-password links are refused before any password is hashed
/// (the link is named as the problem, not the password), and one address
/// may try only so many.
async fn invented_set_password_links_are_cheap_and_limited(db: &TestDb) {
    let server = start(db).await;
    let attempt = |n: usize| {
        let request = client()
            .post(url(&server, SetPasswordWithToken::PATH))
            .header("origin", format!("http://{}", server.addr))
            .form(&[
                ("token", format!("invented-{n}")),
                ("password", "a long new passphrase".to_owned()),
                ("password_confirmation", "not the same at all".to_owned()),
            ]);
        async move { request.send().await.expect("POST") }
    };
    for n in 0..20 {
        let response = attempt(n).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "attempt {n}");
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert!(body["fields"]["token"].is_array(), "the link is checked first: {body}");
        assert!(body["fields"]["password_confirmation"].is_null(), "{body}");
    }
    let response = attempt(20).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get(RETRY_AFTER).is_some());
    assert_eq!(
        lockouts(&server).await,
        ["20 attempts from this address (the last with a set-password link): it waits up to 15 minutes"],
        "one entry for the lockout, none per guess"
    );
    server.stop().await.expect("stop");
}

/// The audit details of sign-in lockouts.
async fn lockouts(server: &server::RunningServer) -> Vec<String> {
    server
        .state
        .store
        .list_audit(&app::accounts::server::AuditFilter {
            action: Some(app::accounts::server::AuditAction::SignInFailed),
            limit: 100,
            ..app::accounts::server::AuditFilter::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .map(|row| row.detail)
        .collect()
}

/// Guessing the set-up link is limited per address like the rest, and
/// the rightful admin, from another address, still gets in.
async fn guessed_set_up_links_are_limited(db: &TestDb) {
    let config = serve_args(db);
    let server = server::start(&server::cli::ServeArgs {
        trust_proxy: true,
        ..config
    })
    .await
    .expect("server starts");
    let attempt = |token: String, from: &'static str| {
        let request = client()
            .post(url(&server, CompleteSetup::PATH))
            .header("origin", format!("http://{}", server.addr))
            .header("x-forwarded-for", from)
            .form(&[
                ("token", token),
                ("email", "admin@clinic.org".to_owned()),
                ("display_name", "Dr. Admin".to_owned()),
                ("password", PASSWORD.to_owned()),
            ]);
        async move { request.send().await.expect("POST") }
    };
    for n in 0..20 {
        let response = attempt(format!("guess-{n}"), "203.0.113.9").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "guess {n}");
    }
    let response = attempt("guess-20".into(), "203.0.113.9").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get(RETRY_AFTER).is_some());
    let token = server.state.config.setup_token.clone();
    let refused = attempt(token.clone(), "203.0.113.9").await;
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right link waits there"
    );
    let admin = attempt(token, "198.51.100.7").await;
    assert!(
        admin.status().is_success() || admin.status().is_redirection(),
        "{}",
        admin.status()
    );
    assert_eq!(server.state.store.count_users().await.expect("count"), 1);
    assert_eq!(
        lockouts(&server).await,
        ["20 attempts from this address (the last with a set-up link): it waits up to 15 minutes"]
    );
    server.stop().await.expect("stop");
}

async fn the_audit_log_records_account_events(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    // Five failures: one entry, for the lockout, not one per guess.
    for _ in 0..5 {
        let _ = sign_in(&client(), &server, "ana@clinic.org", "wrong password, long enough").await;
    }
    let admin = signed_in(&server, "admin@clinic.org").await;
    let id = ana.id.to_string();
    call(
        &admin,
        &server,
        ChangeRole::PATH,
        &[("user_id", &id), ("role", "editor")],
    )
    .await;
    call(
        &admin,
        &server,
        SetUserActive::PATH,
        &[("user_id", &id), ("active", "false")],
    )
    .await;
    call(
        &admin,
        &server,
        SetUserActive::PATH,
        &[("user_id", &id), ("active", "true")],
    )
    .await;

    let response = call(&admin, &server, AuditLog::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let entries: Vec<serde_json::Value> = response.json().await.expect("JSON");
    let actions: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        &actions[..5],
        [
            "reactivated",
            "deactivated",
            "role_changed",
            "sign_in",
            "sign_in_failed"
        ],
        "newest first"
    );
    assert!(actions.contains(&"user_created"));
    assert_eq!(actions.iter().filter(|action| **action == "sign_in_failed").count(), 1);
    assert!(
        entries[4]["detail"]
            .as_str()
            .is_some_and(|detail| detail.contains("5 failed sign-ins")),
        "{}",
        entries[4]
    );
    assert_eq!(entries[2]["actor"], "Admin");
    assert_eq!(entries[2]["target"], "Ana Ruiz");
    assert_eq!(entries[2]["detail"], "to editor");
    assert_eq!(entries[3]["address"], "127.0.0.1");

    let response = call(&admin, &server, AuditLog::PATH, &[("action", "deactivated")]).await;
    let filtered: Vec<serde_json::Value> = response.json().await.expect("JSON");
    assert_eq!(filtered.len(), 1);
    server.stop().await.expect("stop");
}

/// "Sign everyone out" ends every session, the admin's own too, on every
/// device; API tokens keep working; only admins may; the audit log says who.
async fn an_admin_signs_everyone_out_and_tokens_keep_working(db: &TestDb) {
    use app::accounts::api::SignEveryoneOut;
    let server = start(db).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let ana_phone = signed_in(&server, "ana@clinic.org").await;
    let maya = signed_in(&server, "maya@clinic.org").await;
    let token = crate::admin_api::token(&server, &ana, "Clinic website", "read").await;

    let refused = call(&maya, &server, SignEveryoneOut::PATH, &[]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "admins only");
    assert_eq!(current_email(&maya, &server).await.as_deref(), Some("maya@clinic.org"));

    // A request in flight while everyone is signed out writes its session
    // back when it ends: the rows as they were come back below.
    let sessions = if db.is_postgres() {
        "tower_sessions.session"
    } else {
        "tower_sessions"
    };
    db.raw_sql(&format!("CREATE TABLE sessions_before AS SELECT * FROM {sessions}"))
        .await;
    let done = call(&admin, &server, SignEveryoneOut::PATH, &[]).await;
    assert!(
        done.status().is_success() || done.status().is_redirection(),
        "{}",
        done.status()
    );
    db.raw_sql(&format!("INSERT INTO {sessions} SELECT * FROM sessions_before"))
        .await;
    for (who, client) in [
        ("the admin", &admin),
        ("Ana", &ana),
        ("Ana's phone", &ana_phone),
        ("Maya", &maya),
    ] {
        assert_eq!(current_email(client, &server).await, None, "{who} is signed out");
    }
    let with_token = client()
        .get(url(&server, "/api/v1/admin/posts"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    assert_eq!(with_token.status(), StatusCode::OK, "API tokens keep working");
    let audit = server
        .state
        .store
        .list_audit(&app::accounts::server::AuditFilter {
            action: Some(app::accounts::server::AuditAction::AllSessionsEnded),
            limit: 10,
            ..app::accounts::server::AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 1);
    // Signing in again works as ever.
    let again = signed_in(&server, "ana@clinic.org").await;
    assert_eq!(current_email(&again, &server).await.as_deref(), Some("ana@clinic.org"));
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    visitors_are_sent_to_sign_in_and_come_back,
    guessed_set_up_links_are_limited,
    an_admin_signs_everyone_out_and_tokens_keep_working,
    only_local_paths_are_followed_after_sign_in,
    every_failed_sign_in_looks_the_same,
    the_session_id_changes_at_sign_in,
    five_failures_lock_the_account_across_restarts,
    a_successful_sign_in_resets_the_account_count,
    a_stranger_cannot_lock_the_owner_out,
    invented_set_password_links_are_cheap_and_limited,
    the_hourly_clean_up_forgets_old_failures,
    twenty_failures_from_one_address_lock_it,
    forwarded_addresses_count_only_behind_a_trusted_proxy,
    sessions_survive_a_restart,
    deactivating_or_changing_a_role_ends_sessions,
    changing_the_password_ends_other_sessions_only,
    the_setup_page_creates_the_first_admin_once,
    set_password_links_work_once,
    the_audit_log_records_account_events,
);
