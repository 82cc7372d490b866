//! Passkeys over HTTP, on both databases, with a software passkey
//! (`passkey_device`): adding one on the profile, signing in with it and
//! no password, the challenge working once, and one plain message for a
//! passkey that is unknown, removed, from another site or answered on
//! another site's page.

use app::accounts::Role;
use app::accounts::api::CurrentUser;
use app::accounts::server::{AuditAction, AuditFilter};
use app::passkeys::api::{
    Challenge, FinishPasskeyRegistration, FinishPasskeySignIn, ListPasskeys, PasskeysEnabled, RemovePasskey,
    StartPasskeyRegistration, StartPasskeySignIn,
};
use app::passkeys::server::PASSKEY_SIGN_IN_FAILED;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;
use server::RunningServer;

use crate::passkey_device::Device;
use crate::support::TestDb;
use crate::{call, client, create_user, redirects, serve_args, signed_in, start};

/// The site as people reach it: a domain name (browsers refuse passkeys
/// for an IP address). The test's requests go to 127.0.0.1 all the same;
/// what the passkey signs names this origin.
const SITE: &str = "http://clinic.localhost:3000";
const OTHER_SITE: &str = "http://other.localhost:3000";

async fn start_at(db: &TestDb, site: &str) -> RunningServer {
    let mut args = serve_args(db);
    args.site_url = Some(site.to_owned());
    server::start(&args).await.expect("server starts")
}

async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = response.text().await.expect("body");
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

async fn challenge(response: reqwest::Response) -> Challenge {
    serde_json::from_value(json(response).await).expect("a challenge")
}

/// Adds a passkey made by `device` to the signed-in `client`'s account.
async fn add_passkey(client: &reqwest::Client, server: &RunningServer, device: &mut Device, name: &str, origin: &str) {
    let started = challenge(
        call(
            client,
            server,
            StartPasskeyRegistration::PATH,
            &[("name", name), ("confirmation", crate::PASSWORD)],
        )
        .await,
    )
    .await;
    let options: Value = serde_json::from_str(&started.options).expect("options");
    let selection = &options["authenticatorSelection"];
    assert_eq!(
        selection["residentKey"], "required",
        "a discoverable passkey: {options}"
    );
    assert_eq!(selection["userVerification"], "required", "{options}");
    let credential = device.register(&started.options, origin);
    let form = [
        ("ceremony", started.ceremony.as_str()),
        ("name", name),
        ("credential", credential.as_str()),
    ];
    let added = json(call(client, server, FinishPasskeyRegistration::PATH, &form).await).await;
    assert_eq!(added["name"], name);
}

/// A sign-in's first half, as the sign-in page asks for it.
async fn start_sign_in(client: &reqwest::Client, server: &RunningServer) -> Challenge {
    challenge(call(client, server, StartPasskeySignIn::PATH, &[]).await).await
}

async fn finish_sign_in(
    client: &reqwest::Client,
    server: &RunningServer,
    ceremony: &str,
    credential: &str,
) -> reqwest::Response {
    let form = [
        ("ceremony", ceremony),
        ("credential", credential),
        ("next", "/admin/profile"),
    ];
    call(client, server, FinishPasskeySignIn::PATH, &form).await
}

async fn current_email(client: &reqwest::Client, server: &RunningServer) -> Option<String> {
    json(call(client, server, CurrentUser::PATH, &[]).await).await["email"]
        .as_str()
        .map(str::to_owned)
}

/// Refused with exactly the one plain message, and nobody signed in.
async fn assert_refused(response: reqwest::Response, client: &reqwest::Client, server: &RunningServer, why: &str) {
    let status = response.status();
    let body: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
    assert_eq!(body["fields"]["passkey"][0], PASSKEY_SIGN_IN_FAILED, "{why}: {body}");
    assert_eq!(current_email(client, server).await, None, "{why}: nobody is signed in");
}

async fn audit_count(server: &RunningServer, action: AuditAction) -> usize {
    let filter = AuditFilter {
        action: Some(action),
        limit: 50,
        ..AuditFilter::default()
    };
    server.state.store.list_audit(&filter).await.expect("audit").len()
}

async fn a_passkey_signs_in_without_a_password(db: &TestDb) {
    let server = start_at(db, SITE).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let listed = json(call(&ana, &server, ListPasskeys::PATH, &[]).await).await;
    assert_eq!(listed["enabled"], true);
    assert_eq!(listed["passkeys"], serde_json::json!([]));

    let mut phone = Device::new("ana's phone");
    add_passkey(&ana, &server, &mut phone, "Phone", SITE).await;
    let listed = json(call(&ana, &server, ListPasskeys::PATH, &[]).await).await;
    assert_eq!(listed["passkeys"][0]["name"], "Phone");
    assert_eq!(listed["passkeys"][0]["last_used"], Value::Null);
    assert_eq!(audit_count(&server, AuditAction::PasskeyAdded).await, 1);

    // At the front desk: no email, no password.
    let desk = client();
    assert_eq!(json(call(&desk, &server, PasskeysEnabled::PATH, &[]).await).await, true);
    let started = start_sign_in(&desk, &server).await;
    let options: Value = serde_json::from_str(&started.options).expect("options");
    assert_eq!(
        options["rpId"], "clinic.localhost",
        "the passkey is bound to the site's host"
    );
    assert_eq!(options["userVerification"], "required");
    let credential = phone.sign_in(&started.options, SITE);
    let response = finish_sign_in(&desk, &server, &started.ceremony, &credential).await;
    assert!(redirects(&response), "{}", response.status());
    assert_eq!(
        response.headers()[reqwest::header::LOCATION],
        "/admin/profile",
        "on to where the person was going"
    );
    assert_eq!(current_email(&desk, &server).await.as_deref(), Some("ana@clinic.org"));
    assert_eq!(audit_count(&server, AuditAction::PasskeySignIn).await, 1);
    let listed = json(call(&desk, &server, ListPasskeys::PATH, &[]).await).await;
    assert!(listed["passkeys"][0]["last_used"].is_string(), "{listed}");

    // Signing in again works with the next signature (its counter moved on).
    let again = client();
    let started = start_sign_in(&again, &server).await;
    let credential = phone.sign_in(&started.options, SITE);
    assert!(redirects(
        &finish_sign_in(&again, &server, &started.ceremony, &credential).await
    ));
    server.stop().await.expect("stop");
}

async fn a_challenge_works_once(db: &TestDb) {
    let server = start_at(db, SITE).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let mut phone = Device::new("ana's phone");

    // A registration's answer sent twice adds the passkey once.
    let started = challenge(
        call(
            &ana,
            &server,
            StartPasskeyRegistration::PATH,
            &[("name", "Phone"), ("confirmation", crate::PASSWORD)],
        )
        .await,
    )
    .await;
    let credential = phone.register(&started.options, SITE);
    let form = [
        ("ceremony", started.ceremony.as_str()),
        ("name", "Phone"),
        ("credential", credential.as_str()),
    ];
    json(call(&ana, &server, FinishPasskeyRegistration::PATH, &form).await).await;
    let replayed = call(&ana, &server, FinishPasskeyRegistration::PATH, &form).await;
    assert_eq!(replayed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let listed = json(call(&ana, &server, ListPasskeys::PATH, &[]).await).await;
    assert_eq!(listed["passkeys"].as_array().map(Vec::len), Some(1));

    // A sign-in's answer, caught and sent again, signs nobody in.
    let desk = client();
    let started = start_sign_in(&desk, &server).await;
    let credential = phone.sign_in(&started.options, SITE);
    assert!(redirects(
        &finish_sign_in(&desk, &server, &started.ceremony, &credential).await
    ));
    let thief = client();
    let replayed = finish_sign_in(&thief, &server, &started.ceremony, &credential).await;
    assert_refused(replayed, &thief, &server, "a used challenge").await;
    server.stop().await.expect("stop");
}

async fn a_foreign_or_unknown_passkey_gets_one_plain_message(db: &TestDb) {
    let server = start_at(db, SITE).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let mut phone = Device::new("ana's phone");
    add_passkey(&ana, &server, &mut phone, "Phone", SITE).await;

    // A passkey made for another Vellum site (another host name).
    let other_db = TestDb::sqlite().await;
    let other = start_at(&other_db, OTHER_SITE).await;
    create_user(&other, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana_there = signed_in(&other, "ana@clinic.org").await;
    let mut elsewhere = Device::new("a passkey of the other site");
    add_passkey(&ana_there, &other, &mut elsewhere, "Phone", OTHER_SITE).await;
    let desk = client();
    let started = start_sign_in(&desk, &server).await;
    let credential = elsewhere.sign_in_anyway(&started.options, SITE);
    let response = finish_sign_in(&desk, &server, &started.ceremony, &credential).await;
    assert_refused(response, &desk, &server, "a passkey of another site").await;
    other.stop().await.expect("stop");
    other_db.cleanup().await;

    // Ana's own passkey, answering on a look-alike site's page.
    let started = start_sign_in(&desk, &server).await;
    let credential = phone.sign_in(&started.options, "http://clinic-login.localhost:3000");
    let response = finish_sign_in(&desk, &server, &started.ceremony, &credential).await;
    assert_refused(response, &desk, &server, "an answer given on another origin").await;

    // A made-up answer and a made-up challenge.
    let started = start_sign_in(&desk, &server).await;
    let response = finish_sign_in(&desk, &server, &started.ceremony, "{}").await;
    assert_refused(response, &desk, &server, "an answer that is no credential").await;
    let credential = phone.sign_in_anyway(&start_sign_in(&desk, &server).await.options, SITE);
    let response = finish_sign_in(&desk, &server, "no-such-ceremony", &credential).await;
    assert_refused(response, &desk, &server, "an unknown challenge").await;

    // A removed passkey.
    let listed = json(call(&ana, &server, ListPasskeys::PATH, &[]).await).await;
    let id = listed["passkeys"][0]["id"].as_i64().expect("id").to_string();
    let removed = call(&ana, &server, RemovePasskey::PATH, &[("id", id.as_str())]).await;
    assert_eq!(removed.status(), StatusCode::OK);
    assert_eq!(audit_count(&server, AuditAction::PasskeyRemoved).await, 1);
    let started = start_sign_in(&desk, &server).await;
    let credential = phone.sign_in(&started.options, SITE);
    let response = finish_sign_in(&desk, &server, &started.ceremony, &credential).await;
    assert_refused(response, &desk, &server, "a removed passkey").await;
    assert_eq!(audit_count(&server, AuditAction::PasskeySignIn).await, 0);
    server.stop().await.expect("stop");
}

async fn a_passkey_is_its_owners_alone(db: &TestDb) {
    let server = start_at(db, SITE).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "omar@clinic.org", "Omar Haddad", Role::Editor).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let omar = signed_in(&server, "omar@clinic.org").await;

    // Omar cannot finish the addition Ana started.
    let started = challenge(
        call(
            &ana,
            &server,
            StartPasskeyRegistration::PATH,
            &[("name", "Phone"), ("confirmation", crate::PASSWORD)],
        )
        .await,
    )
    .await;
    let credential = Device::new("omar's key").register(&started.options, SITE);
    let form = [
        ("ceremony", started.ceremony.as_str()),
        ("name", "Phone"),
        ("credential", credential.as_str()),
    ];
    let response = call(&omar, &server, FinishPasskeyRegistration::PATH, &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let listed = json(call(&omar, &server, ListPasskeys::PATH, &[]).await).await;
    assert_eq!(listed["passkeys"], serde_json::json!([]));

    // Nor remove Ana's passkey.
    let mut phone = Device::new("ana's phone");
    add_passkey(&ana, &server, &mut phone, "Phone", SITE).await;
    let listed = json(call(&ana, &server, ListPasskeys::PATH, &[]).await).await;
    let id = listed["passkeys"][0]["id"].as_i64().expect("id").to_string();
    let response = call(&omar, &server, RemovePasskey::PATH, &[("id", id.as_str())]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // A name is required, and checked before the browser is asked.
    let response = call(
        &ana,
        &server,
        StartPasskeyRegistration::PATH,
        &[("name", "  "), ("confirmation", crate::PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Adding one asks for the password (or an app code) again: a session
    // left open on a shared computer is not enough.
    let response = call(
        &ana,
        &server,
        StartPasskeyRegistration::PATH,
        &[("name", "Someone's phone"), ("confirmation", "not her password")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("body").contains("confirmation"));

    // A deactivated account's passkey signs nobody in.
    let audit = app::accounts::server::NewAuditEntry::new(AuditAction::Deactivated, None, None);
    let ana_id = server
        .state
        .store
        .user_by_email(&app::accounts::server::Email::parse("ana@clinic.org").expect("email"))
        .await
        .expect("query")
        .expect("ana")
        .id;
    server
        .state
        .store
        .set_active(ana_id, false, &audit)
        .await
        .expect("deactivate");
    let desk = client();
    let started = start_sign_in(&desk, &server).await;
    let credential = phone.sign_in(&started.options, SITE);
    let response = finish_sign_in(&desk, &server, &started.ceremony, &credential).await;
    assert_refused(response, &desk, &server, "a deactivated account").await;
    server.stop().await.expect("stop");
}

async fn failed_passkey_sign_ins_are_throttled_per_address(db: &TestDb) {
    let server = start_at(db, SITE).await;
    let desk = client();
    let mut last = StatusCode::OK;
    for attempt in 1..=21 {
        let response = finish_sign_in(&desk, &server, "made-up", "{}").await;
        last = response.status();
        if attempt <= 20 {
            assert_eq!(last, StatusCode::UNPROCESSABLE_ENTITY, "attempt {attempt}");
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "the 21st attempt waits");
    server.stop().await.expect("stop");
}

async fn a_site_without_a_domain_name_offers_no_passkeys(db: &TestDb) {
    // The tests' default site URL is http://127.0.0.1:3000.
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let desk = client();
    assert_eq!(
        json(call(&desk, &server, PasskeysEnabled::PATH, &[]).await).await,
        false
    );
    let response = call(&desk, &server, StartPasskeySignIn::PATH, &[]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let ana = signed_in(&server, "ana@clinic.org").await;
    let listed = json(call(&ana, &server, ListPasskeys::PATH, &[]).await).await;
    assert_eq!(listed["enabled"], false);
    server.stop().await.expect("stop");
}

async fn a_passkey_is_a_second_factor_and_an_admin_reset_removes_it(db: &TestDb) {
    use app::two_factor::api::{CODE_PAGE, ResetTwoFactor};
    let server = start_at(db, SITE).await;
    let ana_user = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let mut phone = Device::new("ana's phone");
    add_passkey(&ana, &server, &mut phone, "Phone", SITE).await;
    let state = &server.state;
    assert!(
        app::two_factor::server::has_second_factor(state, ana_user.id)
            .await
            .expect("query")
    );

    // Her password alone no longer signs her in: the code page waits,
    // and her passkey finishes the sign-in there.
    let desk = client();
    let response = crate::sign_in(&desk, &server, "ana@clinic.org", crate::PASSWORD).await;
    assert!(redirects(&response));
    assert_eq!(response.headers()[reqwest::header::LOCATION], CODE_PAGE);
    assert_eq!(
        current_email(&desk, &server).await,
        None,
        "not signed in after the password"
    );
    let started = start_sign_in(&desk, &server).await;
    let credential = phone.sign_in(&started.options, SITE);
    assert!(redirects(
        &finish_sign_in(&desk, &server, &started.ceremony, &credential).await
    ));
    assert_eq!(current_email(&desk, &server).await.as_deref(), Some("ana@clinic.org"));

    // A lost phone: an admin's reset removes her passkeys too.
    let admin = signed_in(&server, "admin@clinic.org").await;
    let id = ana_user.id.to_string();
    let response = call(&admin, &server, ResetTwoFactor::PATH, &[("user_id", id.as_str())]).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap_or_default()
    );
    assert!(
        !app::two_factor::server::has_second_factor(state, ana_user.id)
            .await
            .expect("query")
    );
    let started = start_sign_in(&desk, &server).await;
    let credential = phone.sign_in(&started.options, SITE);
    let stranger = client();
    let response = finish_sign_in(&stranger, &server, &started.ceremony, &credential).await;
    assert_refused(response, &stranger, &server, "a passkey removed by the reset").await;
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_passkey_signs_in_without_a_password,
    a_challenge_works_once,
    a_foreign_or_unknown_passkey_gets_one_plain_message,
    a_passkey_is_its_owners_alone,
    failed_passkey_sign_ins_are_throttled_per_address,
    a_site_without_a_domain_name_offers_no_passkeys,
    a_passkey_is_a_second_factor_and_an_admin_reset_removes_it,
);
