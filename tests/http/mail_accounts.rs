//! Accounts by email over real SMTP: "Forgot password?" (the same answer
//! for every address, a one-hour single-use link that ends every session,
//! throttled per address and per account), invitations sent and sent
//! again, and a change of address confirmed from the new one with a notice
//! to the old. Also what happens with email off. On both databases.

use app::accounts::Role;
use app::accounts::api::{
    ChangeEmail, ConfirmEmailChange, CreateUser, ListUsers, RequestPasswordReset, SendPasswordLink,
    SetPasswordWithToken,
};
use app::accounts::server::{AuditAction, AuditFilter};
use chrono::Duration;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;

use crate::mail::start_with_mail;
use crate::posts::json;
use crate::support::TestDb;
use crate::{PASSWORD, call, client, create_user, redirects, sign_in, signed_in, start};

const NEW_PASSWORD: &str = "a brand new long passphrase";

async fn forgot_password_sends_a_one_hour_link_that_works_once(db: &TestDb) {
    let mail = start_with_mail(db).await;
    let server = &mail.server;
    create_user(server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let elsewhere = signed_in(server, "ana@clinic.org").await;

    let visitor = client();
    let known = call(
        &visitor,
        server,
        RequestPasswordReset::PATH,
        &[("email", "Ana@Clinic.org")],
    )
    .await;
    let unknown = call(
        &visitor,
        server,
        RequestPasswordReset::PATH,
        &[("email", "nobody@clinic.org")],
    )
    .await;
    assert_eq!(known.status(), StatusCode::OK);
    assert_eq!(unknown.status(), StatusCode::OK);
    assert_eq!(
        known.text().await.expect("body"),
        unknown.text().await.expect("body"),
        "the same answer"
    );
    let malformed = call(
        &visitor,
        server,
        RequestPasswordReset::PATH,
        &[("email", "ana@\r\nclinic")],
    )
    .await;
    assert_eq!(
        malformed.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "refused on the field"
    );

    mail.deliver().await;
    assert_eq!(mail.sink.messages().len(), 1, "nothing for the unknown address");
    let message = &mail.sink.messages_to("ana@clinic.org")[0];
    assert_eq!(message.subject(), "Reset your password for Riverside Clinic");
    let link = message.link("https://clinic.example/admin/set-password/");
    let token = link.rsplit('/').next().expect("token").to_owned();
    let page = client()
        .get(format!("http://{}/admin/set-password/{token}", server.addr))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "the link's page opens without signing in"
    );

    let form = [
        ("token", token.as_str()),
        ("password", NEW_PASSWORD),
        ("password_confirmation", NEW_PASSWORD),
    ];
    let used = call(&visitor, server, SetPasswordWithToken::PATH, &form).await;
    assert!(redirects(&used), "{}", used.status());
    let again = call(&client(), server, SetPasswordWithToken::PATH, &form).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY, "a link works once");
    assert!(
        again
            .text()
            .await
            .expect("body")
            .contains("expired or was already used")
    );
    assert!(!redirects(
        &sign_in(&client(), server, "ana@clinic.org", PASSWORD).await
    ));
    assert!(redirects(
        &sign_in(&client(), server, "ana@clinic.org", NEW_PASSWORD).await
    ));
    let after = call(&elsewhere, server, ListUsers::PATH, &[]).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "every other session ended");

    // A link older than an hour is refused with the same plain message.
    call(
        &visitor,
        server,
        RequestPasswordReset::PATH,
        &[("email", "ana@clinic.org")],
    )
    .await;
    mail.deliver().await;
    let late = mail.sink.messages_to("ana@clinic.org")[1].link("https://clinic.example/admin/set-password/");
    let late_token = late.rsplit('/').next().expect("token");
    mail.clock.advance(Duration::minutes(61));
    let expired = call(
        &client(),
        server,
        SetPasswordWithToken::PATH,
        &[
            ("token", late_token),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
        ],
    )
    .await;
    assert_eq!(expired.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        expired
            .text()
            .await
            .expect("body")
            .contains("expired or was already used")
    );
    mail.server.stop().await.expect("stop");
}

async fn reset_requests_are_throttled_per_account_and_per_address(db: &TestDb) {
    let mail = start_with_mail(db).await;
    let server = &mail.server;
    create_user(server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let visitor = client();
    for _ in 0..5 {
        let answer = call(
            &visitor,
            server,
            RequestPasswordReset::PATH,
            &[("email", "ana@clinic.org")],
        )
        .await;
        assert_eq!(answer.status(), StatusCode::OK, "the same answer, sent or not");
    }
    mail.deliver().await;
    assert_eq!(
        mail.sink.messages_to("ana@clinic.org").len(),
        3,
        "three messages an hour at most"
    );
    let mut statuses = Vec::new();
    for n in 0..20 {
        let email = format!("someone{n}@clinic.org");
        statuses.push(
            call(&visitor, server, RequestPasswordReset::PATH, &[("email", &email)])
                .await
                .status(),
        );
    }
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        15,
        "twenty per address in 15 minutes"
    );
    mail.server.stop().await.expect("stop");
}

async fn invitations_are_emailed_and_can_be_sent_again(db: &TestDb) {
    let mail = start_with_mail(db).await;
    let server = &mail.server;
    create_user(server, "admin@clinic.org", "Ada Admin", Role::Admin).await;
    let admin = signed_in(server, "admin@clinic.org").await;
    let created = json(
        call(
            &admin,
            server,
            CreateUser::PATH,
            &[
                ("email", "nia@clinic.org"),
                ("display_name", "Nia Okafor"),
                ("role", "editor"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(created["emailed"], true);
    let id = created["user"]["id"].to_string();
    let resent = call(&admin, server, SendPasswordLink::PATH, &[("user_id", &id)]).await;
    assert_eq!(resent.status(), StatusCode::OK);
    mail.deliver().await;
    let received = mail.sink.messages_to("nia@clinic.org");
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].subject(), "Ada Admin invited you to Riverside Clinic");
    let first = received[0].link("https://clinic.example/admin/set-password/");
    let second = received[1].link("https://clinic.example/admin/set-password/");
    let set = |link: String| {
        let token = link.rsplit('/').next().expect("token").to_owned();
        async move {
            call(
                &client(),
                server,
                SetPasswordWithToken::PATH,
                &[
                    ("token", &token),
                    ("password", NEW_PASSWORD),
                    ("password_confirmation", NEW_PASSWORD),
                ],
            )
            .await
        }
    };
    assert_eq!(
        set(first).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the newer link replaced it"
    );
    assert!(redirects(&set(second).await));
    assert!(redirects(
        &sign_in(&client(), server, "nia@clinic.org", NEW_PASSWORD).await
    ));

    // A name with a line break in it (a header injection) is refused.
    let injected = call(
        &admin,
        server,
        CreateUser::PATH,
        &[
            ("email", "eve@clinic.org"),
            ("display_name", "Eve\r\nBcc: all@evil.example"),
            ("role", "author"),
        ],
    )
    .await;
    assert_eq!(injected.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(injected.text().await.expect("body").contains("display_name"));
    mail.server.stop().await.expect("stop");
}

async fn a_new_address_is_confirmed_from_itself_and_the_old_one_is_told(db: &TestDb) {
    let mail = start_with_mail(db).await;
    let server = &mail.server;
    create_user(server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(server, "maya@clinic.org", "Dr. Maya Patel", Role::Editor).await;
    let ana = signed_in(server, "ana@clinic.org").await;
    let wrong = call(
        &ana,
        server,
        ChangeEmail::PATH,
        &[("new_email", "ana@home.example"), ("password", "wrong one")],
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let taken = call(
        &ana,
        server,
        ChangeEmail::PATH,
        &[("new_email", "maya@clinic.org"), ("password", PASSWORD)],
    )
    .await;
    assert!(
        taken
            .text()
            .await
            .expect("body")
            .contains("Another account uses this address")
    );
    let injected = call(
        &ana,
        server,
        ChangeEmail::PATH,
        &[
            ("new_email", "ana@home.example\r\nBcc: x@evil.example"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(injected.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let asked = call(
        &ana,
        server,
        ChangeEmail::PATH,
        &[("new_email", "Ana@Home.example"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(json(asked).await, true, "a confirmation went out");
    mail.deliver().await;
    let notice = &mail.sink.messages_to("ana@clinic.org")[0];
    assert!(
        notice.text().contains("ana@home.example"),
        "the old address hears where to"
    );
    let confirmation = &mail.sink.messages_to("ana@home.example")[0];
    let link = confirmation.link("https://clinic.example/admin/confirm-email/");
    let token = link.rsplit('/').next().expect("token").to_owned();
    assert!(
        redirects(&sign_in(&client(), server, "ana@clinic.org", PASSWORD).await),
        "not changed yet"
    );

    let confirmed = call(&client(), server, ConfirmEmailChange::PATH, &[("token", &token)]).await;
    assert!(redirects(&confirmed), "{}", confirmed.status());
    assert!(redirects(
        &sign_in(&client(), server, "ana@home.example", PASSWORD).await
    ));
    assert!(!redirects(
        &sign_in(&client(), server, "ana@clinic.org", PASSWORD).await
    ));
    let reused = call(&client(), server, ConfirmEmailChange::PATH, &[("token", &token)]).await;
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reused
            .text()
            .await
            .expect("body")
            .contains("expired, was already used or is not valid")
    );
    let audit = server
        .state
        .store
        .list_audit(&AuditFilter {
            action: Some(AuditAction::EmailChanged),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 1);
    // Guessing links is throttled per client address.
    let guesser = client();
    let mut last = StatusCode::OK;
    for n in 0..25 {
        let guess = format!("{n:064x}");
        last = call(&guesser, server, ConfirmEmailChange::PATH, &[("token", &guess)])
            .await
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    mail.server.stop().await.expect("stop");
}

async fn with_email_off_links_are_shown_and_nothing_is_queued(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "admin@clinic.org", "Ada Admin", Role::Admin).await;
    let admin = signed_in(&server, "admin@clinic.org").await;
    let created = json(
        call(
            &admin,
            &server,
            CreateUser::PATH,
            &[
                ("email", "nia@clinic.org"),
                ("display_name", "Nia Okafor"),
                ("role", "editor"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(created["emailed"], false);
    assert!(
        created["set_password_url"]
            .as_str()
            .is_some_and(|url| url.contains("/admin/set-password/"))
    );
    let asked = call(
        &client(),
        &server,
        RequestPasswordReset::PATH,
        &[("email", "nia@clinic.org")],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::OK);
    assert_eq!(server.state.store.pending_mail().await.expect("count"), 0);
    let users_page = admin
        .get(format!("http://{}/admin/users", server.addr))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(
        users_page.contains("Email is off"),
        "the Users page says how to turn it on"
    );
    assert!(users_page.contains("VELLUM_SMTP_URL"));
    let settings_page = admin
        .get(format!("http://{}/admin/settings", server.addr))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(settings_page.contains("Email is off"), "so does the Settings page");
    assert!(settings_page.contains("VELLUM_SMTP_URL"));
    // Without email the change of address happens at once.
    let changed = call(
        &admin,
        &server,
        ChangeEmail::PATH,
        &[("new_email", "ada@clinic.org"), ("password", crate::PASSWORD)],
    )
    .await;
    assert_eq!(json(changed).await, false);
    assert!(redirects(
        &sign_in(&client(), &server, "ada@clinic.org", crate::PASSWORD).await
    ));
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    forgot_password_sends_a_one_hour_link_that_works_once,
    reset_requests_are_throttled_per_account_and_per_address,
    invitations_are_emailed_and_can_be_sent_again,
    a_new_address_is_confirmed_from_itself_and_the_old_one_is_told,
    with_email_off_links_are_shown_and_nothing_is_queued,
);
