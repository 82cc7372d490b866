//! Two-factor sign-in over HTTP, on both databases: setting up an
//! authenticator app on the profile, the sign-in's code page (codes made
//! here with totp-rs from the secret the page showed, as an app would),
//! codes that work once, recovery codes, throttling, the policy that sends
//! people to set one up first, turning it off, an admin's reset and
//! `vellum user reset-2fa`.

use std::sync::Arc;

use app::accounts::Role;
use app::accounts::api::{CurrentUser, ListUsers, Logout};
use app::accounts::server::{AuditAction, AuditFilter};
use app::clock::{Clock, ManualClock};
use app::posts::api::ListPosts;
use app::two_factor::api::{
    CODE_PAGE, ConfirmTotpSetup, GetTwoFactorStatus, ListSecondFactors, RenewRecoveryCodes, ResetTwoFactor, SETUP_PAGE,
    SaveTwoFactorPolicy, StartTotpSetup, TurnOffTotp, VerifySignInCode,
};
use chrono::{DateTime, Duration, Utc};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, RETRY_AFTER};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::support::TestDb;
use crate::{PASSWORD, call, client, create_user, sign_in, signed_in, start_at, url};

/// What the code page answers to every code that does not sign in.
const REFUSED: &str = app::two_factor::server::CODE_REFUSED;

/// The code an authenticator app shows at `at` for `secret` (as the page
/// showed it, in groups of four).
fn app_code(secret: &str, at: DateTime<Utc>) -> String {
    let bytes = Secret::Encoded(secret.replace(' ', "")).to_bytes().expect("base32");
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new())
        .expect("a valid secret")
        .generate(u64::try_from(at.timestamp()).expect("after 1970"))
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn json(response: reqwest::Response) -> serde_json::Value {
    response.json().await.expect("JSON")
}

/// A server with a clock the test moves, starting now.
async fn start_now(db: &TestDb) -> (server::RunningServer, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    (start_at(db, &clock).await, clock)
}

struct Enrolled {
    /// As the page shows it, in groups of four.
    secret: String,
    recovery_codes: Vec<String>,
}

/// Sets up an authenticator app for the signed-in `client`, as a person
/// on their profile does.
async fn enrol(server: &server::RunningServer, client: &reqwest::Client, clock: &ManualClock) -> Enrolled {
    let response = call(client, server, StartTotpSetup::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let setup = json(response).await;
    let secret = setup["secret"].as_str().expect("the secret").to_owned();
    let qr = setup["qr_svg"].as_str().expect("the QR code");
    assert!(qr.starts_with("<svg") && qr.ends_with("</svg>"), "{qr}");
    let code = app_code(&secret, clock.now());
    let response = call(client, server, ConfirmTotpSetup::PATH, &[("code", &code)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let recovery_codes: Vec<String> = json(response).await["codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|code| code.as_str().expect("text").to_owned())
        .collect();
    Enrolled { secret, recovery_codes }
}

/// The password step: the answer sends the browser to the code page, and
/// nobody is signed in yet.
async fn password_step(server: &server::RunningServer, email: &str) -> reqwest::Client {
    let client = client();
    let response = sign_in(&client, server, email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(location(&response), CODE_PAGE);
    assert_eq!(current_email(&client, server).await, None, "not signed in yet");
    client
}

async fn code_step(client: &reqwest::Client, server: &server::RunningServer, code: &str) -> reqwest::Response {
    call(client, server, VerifySignInCode::PATH, &[("code", code)]).await
}

/// The one plain refusal, on the code field.
async fn assert_refused(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(response).await;
    assert_eq!(body["fields"]["code"][0], REFUSED, "{body}");
}

async fn current_email(client: &reqwest::Client, server: &server::RunningServer) -> Option<String> {
    let body = json(call(client, server, CurrentUser::PATH, &[]).await).await;
    body["email"].as_str().map(str::to_owned)
}

async fn status(client: &reqwest::Client, server: &server::RunningServer) -> serde_json::Value {
    let response = call(client, server, GetTwoFactorStatus::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

/// The audit entries of `action`, newest first, as (actor, target, detail).
async fn audited(server: &server::RunningServer, action: AuditAction) -> Vec<(String, String, String)> {
    let filter = AuditFilter {
        action: Some(action),
        limit: 100,
        ..AuditFilter::default()
    };
    server
        .state
        .store
        .list_audit(&filter)
        .await
        .expect("audit")
        .into_iter()
        .map(|row| {
            (
                row.actor.unwrap_or_default(),
                row.target.unwrap_or_default(),
                row.detail,
            )
        })
        .collect()
}

async fn get(client: &reqwest::Client, server: &server::RunningServer, path: &str) -> reqwest::Response {
    client.get(url(server, path)).send().await.expect("GET")
}

async fn an_app_is_set_up_with_a_first_code_and_asked_for_at_sign_in(db: &TestDb) {
    let (server, clock) = start_now(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let profile = get(&ana, &server, "/admin/profile").await.text().await.expect("page");
    assert!(profile.contains("Two-factor sign-in"), "the profile offers it");

    // A code that is not the app's now sets nothing up.
    let response = call(&ana, &server, StartTotpSetup::PATH, &[]).await;
    let secret = json(response).await["secret"].as_str().expect("secret").to_owned();
    let stale = app_code(&secret, clock.now() - Duration::minutes(10));
    let response = call(&ana, &server, ConfirmTotpSetup::PATH, &[("code", &stale)]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status(&ana, &server).await["enabled"], false);

    let enrolled = enrol(&server, &ana, &clock).await;
    assert_eq!(enrolled.recovery_codes.len(), 10);
    let mut distinct = enrolled.recovery_codes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10);
    let now_on = status(&ana, &server).await;
    assert_eq!(
        (now_on["enabled"].clone(), now_on["recovery_codes_left"].clone()),
        (true.into(), 10.into())
    );
    assert_eq!(audited(&server, AuditAction::TwoFactorEnabled).await.len(), 1);

    // The password alone no longer signs in.
    let browser = password_step(&server, "ana@clinic.org").await;
    let admin = get(&browser, &server, "/admin").await;
    assert_eq!(admin.status(), StatusCode::SEE_OTHER, "still a visitor");
    let page = get(&browser, &server, CODE_PAGE).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("page").contains("Enter your sign-in code"));
    // The code that confirmed the set-up does not work twice.
    let code = app_code(&enrolled.secret, clock.now());
    assert_refused(code_step(&browser, &server, &code).await).await;
    assert_eq!(current_email(&browser, &server).await, None);

    clock.advance(Duration::seconds(30));
    let code = app_code(&enrolled.secret, clock.now());
    let response = code_step(&browser, &server, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(location(&response), "/admin");
    assert_eq!(
        current_email(&browser, &server).await.as_deref(),
        Some("ana@clinic.org")
    );
    assert_eq!(get(&browser, &server, "/admin").await.status(), StatusCode::OK);
    let sign_ins = audited(&server, AuditAction::SignIn).await;
    assert!(sign_ins[0].2.contains("authenticator app"), "{sign_ins:?}");

    // That code again, in another browser: refused, and audited.
    let other = password_step(&server, "ana@clinic.org").await;
    assert_refused(code_step(&other, &server, &code).await).await;
    assert_eq!(current_email(&other, &server).await, None);
    let failures = audited(&server, AuditAction::TwoFactorFailed).await;
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert_eq!(failures[0].1, "Ana Ruiz");

    // The code page waits ten minutes for a code after the password.
    let late = password_step(&server, "ana@clinic.org").await;
    clock.advance(Duration::minutes(11));
    let code = app_code(&enrolled.secret, clock.now());
    assert_refused(code_step(&late, &server, &code).await).await;
    // A code with no password before it is refused the same way.
    assert_refused(code_step(&client(), &server, &code).await).await;
    server.stop().await.expect("stop");
}

async fn a_recovery_code_signs_in_once(db: &TestDb) {
    let (server, clock) = start_now(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let enrolled = enrol(&server, &ana, &clock).await;
    let code = enrolled.recovery_codes[3].clone();

    // Typed any way: upper case, without dashes.
    let browser = password_step(&server, "ana@clinic.org").await;
    let typed = code.to_uppercase().replace('-', " ");
    let response = code_step(&browser, &server, &typed).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(location(&response), "/admin");
    assert_eq!(
        current_email(&browser, &server).await.as_deref(),
        Some("ana@clinic.org")
    );
    assert_eq!(status(&browser, &server).await["recovery_codes_left"], 9);
    let used = audited(&server, AuditAction::RecoveryCodeUsed).await;
    assert_eq!(used.len(), 1);
    assert_eq!(used[0].1, "Ana Ruiz");

    let again = password_step(&server, "ana@clinic.org").await;
    assert_refused(code_step(&again, &server, &code).await).await;
    assert_eq!(current_email(&again, &server).await, None);
    // Another code still works.
    let response = code_step(&again, &server, &enrolled.recovery_codes[4]).await;
    assert_eq!(location(&response), "/admin");
    server.stop().await.expect("stop");
}

async fn codes_are_throttled_like_passwords(db: &TestDb) {
    let (server, clock) = start_now(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let enrolled = enrol(&server, &ana, &clock).await;
    clock.advance(Duration::seconds(30));

    let browser = password_step(&server, "ana@clinic.org").await;
    for guess in ["000000", "111111", "abcd-efgh-jkmn-pqrs", "123456", "999999"] {
        let guess = if app_code(&enrolled.secret, clock.now()) == guess {
            "222222"
        } else {
            guess
        };
        assert_refused(code_step(&browser, &server, guess).await).await;
    }
    // The sixth attempt waits, even with the right code.
    let right = app_code(&enrolled.secret, clock.now());
    let response = code_step(&browser, &server, &right).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(RETRY_AFTER));
    assert_eq!(current_email(&browser, &server).await, None);
    // Codes and passwords share the limit of this account from here.
    let response = sign_in(&client(), &server, "ana@clinic.org", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Others are not kept out.
    assert!(crate::redirects(
        &sign_in(&client(), &server, "ben@clinic.org", PASSWORD).await
    ));
    assert_eq!(
        audited(&server, AuditAction::TwoFactorFailed).await.len(),
        5,
        "each failed code"
    );

    clock.advance(Duration::minutes(16));
    let browser = password_step(&server, "ana@clinic.org").await;
    let response = code_step(&browser, &server, &app_code(&enrolled.secret, clock.now())).await;
    assert_eq!(location(&response), "/admin");
    server.stop().await.expect("stop");
}

async fn the_policy_sends_people_to_set_up_first(db: &TestDb) {
    let (server, clock) = start_now(db).await;
    create_user(&server, "admin@clinic.org", "Ada Admin", Role::Admin).await;
    create_user(&server, "editor@clinic.org", "Eve Editor", Role::Editor).await;
    create_user(&server, "author@clinic.org", "Art Author", Role::Author).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let author = signed_in(&server, "author@clinic.org").await;

    let response = call(
        &admin,
        &server,
        SaveTwoFactorPolicy::PATH,
        &[("policy", "editors_and_admins")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await, "editors_and_admins");
    let changes = audited(&server, AuditAction::SettingsChanged).await;
    assert!(
        changes[0]
            .2
            .contains("two-factor sign-in required of: Editors and admins"),
        "{changes:?}"
    );

    // The admin has no second factor either: from the next request on,
    // only the set-up and signing out work.
    assert_eq!(
        call(&admin, &server, ListUsers::PATH, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let page = get(&admin, &server, "/admin/users").await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&page), SETUP_PAGE);
    assert_eq!(get(&admin, &server, SETUP_PAGE).await.status(), StatusCode::OK);
    let export = admin
        .post(url(&server, app::export::EXPORT_PATH))
        .header("origin", url(&server, ""))
        .send()
        .await
        .expect("export");
    assert_eq!(export.status(), StatusCode::FORBIDDEN, "plain handlers refuse too");
    // Authors are not covered.
    assert_eq!(
        call(&author, &server, ListPosts::PATH, &[]).await.status(),
        StatusCode::OK
    );

    // An editor signing in goes to the set-up page, and nothing else works.
    let editor = client();
    let response = sign_in(&editor, &server, "editor@clinic.org", PASSWORD).await;
    assert_eq!(location(&response), SETUP_PAGE);
    assert_eq!(
        call(&editor, &server, ListPosts::PATH, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(location(&get(&editor, &server, "/admin").await), SETUP_PAGE);
    assert_eq!(
        current_email(&editor, &server).await.as_deref(),
        Some("editor@clinic.org")
    );
    let required = status(&editor, &server).await;
    assert_eq!(
        (required["required"].clone(), required["set_up_required"].clone()),
        (true.into(), true.into())
    );
    let enrolled = enrol(&server, &editor, &clock).await;
    assert_eq!(
        call(&editor, &server, ListPosts::PATH, &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(get(&editor, &server, "/admin").await.status(), StatusCode::OK);
    assert_eq!(status(&editor, &server).await["set_up_required"], false);

    // Signing out works before the set-up; the next sign-in asks a code.
    let response = call(&admin, &server, Logout::PATH, &[]).await;
    assert_eq!(location(&response), "/admin/login");
    clock.advance(Duration::seconds(30));
    let browser = password_step(&server, "editor@clinic.org").await;
    let response = code_step(&browser, &server, &app_code(&enrolled.secret, clock.now())).await;
    assert_eq!(location(&response), "/admin");
    server.stop().await.expect("stop");
}

async fn turning_it_off_or_renewing_codes_asks_a_code_or_the_password(db: &TestDb) {
    let (server, clock) = start_now(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let enrolled = enrol(&server, &ana, &clock).await;

    let response = call(
        &ana,
        &server,
        TurnOffTotp::PATH,
        &[("confirmation", "not my password at all")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json(response).await["fields"]["confirmation"][0]
            .as_str()
            .is_some_and(|message| message.contains("not correct"))
    );
    assert_eq!(status(&ana, &server).await["enabled"], true);
    assert_eq!(audited(&server, AuditAction::TwoFactorFailed).await.len(), 1);

    let response = call(&ana, &server, RenewRecoveryCodes::PATH, &[("confirmation", PASSWORD)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let renewed = json(response).await["codes"].as_array().expect("codes").clone();
    assert_eq!(renewed.len(), 10);
    assert_eq!(audited(&server, AuditAction::RecoveryCodesRenewed).await.len(), 1);
    let browser = password_step(&server, "ana@clinic.org").await;
    assert_refused(code_step(&browser, &server, &enrolled.recovery_codes[0]).await).await;
    let response = code_step(&browser, &server, renewed[0].as_str().expect("code")).await;
    assert_eq!(location(&response), "/admin");

    clock.advance(Duration::seconds(30));
    let code = app_code(&enrolled.secret, clock.now());
    let response = call(&ana, &server, TurnOffTotp::PATH, &[("confirmation", &code)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(status(&ana, &server).await["enabled"], false);
    let removed = audited(&server, AuditAction::TwoFactorDisabled).await;
    assert_eq!(removed.len(), 1);
    assert_eq!((removed[0].0.as_str(), removed[0].1.as_str()), ("Ana Ruiz", "Ana Ruiz"));
    // The password alone signs in again.
    let response = sign_in(&client(), &server, "ana@clinic.org", PASSWORD).await;
    assert_eq!(location(&response), "/admin");
    server.stop().await.expect("stop");
}

async fn an_admin_resets_someones_second_factor(db: &TestDb) {
    let (server, clock) = start_now(db).await;
    create_user(&server, "admin@clinic.org", "Ada Admin", Role::Admin).await;
    let ana_id = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor)
        .await
        .id;
    let ana = signed_in(&server, "ana@clinic.org").await;
    enrol(&server, &ana, &clock).await;
    let admin = signed_in(&server, "admin@clinic.org").await;

    let people = json(call(&admin, &server, ListSecondFactors::PATH, &[]).await).await;
    let row = |people: &serde_json::Value| {
        people
            .as_array()
            .expect("people")
            .iter()
            .find(|person| person["user_id"] == ana_id)
            .expect("Ana is listed")
            .clone()
    };
    assert_eq!(row(&people)["enabled"], true);
    let users_page = get(&admin, &server, "/admin/users").await.text().await.expect("page");
    assert!(users_page.contains("Two-factor sign-in"));

    let id = ana_id.to_string();
    let response = call(&admin, &server, ResetTwoFactor::PATH, &[("user_id", &id)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let resets = audited(&server, AuditAction::TwoFactorReset).await;
    assert_eq!(resets.len(), 1);
    assert_eq!((resets[0].0.as_str(), resets[0].1.as_str()), ("Ada Admin", "Ana Ruiz"));
    let people = json(call(&admin, &server, ListSecondFactors::PATH, &[]).await).await;
    assert_eq!(row(&people)["enabled"], false);
    // Ana signs in with her password alone now.
    let response = sign_in(&client(), &server, "ana@clinic.org", PASSWORD).await;
    assert_eq!(location(&response), "/admin");

    let again = call(&admin, &server, ResetTwoFactor::PATH, &[("user_id", &id)]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let nobody = call(&admin, &server, ResetTwoFactor::PATH, &[("user_id", "999999")]).await;
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);
    assert_eq!(audited(&server, AuditAction::TwoFactorReset).await.len(), 1);
    server.stop().await.expect("stop");
}

/// The person hears by email when their second factor is turned on and
/// when an admin resets it (email on, a real SMTP server).
async fn a_reset_is_told_by_email(db: &TestDb) {
    let mail = crate::mail::start_with_mail(db).await;
    let server = &mail.server;
    create_user(server, "admin@clinic.org", "Ada Admin", Role::Admin).await;
    let ana_id = create_user(server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await.id;
    let ana = signed_in(server, "ana@clinic.org").await;
    enrol(server, &ana, &mail.clock).await;
    let admin = signed_in(server, "admin@clinic.org").await;
    let response = call(
        &admin,
        server,
        ResetTwoFactor::PATH,
        &[("user_id", &ana_id.to_string())],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);

    mail.deliver().await;
    let messages = mail.sink.messages_to("ana@clinic.org");
    let subjects: Vec<String> = messages.iter().map(|message| message.subject()).collect();
    assert_eq!(
        subjects,
        ["Two-factor sign-in is on", "Your two-factor sign-in was reset"],
        "one notice each, to Ana alone"
    );
    assert!(
        messages[1].text().contains("Ada Admin reset the two-factor sign-in"),
        "{}",
        messages[1].text()
    );
    assert!(
        messages[1].text().contains("https://clinic.example/admin/profile"),
        "{}",
        messages[1].text()
    );
    assert!(mail.sink.messages_to("admin@clinic.org").is_empty());
    mail.server.stop().await.expect("stop");
}

/// A "Forgot password?" link proves the mailbox, not the second factor.
async fn a_reset_link_still_asks_for_the_code(db: &TestDb) {
    let mail = crate::mail::start_with_mail(db).await;
    let server = &mail.server;
    create_user(server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    let ana = signed_in(server, "ana@clinic.org").await;
    let enrolled = enrol(server, &ana, &mail.clock).await;
    let visitor = client();
    let asked = call(
        &visitor,
        server,
        app::accounts::api::RequestPasswordReset::PATH,
        &[("email", "ana@clinic.org")],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::OK);
    mail.deliver().await;
    let message = mail
        .sink
        .messages_to("ana@clinic.org")
        .into_iter()
        .last()
        .expect("the reset message");
    let link = message.link("https://clinic.example/admin/set-password/");
    let token = link.rsplit('/').next().expect("token").to_owned();
    let new_password = "a brand new long passphrase";
    let set = call(
        &visitor,
        server,
        app::accounts::api::SetPasswordWithToken::PATH,
        &[
            ("token", &token),
            ("password", new_password),
            ("password_confirmation", new_password),
        ],
    )
    .await;
    assert_eq!(set.status(), StatusCode::OK);
    assert_eq!(location(&set), CODE_PAGE, "the code page finishes the sign-in");
    assert_eq!(
        current_email(&visitor, server).await,
        None,
        "not signed in by the link alone"
    );
    mail.clock.advance(chrono::Duration::seconds(30));
    let code = app_code(&enrolled.secret, mail.clock.now());
    let signed = code_step(&visitor, server, &code).await;
    assert_eq!(signed.status(), StatusCode::OK);
    assert_eq!(current_email(&visitor, server).await.as_deref(), Some("ana@clinic.org"));
    mail.server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_reset_link_still_asks_for_the_code,
    a_reset_is_told_by_email,
    an_app_is_set_up_with_a_first_code_and_asked_for_at_sign_in,
    a_recovery_code_signs_in_once,
    codes_are_throttled_like_passwords,
    the_policy_sends_people_to_set_up_first,
    turning_it_off_or_renewing_codes_asks_a_code_or_the_password,
    an_admin_resets_someones_second_factor,
);

/// `vellum user reset-2fa` through the real binary.
#[tokio::test]
async fn the_command_line_resets_a_second_factor() {
    use app::store::model::two_factor::TotpConfirmation;
    use std::process::Stdio;

    let dir = tempfile::TempDir::new().expect("temporary folder");
    let mut add = crate::binary::vellum()
        .args([
            "user",
            "add",
            "--create",
            "--email",
            "ana@clinic.org",
            "--name",
            "Ana Ruiz",
        ])
        .env("VELLUM_DATA_DIR", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vellum user add");
    {
        use std::io::Write;
        let mut stdin = add.stdin.take().expect("stdin");
        stdin.write_all(format!("{PASSWORD}\n").as_bytes()).expect("password");
    }
    assert!(add.wait_with_output().expect("user add").status.success());

    let database = format!("sqlite://{}", dir.path().join("vellum.db").display());
    let store = app::store::connect(&database).await.expect("open");
    let email = app::accounts::server::Email::parse("ana@clinic.org").expect("email");
    let ana = store.user_by_email(&email).await.expect("query").expect("Ana");
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    assert!(store.begin_totp_setup(ana.id, secret, Utc::now()).await.expect("begin"));
    let codes: Vec<String> = (0..10).map(|n| format!("digest-{n}")).collect();
    let confirmation = TotpConfirmation {
        user_id: ana.id,
        secret,
        step: 1,
        recovery_digests: &codes,
        at: Utc::now(),
    };
    let enabled = app::accounts::server::NewAuditEntry::new(AuditAction::TwoFactorEnabled, Some(ana.id), Some(ana.id));
    assert!(store.confirm_totp(&confirmation, &enabled).await.expect("confirm"));
    store.close().await;

    let reset = |email: &str| {
        crate::binary::vellum()
            .args(["user", "reset-2fa", "--email", email])
            .env("VELLUM_DATA_DIR", dir.path())
            .output()
            .expect("run vellum user reset-2fa")
    };
    let output = reset("Ana@Clinic.org");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("Reset the second factor of Ana Ruiz <ana@clinic.org>"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let store = app::store::connect(&database).await.expect("open");
    assert!(!store.has_confirmed_totp(ana.id).await.expect("read"));
    assert_eq!(store.recovery_codes_left(ana.id).await.expect("count"), 0);
    let filter = AuditFilter {
        action: Some(AuditAction::TwoFactorReset),
        limit: 10,
        ..AuditFilter::default()
    };
    let entries = store.list_audit(&filter).await.expect("audit");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].detail, "from the command line");
    assert_eq!(entries[0].target.as_deref(), Some("Ana Ruiz"));
    store.close().await;

    let again = reset("ana@clinic.org");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("has no second factor; nothing changed"));
    let unknown = reset("nobody@clinic.org");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no user has this address"));
}
