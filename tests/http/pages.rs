use app::settings::api::GetSiteSettings;
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;

use crate::support::TestDb;
use crate::{client, page_html, serve_args, start, url};

fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn home_page_shows_the_site_title_without_any_script(db: &TestDb) {
    let server = start(db).await;
    let response = client().get(url(&server, "/")).send().await.expect("GET /");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(content_type(&response).starts_with("text/html"));
    let html = response.text().await.expect("body");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<title>Vellum</title>"), "{html}");
    assert!(html.contains("<h1>Vellum</h1>"), "{html}");
    assert!(
        !crate::without_json_ld(&html).contains("<script"),
        "public pages carry no script, only the JSON-LD data block: {html}"
    );
    assert!(!html.contains(".wasm"), "{html}");
    server.stop().await.expect("stop");
}

async fn changed_settings_show_on_the_next_page_view(db: &TestDb) {
    let server = start(db).await;
    crate::change_settings(&server, |settings| settings.title = "Lakeside <Clinic> & Co".into()).await;
    let html = page_html(&server, "/").await;
    assert!(
        html.contains("<h1>Lakeside &lt;Clinic&gt; &amp; Co</h1>"),
        "title is escaped: {html}"
    );
    server.stop().await.expect("stop");
}

async fn unknown_paths_get_an_html_404_page_with_a_search_box(db: &TestDb) {
    let server = start(db).await;
    let response = client().get(url(&server, "/no-such-page")).send().await.expect("GET");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(content_type(&response).starts_with("text/html"));
    let html = response.text().await.expect("body");
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains(r#"action="/search""#), "{html}");
    assert!(!crate::without_json_ld(&html).contains("<script"), "{html}");
    server.stop().await.expect("stop");
}

async fn admin_pages_load_the_wasm_bundle(db: &TestDb) {
    let server = start(db).await;
    let response = client()
        .get(url(&server, "/admin/login"))
        .send()
        .await
        .expect("GET /admin");
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("body");
    assert!(html.contains("/pkg/vellum.js"), "{html}");
    assert!(html.contains("/pkg/vellum.wasm"), "{html}");
    assert!(html.contains("noindex"), "the admin is never indexed: {html}");
    server.stop().await.expect("stop");
}

async fn the_settings_server_function_answers_json(db: &TestDb) {
    let server = start(db).await;
    let response = client()
        .post(url(&server, GetSiteSettings::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["title"], "Vellum");
    assert_eq!(body["time_zone"], "UTC");
    server.stop().await.expect("stop");
}

async fn demo_content_fills_a_new_database_only(db: &TestDb) {
    let mut args = serve_args(db);
    args.demo = true;
    let server = server::start(&args).await.expect("start");
    let html = page_html(&server, "/").await;
    assert!(html.contains("Riverside Family Clinic"), "{html}");
    crate::change_settings(&server, |settings| settings.title = "Our own title".into()).await;
    server.stop().await.expect("stop");

    let again = server::start(&args).await.expect("restart");
    let html = page_html(&again, "/").await;
    assert!(html.contains("Our own title"), "demo content never overwrites: {html}");
    again.stop().await.expect("stop");
}

async fn the_site_url_from_the_command_line_is_saved(db: &TestDb) {
    let mut args = serve_args(db);
    args.site_url = Some("https://journal.example.org/".into());
    let server = server::start(&args).await.expect("start");
    let settings = server.state.store.site_settings().await.expect("settings");
    assert_eq!(settings.site_url, "https://journal.example.org");
    server.stop().await.expect("stop");

    args.site_url = Some("journal.example.org".into());
    let Err(error) = server::start(&args).await else {
        panic!("a site URL without scheme is refused");
    };
    assert!(error.to_string().contains("VELLUM_SITE_URL"), "{error}");
}

crate::on_both_databases!(
    home_page_shows_the_site_title_without_any_script,
    changed_settings_show_on_the_next_page_view,
    unknown_paths_get_an_html_404_page_with_a_search_box,
    admin_pages_load_the_wasm_bundle,
    the_settings_server_function_answers_json,
    demo_content_fills_a_new_database_only,
    the_site_url_from_the_command_line_is_saved,
);

mod settings_page {
    use app::accounts::Role;
    use app::accounts::api::AuditLog;
    use app::settings::api::SaveSiteSettings;
    use leptos::server_fn::ServerFn;
    use reqwest::StatusCode;

    use crate::support::TestDb;
    use crate::{call, create_user, page_html, signed_in, start, url};

    async fn admins_change_the_settings_and_the_site_follows(db: &TestDb) {
        let server = start(db).await;
        create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
        let admin = signed_in(&server, "admin@clinic.org").await;
        let page = admin
            .get(url(&server, "/admin/settings"))
            .send()
            .await
            .expect("GET")
            .status();
        assert_eq!(page, StatusCode::OK);

        let mut form = vec![
            ("title", "Lakeside Clinic Journal"),
            ("description", "Articles by our doctors."),
            ("site_url", "https://journal.lakeside.example"),
            ("time_zone", "Mars/Olympus"),
            ("date_format", "%d.%m.%Y"),
        ];
        let refused = call(&admin, &server, SaveSiteSettings::PATH, &form).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = refused.json().await.expect("JSON");
        assert!(
            body["fields"]["time_zone"][0]
                .as_str()
                .unwrap_or_default()
                .contains("time zone"),
            "{body}"
        );
        let html = page_html(&server, "/").await;
        assert!(html.contains("<h1>Vellum</h1>"), "nothing saved from a refused form");

        form[3] = ("time_zone", "Europe/Berlin");
        let saved = call(&admin, &server, SaveSiteSettings::PATH, &form).await;
        assert_eq!(saved.status(), StatusCode::OK);
        let html = page_html(&server, "/").await;
        assert!(html.contains("<h1>Lakeside Clinic Journal</h1>"), "{html}");

        let audit = call(&admin, &server, AuditLog::PATH, &[("action", "settings_changed")]).await;
        let entries: Vec<serde_json::Value> = audit.json().await.expect("JSON");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["actor"], "Admin");
        server.stop().await.expect("stop");
    }

    async fn only_admins_open_the_settings_page(db: &TestDb) {
        let server = start(db).await;
        create_user(&server, "editor@clinic.org", "Editor", Role::Editor).await;
        let editor = signed_in(&server, "editor@clinic.org").await;
        let page = editor
            .get(url(&server, "/admin/settings"))
            .send()
            .await
            .expect("GET")
            .status();
        assert_eq!(page, StatusCode::FORBIDDEN);
        server.stop().await.expect("stop");
    }

    crate::on_both_databases!(
        admins_change_the_settings_and_the_site_follows,
        only_admins_open_the_settings_page
    );
}
