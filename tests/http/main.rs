//! The real server over real HTTP: started in-process on port 0 with a fresh
//! database (scenarios run on SQLite and PostgreSQL), plus the `vellum`
//! binary itself for the command line, logging and shutdown.

#[path = "../support/mod.rs"]
mod support;

mod accounts;
mod admin_api;
mod api;
mod assets;
mod authz;
mod backup;
mod binary;
mod blog;
mod cache;
mod cache_hits;
mod clinic;
mod demo;
mod deployment;
mod editor_roundtrip;
mod export;
mod feeds;
mod hang;
mod import;
mod import_real;
mod import_vellum;
mod mail;
mod mail_accounts;
mod media;
mod metrics;
mod newcomer;
mod operator;
mod page_rules;
mod pages;
mod passkey_device;
mod passkeys;
mod posts;
mod previews;
mod probes;
mod readiness;
mod renders;
mod review_cadence;
mod scheduling;
mod search;
mod security;
mod sessions;
mod site_files;
mod site_pages;
mod smtp;
mod sources;
mod two_factor;
mod webhooks;
mod workflow;

use std::path::PathBuf;

use app::accounts::Role;
use app::accounts::api::Login;
use app::accounts::server::User;
use leptos::server_fn::ServerFn;
use server::RunningServer;
use server::cli::{DatabaseArgs, ServeArgs};
use support::TestDb;

/// The options `vellum serve` would get, pointed at `db` and port 0.
/// A response header's value as text ("" when absent or not text).
pub fn header(response: &reqwest::Response, name: impl reqwest::header::AsHeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn serve_args(db: &TestDb) -> ServeArgs {
    ServeArgs {
        addr: "127.0.0.1:0".parse().expect("address"),
        site_url: None,
        database: DatabaseArgs {
            database_url: Some(db.url().to_owned()),
            data_dir: db.dir().to_path_buf(),
            create: false,
        },
        site_root: PathBuf::from("target/site"),
        demo: false,
        trust_proxy: false,
        cache_max_age: 0,
        public_cache_mb: 32,
        api_rate_limit: 600,
        api_token_rate_limit: 300,
        // The tests' webhook receivers listen on 127.0.0.1.
        webhooks_allow_private: true,
        media: server::cli::MediaArgs {
            media_store: String::new(),
            media_max_mb: 10,
            media_max_megapixels: 50,
        },
        api_cors_origins: vec!["*".to_owned()],
        smtp_url: None,
        mail_from: None,
        clock_offset_secs: 0,
        metrics_addr: None,
        metrics_token: None,
    }
}

pub async fn start(db: &TestDb) -> RunningServer {
    server::start(&serve_args(db)).await.expect("server starts")
}

/// `start`, with a clock the test moves.
pub async fn start_at(db: &TestDb, clock: &std::sync::Arc<app::clock::ManualClock>) -> RunningServer {
    let clock: std::sync::Arc<dyn app::clock::Clock> = clock.clone();
    server::start_with_clock(&serve_args(db), Some(clock))
        .await
        .expect("server starts")
}

/// `start_at`, without the webhook worker: the test sends due deliveries
/// itself with `server::webhooks::deliver_due`.
pub async fn start_delivering_by_hand(db: &TestDb, clock: &std::sync::Arc<app::clock::ManualClock>) -> RunningServer {
    let clock: std::sync::Arc<dyn app::clock::Clock> = clock.clone();
    server::start_delivering_by_hand(&serve_args(db), Some(clock))
        .await
        .expect("server starts")
}

/// The status of a page fetched by a reader (its body read and dropped).
pub async fn status_of(server: &RunningServer, path: &str) -> reqwest::StatusCode {
    let response = client().get(url(server, path)).send().await.expect("GET");
    let status = response.status();
    drop(response.text().await);
    status
}

/// A client that keeps cookies and does not follow redirects, so tests see
/// exactly what the server answered. A request that hangs fails the test
/// after a minute instead of stalling the run.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("HTTP client")
}

pub fn url(server: &RunningServer, path: &str) -> String {
    format!("http://{}{path}", server.addr)
}

/// A password that passes the rules, for test accounts.
pub const PASSWORD: &str = "correct horse battery staple";

/// Creates a user directly in the store, with `PASSWORD`.
pub async fn create_user(server: &RunningServer, email: &str, name: &str, role: Role) -> User {
    use app::accounts::server::{AuditAction, DisplayName, Email, NewAuditEntry, NewUser, Password, hash_password};
    let new_user = NewUser {
        email: Email::parse(email).expect("valid email"),
        display_name: DisplayName::parse(name).expect("valid name"),
        role,
        password_hash: Some(
            hash_password(Password::parse(PASSWORD).expect("valid"))
                .await
                .expect("hash"),
        ),
        password_link: None,
    };
    let audit = NewAuditEntry::new(AuditAction::UserCreated, None, None);
    server
        .state
        .store
        .create_user(&new_user, &audit)
        .await
        .expect("create user")
}

/// Calls a server function the way the admin's forms do: a same-origin
/// form POST with the client's cookies.
pub async fn call(
    client: &reqwest::Client,
    server: &RunningServer,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(url(server, path))
        .header("origin", format!("http://{}", server.addr))
        .form(form)
        .send()
        .await
        .expect("server function call")
}

pub async fn sign_in(
    client: &reqwest::Client,
    server: &RunningServer,
    email: &str,
    password: &str,
) -> reqwest::Response {
    call(
        client,
        server,
        Login::PATH,
        &[("email", email), ("password", password), ("next", "/admin")],
    )
    .await
}

/// A client with a fresh cookie jar, signed in as `email`.
pub async fn signed_in(server: &RunningServer, email: &str) -> reqwest::Client {
    let client = client();
    let response = sign_in(&client, server, email, PASSWORD).await;
    assert!(redirects(&response), "sign-in of {email}: {}", response.status());
    client
}

/// Server functions called by the admin's script answer a redirect with
/// 200 and a Location header (the script then navigates).
pub fn redirects(response: &reqwest::Response) -> bool {
    response.status().is_success() && response.headers().contains_key(reqwest::header::LOCATION)
}

/// The HTML of a page, fetched as an anonymous reader.
pub async fn page_html(server: &RunningServer, path: &str) -> String {
    client()
        .get(url(server, path))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body")
}

/// Changes the site's settings as an admin's save would (parsed, then
/// stored), without going through the form.
pub async fn change_settings(server: &RunningServer, change: impl FnOnce(&mut app::settings::SiteSettings)) {
    let mut settings = server.state.store.site_settings().await.expect("settings");
    change(&mut settings);
    let update = app::settings::server::SettingsUpdate::parse(&settings).expect("valid settings");
    server
        .state
        .store
        .update_site_settings(&update, None)
        .await
        .expect("save");
}

/// A public page without its JSON-LD blocks: data for search engines
/// (the site's organisation, an article), the only `<script>` elements
/// public pages may carry (browsers never run them).
pub fn without_json_ld(html: &str) -> String {
    const START: &str = r#"<script type="application/ld+json">"#;
    let mut rest = html;
    let mut kept = String::with_capacity(html.len());
    while let Some((before, after)) = rest.split_once(START) {
        kept.push_str(before);
        rest = after.split_once("</script>").map_or("", |(_, after)| after);
    }
    kept.push_str(rest);
    kept
}

/// Every JSON-LD block of a page, parsed.
pub fn json_ld_blocks(html: &str) -> Vec<serde_json::Value> {
    const START: &str = r#"<script type="application/ld+json">"#;
    html.split(START)
        .skip(1)
        .filter_map(|block| block.split_once("</script>"))
        .map(|(data, _)| serde_json::from_str(data).expect("JSON-LD is JSON"))
        .collect()
}
