//! CSRF protection and security headers.

use app::accounts::Role;
use app::accounts::api::UpdateProfile;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, SET_COOKIE};

use crate::support::TestDb;
use crate::{client, create_user, header, signed_in, start, url};

async fn cross_origin_writes_are_refused(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    let form = [
        ("display_name", "Hacked"),
        ("bio", ""),
        ("avatar_url", ""),
        ("credentials", ""),
    ];
    let post = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut request = ana.post(url(&server, UpdateProfile::PATH)).form(&form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };
    let evil = post(Some("https://evil.example"), None).await.expect("POST");
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let cross_site = post(None, Some("cross-site")).await.expect("POST");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let user = server.state.store.user_by_id(1).await.expect("read").expect("user");
    assert_eq!(user.display_name, "Ana Ruiz", "nothing changed");

    let same_origin = post(Some(&format!("http://{}", server.addr)), Some("same-origin"))
        .await
        .expect("POST");
    assert_eq!(same_origin.status(), StatusCode::OK);

    let anonymous = client()
        .post(url(&server, UpdateProfile::PATH))
        .form(&form)
        .send()
        .await
        .expect("POST");
    assert_eq!(
        anonymous.status(),
        StatusCode::UNAUTHORIZED,
        "not a browser (no Origin): no CSRF question, and still no access"
    );
    server.stop().await.expect("stop");
}

/// Login CSRF: a cross-site form must not sign a visitor in to someone
/// else's account, though it carries no session cookie.
async fn cross_site_forms_cannot_sign_anyone_in(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "mallory@clinic.org", "Mallory", Role::Author).await;
    let visitor = client();
    let response = visitor
        .post(url(&server, app::accounts::api::Login::PATH))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "mallory@clinic.org"), ("password", crate::PASSWORD)])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get(SET_COOKIE).is_none(), "no session was made");
    for path in [
        app::accounts::api::CompleteSetup::PATH,
        app::accounts::api::SetPasswordWithToken::PATH,
    ] {
        let response = visitor
            .post(url(&server, path))
            .header("origin", "null")
            .form(&[("token", "x")])
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let page = visitor.get(url(&server, "/admin")).send().await.expect("GET /admin");
    let location = header(&page, reqwest::header::LOCATION);
    assert!(location.starts_with("/admin/login"), "still signed out: {location}");
    server.stop().await.expect("stop");
}

async fn public_pages_never_touch_the_session(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana = signed_in(&server, "ana@clinic.org").await;
    for path in ["/", "/no-such-page", "/healthz"] {
        let response = ana.get(url(&server, path)).send().await.expect("GET");
        assert!(response.headers().get(SET_COOKIE).is_none(), "{path} sets no cookie");
    }
    let admin = ana.get(url(&server, "/admin")).send().await.expect("GET /admin");
    assert!(
        admin.headers().get(SET_COOKIE).is_some(),
        "admin pages renew the session"
    );
    // Read the streamed page to its end before stopping the server.
    admin.text().await.expect("the admin page");
    server.stop().await.expect("stop");
}

async fn every_response_carries_the_security_headers(db: &TestDb) {
    let server = start(db).await;
    let public = client().get(url(&server, "/")).send().await.expect("GET /");
    assert!(header(&public, CONTENT_SECURITY_POLICY).contains("script-src 'none'"));
    assert_eq!(header(&public, "x-content-type-options"), "nosniff");
    assert_eq!(header(&public, "referrer-policy"), "strict-origin-when-cross-origin");
    assert_eq!(header(&public, "x-frame-options"), "DENY");
    assert!(header(&public, CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"));
    assert!(header(&public, "permissions-policy").contains("camera=()"));
    assert_eq!(header(&public, "cross-origin-opener-policy"), "same-origin");
    assert!(public.headers().get(SET_COOKIE).is_none(), "public pages set no cookie");
    assert!(
        public.headers().get("strict-transport-security").is_none(),
        "plain http site"
    );

    let admin = client()
        .get(url(&server, "/admin/login"))
        .send()
        .await
        .expect("GET /admin/login");
    assert_eq!(header(&admin, CACHE_CONTROL), "private, no-store");
    assert_eq!(header(&admin, "x-frame-options"), "DENY");
    let csp = header(&admin, CONTENT_SECURITY_POLICY);
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = admin.text().await.expect("body");
    let scripts = html.matches("<script").count();
    let with_nonce = html.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(scripts > 0, "{html}");
    assert!(with_nonce >= scripts, "every inline script carries the nonce: {html}");
    server.stop().await.expect("stop");
}

async fn https_sites_get_secure_cookies_and_hsts(db: &TestDb) {
    let mut args = crate::serve_args(db);
    args.site_url = Some("https://journal.example.org".into());
    let server = server::start(&args).await.expect("start");
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let response = crate::sign_in(&client(), &server, "ana@clinic.org", crate::PASSWORD).await;
    let cookie = header(&response, SET_COOKIE);
    assert!(cookie.contains("Secure"), "{cookie}");
    let page = client().get(url(&server, "/")).send().await.expect("GET");
    assert!(header(&page, "strict-transport-security").starts_with("max-age="));
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    public_pages_never_touch_the_session,
    cross_origin_writes_are_refused,
    cross_site_forms_cannot_sign_anyone_in,
    every_response_carries_the_security_headers,
    https_sites_get_secure_cookies_and_hsts,
);
