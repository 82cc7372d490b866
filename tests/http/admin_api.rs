//! The admin API with personal API tokens: what a token may do is what its
//! owner may do, a read token only reads, revoked tokens and deactivated
//! owners are refused, cookies never count, and every answer matches the
//! OpenAPI document.

use app::accounts::Role;
use app::accounts::server::{AuditAction, NewAuditEntry};
use app::api_tokens::api::{CreateApiToken, ListApiTokens, RevokeApiToken};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::RunningServer;

use crate::api::{check_against_spec, spec};
use crate::support::TestDb;
use crate::{call, client, create_user, serve_args, signed_in, start, url};

/// Makes a token as the signed-in `owner`; returns its secret.
pub(crate) async fn token(server: &RunningServer, owner: &reqwest::Client, name: &str, scope: &str) -> String {
    let response = call(owner, server, CreateApiToken::PATH, &[("name", name), ("scope", scope)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let created: Value = response.json().await.expect("JSON");
    created["secret"].as_str().expect("secret").to_owned()
}

/// One admin API request with `token`, its answer checked against the spec.
pub(crate) async fn admin(
    server: &RunningServer,
    spec: &Value,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let method_name = method.to_uppercase();
    let mut request = client().request(method_name.parse().expect("method"), url(server, path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    check_against_spec(spec, method, path, status, &headers, &text);
    (status, headers, serde_json::from_str(&text).expect("JSON"))
}

async fn a_token_works_on_its_owners_drafts_and_nothing_more(db: &TestDb) {
    let server = start(db).await;
    let spec = spec(&server).await;
    // The document says what the server does: a draft's body is one closed
    // object, so client generators and fuzzers send no other names.
    for body in ["NewDraft", "DraftUpdate"] {
        let schema = &spec["components"]["schemas"][body];
        assert_eq!(schema["additionalProperties"], false, "{body}: {schema}");
        for field in ["title", "markdown", "tags", "show_review"] {
            assert!(
                schema["properties"][field].is_object(),
                "{body} lacks {field}: {schema}"
            );
        }
    }
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    create_user(&server, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    create_user(&server, "admin@clinic.org", "Admin", Role::Admin).await;
    let ana_client = signed_in(&server, "ana@clinic.org").await;
    let ben_client = signed_in(&server, "ben@clinic.org").await;
    let maya_client = signed_in(&server, "maya@clinic.org").await;
    let write = token(&server, &ana_client, "Import script", "write").await;
    let read = token(&server, &ana_client, "Dashboard", "read").await;
    let ben = token(&server, &ben_client, "Ben's script", "write").await;
    let maya = token(&server, &maya_client, "Review bot", "read").await;

    // Stored as digests only, and never listed again.
    let listed = call(&ana_client, &server, ListApiTokens::PATH, &[]).await;
    let listed = listed.text().await.expect("body");
    assert!(!listed.contains(&write) && listed.contains("Import script"), "{listed}");
    let sql = "SELECT token_hash FROM api_tokens";
    let hashes: Vec<String> = if db.is_postgres() {
        let pool = sqlx::PgPool::connect(db.url()).await.expect("connect");
        sqlx::query_scalar(sql).fetch_all(&pool).await.expect("hashes")
    } else {
        let pool = sqlx::SqlitePool::connect(db.url()).await.expect("connect");
        sqlx::query_scalar(sql).fetch_all(&pool).await.expect("hashes")
    };
    assert_eq!(hashes.len(), 4);
    assert!(
        hashes.contains(&app::accounts::server::token_digest(&write)),
        "the digest is kept"
    );
    assert!(
        hashes.iter().all(|hash| !hash.contains(&write["vellum_pat_".len()..])),
        "the token is not"
    );

    // No token, a made-up one, or a session cookie: 401.
    let (status, headers, problem) = admin(&server, &spec, "get", "/api/v1/admin/posts", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["code"], "token_required");
    assert_eq!(headers["cache-control"], "private, no-store");
    assert_eq!(headers["www-authenticate"], "Bearer");
    let (status, ..) = admin(
        &server,
        &spec,
        "get",
        "/api/v1/admin/posts",
        Some("vellum_pat_00"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let with_cookie = ana_client
        .get(url(&server, "/api/v1/admin/posts"))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        with_cookie.status(),
        StatusCode::UNAUTHORIZED,
        "cookies do not open the admin API"
    );

    // Create, read, list and update a draft.
    let draft = json!({ "title": "Sleep and screens", "markdown": "Blue light, briefly.", "tags": ["Sleep"] });
    let (status, _, post) = admin(&server, &spec, "post", "/api/v1/admin/posts", Some(&write), Some(draft)).await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    assert_eq!(post["status"], "draft");
    assert_eq!(post["markdown"], "Blue light, briefly.");
    assert_eq!(post["tags"], json!(["Sleep"]));
    assert_eq!(post["authors"][0]["id"], ana.id);
    let id = post["id"].as_i64().expect("id");
    let path = format!("/api/v1/admin/posts/{id}");
    let (status, _, list) = admin(
        &server,
        &spec,
        "get",
        "/api/v1/admin/posts?status=draft",
        Some(&read),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["posts"][0]["title"], "Sleep and screens");
    let version = post["version"].as_i64().expect("version");
    let (status, _, saved) = admin(
        &server,
        &spec,
        "patch",
        &path,
        Some(&write),
        Some(json!({ "version": version, "markdown": "Blue light, explained." })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["markdown"], "Blue light, explained.");
    assert_eq!(saved["title"], "Sleep and screens", "fields left out stay");
    assert_eq!(saved["tags"], json!(["Sleep"]));

    // A stale version, bad fields and bad bodies are told apart.
    let (status, _, problem) = admin(
        &server,
        &spec,
        "patch",
        &path,
        Some(&write),
        Some(json!({ "version": version, "markdown": "Older" })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let current = saved["version"].as_i64().expect("version");
    let (status, _, problem) = admin(
        &server,
        &spec,
        "patch",
        &path,
        Some(&write),
        Some(json!({ "version": current, "title": "  " })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["errors"]["title"].is_array(), "{problem}");
    let (status, _, problem) = admin(
        &server,
        &spec,
        "patch",
        &path,
        Some(&write),
        Some(json!({ "version": current, "colour": "blue" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "invalid_body");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|detail| detail.contains("`colour`")),
        "{problem}"
    );
    let (status, _, problem) = admin(
        &server,
        &spec,
        "post",
        "/api/v1/admin/posts",
        Some(&write),
        Some(json!({ "title": "Painted", "markdown": "Text", "colour": "blue" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|detail| detail.contains("`colour`")),
        "{problem}"
    );
    let (status, ..) = admin(
        &server,
        &spec,
        "get",
        "/api/v1/admin/posts?status=lost",
        Some(&read),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A refused new draft leaves nothing behind; a tag with a comma is
    // refused, not split.
    let (status, _, problem) = admin(
        &server,
        &spec,
        "post",
        "/api/v1/admin/posts",
        Some(&write),
        Some(json!({ "title": "Half a draft", "cover_url": "https://images.example.org/a.jpg" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem["errors"]["cover_alt"].is_array(), "{problem}");
    let (status, _, problem) = admin(
        &server,
        &spec,
        "post",
        "/api/v1/admin/posts",
        Some(&write),
        Some(json!({ "title": "Tagged", "tags": ["Sleep, Health"] })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem["errors"]["tags"].is_array(), "{problem}");
    let (_, _, all) = admin(&server, &spec, "get", "/api/v1/admin/posts", Some(&read), None).await;
    assert_eq!(
        all["posts"].as_array().map(Vec::len),
        Some(1),
        "only the first draft exists: {all}"
    );

    // A read token reads only; another author's token finds nothing.
    let (status, ..) = admin(
        &server,
        &spec,
        "post",
        "/api/v1/admin/posts",
        Some(&read),
        Some(json!({ "title": "No" })),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let change = json!({ "version": current, "markdown": "Read tokens cannot" });
    let (status, ..) = admin(&server, &spec, "patch", &path, Some(&read), Some(change)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let submit_path = format!("{path}/submit");
    let version = json!({ "version": current });
    let (status, ..) = admin(&server, &spec, "post", &submit_path, Some(&read), Some(version.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, ..) = admin(&server, &spec, "post", &submit_path, Some(&ben), Some(version)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nobody submits another author's draft");
    let (status, ..) = admin(&server, &spec, "get", &path, Some(&ben), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, ..) = admin(
        &server,
        &spec,
        "patch",
        &path,
        Some(&ben),
        Some(json!({ "version": current, "markdown": "Mine now" })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, bens) = admin(&server, &spec, "get", "/api/v1/admin/posts", Some(&ben), None).await;
    assert_eq!(bens["posts"], json!([]));
    // An editor's token sees what editors see.
    let (status, ..) = admin(&server, &spec, "get", &path, Some(&maya), None).await;
    assert_eq!(status, StatusCode::OK);

    // Submitting: then the author waits for the review.
    let submit = format!("{path}/submit");
    let (status, _, submitted) = admin(
        &server,
        &spec,
        "post",
        &submit,
        Some(&write),
        Some(json!({ "version": current })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    assert_eq!(submitted["status"], "in_review");
    let (status, ..) = admin(
        &server,
        &spec,
        "patch",
        &path,
        Some(&write),
        Some(json!({ "version": submitted["version"], "markdown": "Sneaky" })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Last use is shown; a revoked token stops at once.
    let listed: Value = call(&ana_client, &server, ListApiTokens::PATH, &[])
        .await
        .json()
        .await
        .expect("JSON");
    let import = listed
        .as_array()
        .expect("tokens")
        .iter()
        .find(|token| token["name"] == "Import script")
        .expect("listed");
    assert!(import["last_used"].is_string(), "{import}");
    let token_id = import["id"].to_string();
    let other = call(&ben_client, &server, RevokeApiToken::PATH, &[("id", &token_id)]).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND, "nobody revokes another's token");
    let revoked = call(&ana_client, &server, RevokeApiToken::PATH, &[("id", &token_id)]).await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let (status, ..) = admin(&server, &spec, "get", &path, Some(&write), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A password change ends older tokens, as it ends sessions.
    let maya_user = server
        .state
        .store
        .user_by_email(&app::accounts::server::Email::parse("maya@clinic.org").expect("email"))
        .await
        .expect("query")
        .expect("maya");
    let (status, ..) = admin(&server, &spec, "get", &path, Some(&maya), None).await;
    assert_eq!(status, StatusCode::OK);
    let audit = NewAuditEntry::new(AuditAction::PasswordChanged, Some(maya_user.id), Some(maya_user.id));
    let hash = maya_user.password_hash.clone().unwrap_or_default();
    server
        .state
        .store
        .set_password(maya_user.id, &hash, &audit)
        .await
        .expect("new password");
    let (status, ..) = admin(&server, &spec, "get", &path, Some(&maya), None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a token from before the password change"
    );

    // A deactivated owner's tokens stop too.
    let audit = NewAuditEntry::new(AuditAction::Deactivated, None, Some(ana.id));
    server
        .state
        .store
        .set_active(ana.id, false, &audit)
        .await
        .expect("deactivate");
    let (status, ..) = admin(&server, &spec, "get", &path, Some(&read), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.stop().await.expect("stop");
}

async fn bearer_requests_skip_the_origin_check_and_are_not_shared_with_other_origins(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana_client = signed_in(&server, "ana@clinic.org").await;
    let write = token(&server, &ana_client, "Site", "write").await;
    let response = client()
        .post(url(&server, "/api/v1/admin/posts"))
        .header("origin", "https://elsewhere.example")
        .bearer_auth(&write)
        .json(&json!({ "title": "From a script" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(
        response.headers().get("access-control-allow-origin").is_none(),
        "the admin API is closed to other origins' scripts"
    );
    // The same origin with the session cookie on a server function: refused.
    let forged = ana_client
        .post(url(&server, CreateApiToken::PATH))
        .header("origin", "https://elsewhere.example")
        .form(&[("name", "Forged"), ("scope", "write")])
        .send()
        .await
        .expect("POST");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    server.stop().await.expect("stop");
}

async fn each_token_has_its_own_rate_limit(db: &TestDb) {
    let args = server::cli::ServeArgs {
        api_token_rate_limit: 3,
        ..serve_args(db)
    };
    let server = server::start(&args).await.expect("server starts");
    let spec = spec(&server).await;
    create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ana_client = signed_in(&server, "ana@clinic.org").await;
    let busy = token(&server, &ana_client, "Busy", "read").await;
    let calm = token(&server, &ana_client, "Calm", "read").await;
    for _ in 0..2 {
        let (status, ..) = admin(&server, &spec, "get", "/api/v1/admin/posts", Some(&busy), None).await;
        assert_eq!(status, StatusCode::OK);
    }
    // The scheme in another case is the same token, and counts as such.
    let other_spelling = client()
        .get(url(&server, "/api/v1/admin/posts"))
        .header("authorization", format!("bearer  {busy}"))
        .send()
        .await
        .expect("GET");
    assert_eq!(other_spelling.status(), StatusCode::OK);
    let (status, headers, problem) = admin(&server, &spec, "get", "/api/v1/admin/posts", Some(&busy), None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert!(headers.contains_key("retry-after"));
    let (status, ..) = admin(&server, &spec, "get", "/api/v1/admin/posts", Some(&calm), None).await;
    assert_eq!(status, StatusCode::OK, "another token is not held back");
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    a_token_works_on_its_owners_drafts_and_nothing_more,
    bearer_requests_skip_the_origin_check_and_are_not_shared_with_other_origins,
    each_token_has_its_own_rate_limit
);
