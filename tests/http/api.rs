//! The public content API: contracts of every endpoint, checked against
//! the OpenAPI document the server publishes, plus its HTTP behaviour
//! (problem details, ETag and 304, CORS, compression).

use std::sync::Arc;

use app::accounts::Role;
use app::clock::ManualClock;
use app::posts::workflow::PostStatus;
use chrono::Duration;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use server::RunningServer;

use crate::blog::{TestPost, noon, post_as, post_with};
use crate::support::TestDb;
use crate::{client, create_user, start_at, url};

/// The OpenAPI document as the server publishes it.
pub(crate) async fn spec(server: &RunningServer) -> Value {
    let response = client()
        .get(url(server, "/api/v1/openapi.json"))
        .send()
        .await
        .expect("GET openapi.json");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("the spec is JSON")
}

/// The spec's path template that `path` (without its query) falls under.
fn template_of<'a>(spec: &'a Value, path: &str) -> Option<&'a str> {
    let segments: Vec<&str> = path.split('/').collect();
    spec["paths"].as_object()?.keys().map(String::as_str).find(|template| {
        let parts: Vec<&str> = template.split('/').collect();
        parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(part, segment)| part.starts_with('{') || part == segment)
    })
}

/// Checks a response against what the spec documents for its path and
/// status: the status must be listed, and a body must match its schema.
pub(crate) fn check_against_spec(
    spec: &Value,
    method: &str,
    path: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
) {
    let bare = path.split('?').next().unwrap_or(path);
    let template = template_of(spec, bare).unwrap_or_else(|| panic!("{bare} is not in the spec"));
    let responses = &spec["paths"][template][method]["responses"];
    let documented = &responses[status.as_str()];
    assert!(
        documented.is_object(),
        "{path}: status {status} is not documented for {template}"
    );
    if status == StatusCode::NOT_MODIFIED {
        return;
    }
    let content_type = headers
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let (media, content) = documented["content"]
        .as_object()
        .and_then(|content| content.iter().next())
        .unwrap_or_else(|| panic!("{path}: no content documented for {status}"));
    assert!(
        content_type.starts_with(media.as_str()),
        "{path}: content type {content_type}, documented {media}"
    );
    let instance: Value = serde_json::from_str(body).expect("the body is JSON");
    let errors = schema_errors(spec, &content["schema"], &instance);
    assert!(
        errors.is_empty(),
        "{path}: the body breaks the spec: {errors:?}\n{body}"
    );
}

/// How `instance` breaks `schema`, a schema of the spec.
fn schema_errors(spec: &Value, schema: &Value, instance: &Value) -> Vec<String> {
    let mut schema = schema.clone();
    // References point into the document's components; keep them in reach.
    schema["components"] = spec["components"].clone();
    let validator = jsonschema::validator_for(&schema).expect("the documented schema compiles");
    validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path))
        .collect()
}

/// GETs an API path and checks the answer against the spec.
pub(crate) async fn api(server: &RunningServer, spec: &Value, path: &str) -> (StatusCode, HeaderMap, Value) {
    let response = client().get(url(server, path)).send().await.expect("GET");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.expect("body");
    check_against_spec(spec, "get", path, status, &headers, &body);
    (status, headers, serde_json::from_str(&body).expect("JSON"))
}

fn titles(list: &Value) -> Vec<String> {
    list["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .map(|post| post["title"].as_str().expect("title").to_owned())
        .collect()
}

async fn posts_are_listed_page_by_page_with_filters_and_links(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let spec = spec(&server).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    let ben = create_user(&server, "ben@clinic.org", "Ben Okafor", Role::Author).await;
    for n in 1..=12 {
        let tags = if n % 2 == 0 { "Sleep" } else { "Heart" };
        let author = if n <= 9 { &ana } else { &ben };
        let at = noon() - Duration::days(30 - n);
        post_as(
            &server,
            author,
            &format!("Article {n}"),
            tags,
            PostStatus::Published,
            at,
            None,
        )
        .await;
    }
    post_as(&server, &ben, "Ben's draft", "Sleep", PostStatus::Draft, noon(), None).await;

    let (status, headers, first) = api(&server, &spec, "/api/v1/posts?limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        titles(&first),
        ["Article 12", "Article 11", "Article 10", "Article 9", "Article 8"]
    );
    let pagination = &first["meta"]["pagination"];
    assert_eq!(
        (
            &pagination["page"],
            &pagination["pages"],
            &pagination["total"],
            &pagination["next"]
        ),
        (&Value::from(1), &Value::from(3), &Value::from(12), &Value::from(2))
    );
    assert_eq!(pagination["prev"], Value::Null);
    let link = headers["link"].to_str().expect("Link");
    assert!(link.contains("</api/v1/posts?page=2&limit=5>; rel=\"next\""), "{link}");
    assert!(link.contains("</api/v1/posts?page=3&limit=5>; rel=\"last\""), "{link}");

    let (_, headers, last) = api(&server, &spec, "/api/v1/posts?limit=5&page=3").await;
    assert_eq!(titles(&last), ["Article 2", "Article 1"]);
    assert_eq!(last["meta"]["pagination"]["next"], Value::Null);
    assert!(
        headers["link"]
            .to_str()
            .expect("Link")
            .contains("page=2&limit=5>; rel=\"prev\"")
    );
    let (status, _, beyond) = api(&server, &spec, "/api/v1/posts?page=9").await;
    assert_eq!(status, StatusCode::OK, "a page past the end is empty, not an error");
    assert_eq!(titles(&beyond), Vec::<String>::new());

    let (_, _, sleep) = api(&server, &spec, "/api/v1/posts?tag=sleep&limit=100").await;
    assert_eq!(
        sleep["meta"]["pagination"]["total"], 6,
        "published posts with the tag only"
    );
    let (_, headers, by_ben) = api(&server, &spec, "/api/v1/posts?author=ben-okafor&tag=heart").await;
    assert_eq!(titles(&by_ben), ["Article 11"]);
    assert!(
        headers["link"]
            .to_str()
            .expect("Link")
            .contains("author=ben-okafor&tag=heart")
            || headers["link"]
                .to_str()
                .expect("Link")
                .contains("tag=heart&author=ben-okafor"),
        "links keep the filters"
    );
    let since = (noon() - Duration::days(19)).to_rfc3339().replace("+00:00", "Z");
    let (_, _, recent) = api(&server, &spec, &format!("/api/v1/posts?updated_since={since}")).await;
    assert_eq!(titles(&recent), ["Article 12", "Article 11"]);
    let (_, _, found) = api(&server, &spec, "/api/v1/posts?q=article%2011").await;
    assert_eq!(titles(&found)[0], "Article 11", "search puts the best match first");

    let (status, _, empty) = api(&server, &spec, "/api/v1/posts?tag=no-such-tag").await;
    assert_eq!((status, titles(&empty).len()), (StatusCode::OK, 0));
    server.stop().await.expect("stop");
}

async fn a_post_carries_its_text_people_and_seo(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let spec = spec(&server).await;
    let rosa = create_user(&server, "rosa@clinic.org", "Rosa Diaz", Role::Editor).await;
    let profile = app::accounts::server::ProfileUpdate::parse(
        "Dr. Rosa Diaz",
        "Family physician.",
        "https://cdn.example/rosa.png",
        "MD",
    )
    .expect("profile");
    server
        .state
        .store
        .update_profile(rosa.id, &profile)
        .await
        .expect("profile");
    post_with(
        &server,
        &rosa,
        TestPost {
            title: "Sleep and the heart",
            body: "Sleep and the heart explained in plain words.\n\n## More\n\nDetails.",
            tags: "Sleep, Heart",
            to: PostStatus::Published,
            at: noon(),
            publish_at: None,
            reviewed: true,
        },
    )
    .await;
    post_as(
        &server,
        &rosa,
        "Unreviewed note",
        "",
        PostStatus::Published,
        noon(),
        None,
    )
    .await;

    let (status, _, post) = api(&server, &spec, "/api/v1/posts/sleep-and-the-heart").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(post["title"], "Sleep and the heart");
    assert_eq!(post["url"], "http://127.0.0.1:3000/posts/sleep-and-the-heart");
    assert!(post["markdown"].as_str().expect("markdown").contains("## More"));
    assert!(
        post["html"].as_str().expect("html").contains("<h2"),
        "rendered: {}",
        post["html"]
    );
    assert_eq!(post["excerpt"], "Sleep and the heart explained in plain words.");
    assert_eq!(post["tags"][0]["slug"], "sleep");
    assert_eq!(post["tags"][1]["name"], "Heart");
    assert_eq!(post["authors"][0]["name"], "Dr. Rosa Diaz");
    assert_eq!(post["authors"][0]["credentials"], "MD");
    assert_eq!(post["authors"][0]["avatar"], "https://cdn.example/rosa.png");
    assert_eq!(post["reviewer"]["name"], "Dr. Rosa Diaz");
    assert_eq!(post["reviewer"]["reviewed_at"], "2030-01-15T12:00:00Z");
    assert_eq!(post["published_at"], "2030-01-15T12:00:00Z");
    assert_eq!(post["reading_time_minutes"], 1);
    assert_eq!(post["seo"]["title"], "Sleep and the heart");
    assert_eq!(post["seo"]["canonical_url"], post["url"]);
    assert_eq!(post["cover"], Value::Null);

    let (_, _, unreviewed) = api(&server, &spec, "/api/v1/posts/unreviewed-note").await;
    assert_eq!(unreviewed["reviewer"], Value::Null, "no review, no reviewer");

    let (status, headers, missing) = api(&server, &spec, "/api/v1/posts/no-such-post").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(missing["status"], 404);
    assert!(missing["detail"].as_str().expect("detail").contains("no-such-post"));

    let (_, _, authors) = api(&server, &spec, "/api/v1/authors").await;
    assert_eq!(authors["authors"][0]["slug"], "rosa-diaz");
    assert_eq!(authors["authors"][0]["post_count"], 2);
    let (_, _, author) = api(&server, &spec, "/api/v1/authors/rosa-diaz").await;
    assert_eq!(author["bio"], "Family physician.");
    let (status, _, _) = api(&server, &spec, "/api/v1/authors/nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, tags) = api(&server, &spec, "/api/v1/tags").await;
    let names: Vec<&str> = tags["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|tag| tag["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Heart", "Sleep"]);
    let (_, _, tag) = api(&server, &spec, "/api/v1/tags/sleep").await;
    assert_eq!(
        (&tag["post_count"], &tag["url"]),
        (&Value::from(1), &Value::from("http://127.0.0.1:3000/tags/sleep"))
    );
    let (status, _, _) = api(&server, &spec, "/api/v1/tags/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, site) = api(&server, &spec, "/api/v1/site").await;
    assert_eq!(
        (&site["url"], &site["time_zone"], &site["locale"]),
        (
            &Value::from("http://127.0.0.1:3000"),
            &Value::from("UTC"),
            &Value::from("en")
        )
    );
    server.stop().await.expect("stop");
}

async fn bad_requests_get_problem_details_naming_the_parameter(db: &TestDb) {
    let server = start_at(db, &Arc::new(ManualClock::new(noon()))).await;
    let spec = spec(&server).await;
    let long_query = format!("q={}", "a".repeat(201));
    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("updated_since=yesterday", "updated_since"),
        (long_query.as_str(), "q"),
    ] {
        let path = format!("/api/v1/posts?{query}");
        let (status, headers, problem) = api(&server, &spec, &path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(headers["content-type"], "application/problem+json");
        assert_eq!(problem["invalid_params"][0]["name"], parameter, "{query}: {problem}");
        assert!(problem["detail"].as_str().expect("detail").contains(parameter));
    }
    let (status, _, problem) = api(&server, &spec, "/api/v1/posts?limit=5&limit=6").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    // A NUL byte (which PostgreSQL refuses in text) finds nothing; no 500.
    for path in [
        "/api/v1/posts?tag=%00",
        "/api/v1/posts?author=a%00",
        "/api/v1/posts?q=flu%00",
    ] {
        let (status, _, _) = api(&server, &spec, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    for path in ["/api/v1/posts/%00", "/api/v1/tags/%00", "/api/v1/authors/%00"] {
        let (status, _, _) = api(&server, &spec, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    for (path, expected) in [
        ("/posts/%00", StatusCode::NOT_FOUND),
        ("/tags/%00", StatusCode::NOT_FOUND),
        ("/authors/%00", StatusCode::NOT_FOUND),
        ("/search?q=flu%00", StatusCode::OK),
    ] {
        assert_eq!(crate::status_of(&server, path).await, expected, "{path}");
    }
    let (status, _, problem) = api(&server, &spec, "/api/v1/posts/%FF").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not UTF-8");
    assert_eq!(problem["invalid_params"][0]["name"], "slug");
    // Search syntax is never an error: it is read as words.
    let (status, _, _) = api(&server, &spec, "/api/v1/posts?q=%22NEAR(a%20OR%20*").await;
    assert_eq!(status, StatusCode::OK);

    let unknown = client()
        .get(url(&server, "/api/v1/nothing-here"))
        .send()
        .await
        .expect("GET");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.headers()["content-type"], "application/problem+json");
    let posted = client().post(url(&server, "/api/v1/posts")).send().await.expect("POST");
    assert_eq!(posted.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(posted.headers()["content-type"], "application/problem+json");
    let problem: Value = posted.json().await.expect("problem");
    assert_eq!(problem["status"], 405);
    server.stop().await.expect("stop");
}

async fn responses_are_cacheable_compressed_and_open_to_browsers(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    post_as(&server, &ana, "Cached", "", PostStatus::Published, noon(), None).await;

    for path in ["/api/v1/posts", "/", "/posts/cached", "/feed.xml"] {
        let first = client().get(url(&server, path)).send().await.expect("GET");
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        let etag = first.headers()["etag"].to_str().expect("ETag").to_owned();
        assert!(
            etag.starts_with('"') && !etag.starts_with("W/"),
            "{path}: a strong ETag, {etag}"
        );
        assert_eq!(first.headers()["cache-control"], "public, no-cache", "{path}");
        let again = client()
            .get(url(&server, path))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("GET again");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"].to_str().expect("ETag"), etag);
        assert!(again.text().await.expect("body").is_empty());
    }

    // A change gives a new ETag: the old copy is not confirmed.
    let before = client().get(url(&server, "/api/v1/posts")).send().await.expect("GET");
    let etag = before.headers()["etag"].to_str().expect("ETag").to_owned();
    post_as(&server, &ana, "Newer", "", PostStatus::Published, noon(), None).await;
    let after = client()
        .get(url(&server, "/api/v1/posts"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(after.status(), StatusCode::OK);

    let compressed = client()
        .get(url(&server, "/api/v1/posts"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("GET gzip");
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    let brotli = client()
        .get(url(&server, "/"))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("GET br");
    assert_eq!(brotli.headers()["content-encoding"], "br");

    let cors = client()
        .get(url(&server, "/api/v1/posts"))
        .header("origin", "https://front.example")
        .send()
        .await
        .expect("GET cross-origin");
    assert_eq!(cors.headers()["access-control-allow-origin"], "*");
    assert!(
        cors.headers()["access-control-expose-headers"]
            .to_str()
            .expect("expose")
            .to_ascii_lowercase()
            .contains("etag")
    );
    let admin = client().get(url(&server, "/admin")).send().await.expect("GET admin");
    assert!(admin.headers().get("etag").is_none(), "the admin is never cached");
    assert_eq!(admin.headers()["cache-control"], "private, no-store");
    server.stop().await.expect("stop");
}

async fn the_spec_covers_every_endpoint(db: &TestDb) {
    let server = start_at(db, &Arc::new(ManualClock::new(noon()))).await;
    let spec = spec(&server).await;
    assert_eq!(spec["openapi"], "3.1.0");
    assert_eq!(
        spec["components"]["securitySchemes"]["content_key_query"]["in"],
        "query"
    );
    assert_eq!(
        spec["components"]["securitySchemes"]["content_key_header"]["name"],
        "X-Content-Key"
    );
    // What client generators and linters rely on (tests/api-client.sh runs
    // them): unique operationIds, a description on every operation, a
    // server, and a contact (this site's).
    let mut operation_ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if !["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(&method.as_str()) {
                continue;
            }
            let id = operation["operationId"].as_str().expect("operationId");
            assert!(
                operation_ids.insert(id),
                "{method} {path}: operationId `{id}` is not unique"
            );
            assert!(
                operation["description"]
                    .as_str()
                    .is_some_and(|text| !text.trim().is_empty()),
                "{method} {path} has no description"
            );
        }
    }
    assert_eq!(spec["servers"][0]["url"], "/");
    assert_eq!(spec["info"]["contact"]["name"], "Vellum");
    assert!(
        spec["info"]["contact"]["url"]
            .as_str()
            .is_some_and(|url| url.starts_with("http")),
        "the contact is the site's address: {}",
        spec["info"]["contact"]
    );
    let paths: Vec<&String> = spec["paths"].as_object().expect("paths").keys().collect();
    for path in [
        "/api/v1/posts",
        "/api/v1/posts/{slug}",
        "/api/v1/authors",
        "/api/v1/authors/{slug}",
        "/api/v1/tags",
        "/api/v1/tags/{slug}",
        "/api/v1/site",
        "/api/v1/openapi.json",
    ] {
        assert!(
            paths.iter().any(|documented| *documented == path),
            "{path} missing from {paths:?}"
        );
    }
    let parameters: Vec<&str> = spec["paths"]["/api/v1/posts"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|parameter| parameter["name"].as_str().expect("name"))
        .collect();
    assert_eq!(parameters, ["page", "limit", "tag", "author", "q", "updated_since"]);

    // The checks above mean something only if the schemas are strict: a
    // post without a title, or with a date that is not one, must fail.
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    post_as(&server, &ana, "Checked", "Sleep", PostStatus::Published, noon(), None).await;
    let (_, _, list) = api(&server, &spec, "/api/v1/posts").await;
    let schema = &spec["paths"]["/api/v1/posts"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    assert!(schema_errors(&spec, schema, &list).is_empty());
    let mut untitled = list.clone();
    untitled["posts"][0].as_object_mut().expect("post").remove("title");
    assert!(
        !schema_errors(&spec, schema, &untitled).is_empty(),
        "a missing title is caught"
    );
    let mut undated = list.clone();
    undated["posts"][0]["authors"][0]["name"] = Value::from(7);
    assert!(
        !schema_errors(&spec, schema, &undated).is_empty(),
        "a wrong type is caught"
    );
    server.stop().await.expect("stop");
}

async fn a_client_past_the_rate_limit_is_told_when_to_retry(db: &TestDb) {
    let args = server::cli::ServeArgs {
        api_rate_limit: 5,
        trust_proxy: true,
        ..crate::serve_args(db)
    };
    let server = server::start(&args).await.expect("server starts");
    let spec = spec(&server).await;
    let from = |address: &'static str| {
        client()
            .get(url(&server, "/api/v1/site"))
            .header("x-forwarded-for", address)
    };
    for n in 1..=5 {
        let response = from("203.0.113.7").send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "request {n} is within the limit");
    }
    let refused = from("203.0.113.7").send().await.expect("GET");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let headers = refused.headers().clone();
    let body = refused.text().await.expect("body");
    check_against_spec(
        &spec,
        "get",
        "/api/v1/site",
        StatusCode::TOO_MANY_REQUESTS,
        &headers,
        &body,
    );
    assert_eq!(
        from("198.51.100.4").send().await.expect("GET").status(),
        StatusCode::OK,
        "another address has its own allowance"
    );
    assert_eq!(
        crate::status_of(&server, "/").await,
        StatusCode::OK,
        "the blog itself is not limited"
    );
    server.stop().await.expect("stop");
}

async fn with_a_content_key_only_requests_that_carry_it_are_answered(db: &TestDb) {
    let server = start_at(db, &Arc::new(ManualClock::new(noon()))).await;
    let spec = spec(&server).await;
    let key = "clinic-frontend-key_2026";
    crate::change_settings(&server, |settings| settings.content_key = key.to_owned()).await;

    let (status, headers, problem) = api(&server, &spec, "/api/v1/site").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(problem["detail"].as_str().expect("detail").contains("content key"));
    let (status, _, _) = api(&server, &spec, "/api/v1/posts?key=wrong-key-wrong-key").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, site) = api(&server, &spec, &format!("/api/v1/site?key={key}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(site.get("content_key").is_none(), "the key is never in an answer");
    let with_header = client()
        .get(url(&server, "/api/v1/posts"))
        .header("x-content-key", key)
        .send()
        .await
        .expect("GET");
    assert_eq!(with_header.status(), StatusCode::OK);
    assert!(
        with_header
            .headers()
            .get_all("vary")
            .iter()
            .any(|vary| vary.to_str().is_ok_and(|vary| vary.contains("X-Content-Key"))),
        "shared caches keep keyed answers apart"
    );
    let preflight = client()
        .request(reqwest::Method::OPTIONS, url(&server, "/api/v1/posts"))
        .header("origin", "https://front.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "x-content-key")
        .send()
        .await
        .expect("OPTIONS");
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .expect("allowed headers")
        .to_ascii_lowercase();
    assert!(allowed.contains("x-content-key"), "{allowed}");
    // Served from the cache now, and still refused without the key.
    let (status, _, _) = api(&server, &spec, "/api/v1/posts").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(crate::status_of(&server, "/api/v1/openapi.json").await, StatusCode::OK);
    assert_eq!(
        crate::status_of(&server, "/").await,
        StatusCode::OK,
        "the blog stays open"
    );

    // The settings a visitor's page may load do not reveal it.
    use app::settings::api::GetSiteSettings;
    use leptos::server_fn::ServerFn;
    let visitor = crate::call(&client(), &server, GetSiteSettings::PATH, &[]).await;
    let visible: Value = visitor.json().await.expect("settings JSON");
    assert_eq!(visible["content_key"], "", "{visible}");
    server.stop().await.expect("stop");
}

/// A changed content key: the previous one keeps working for a week, so
/// front ends switch over without breaking; changing twice ends a leaked
/// key at once.
async fn a_changed_content_key_keeps_the_previous_one_for_a_week(db: &TestDb) {
    use app::accounts::server::{AuditAction, NewAuditEntry};
    let clock = Arc::new(ManualClock::new(noon()));
    let server = start_at(db, &clock).await;
    let spec = spec(&server).await;
    let set_key = |key: &'static str| {
        let (server, clock) = (&server, clock.clone());
        async move {
            let mut settings = server.state.store.site_settings().await.expect("settings");
            settings.content_key = key.to_owned();
            let update = app::settings::server::SettingsUpdate::parse(&settings).expect("valid");
            let entry = NewAuditEntry {
                at: app::clock::Clock::now(clock.as_ref()),
                ..NewAuditEntry::new(AuditAction::SettingsChanged, None, None)
            };
            server
                .state
                .store
                .update_site_settings(&update, Some(&entry))
                .await
                .expect("save");
        }
    };
    let opens = |key: &'static str| {
        let (server, spec) = (&server, &spec);
        async move { api(server, spec, &format!("/api/v1/site?key={key}")).await.0 == StatusCode::OK }
    };
    let (first, second, third, fourth) = (
        "first-key-of-the-clinic",
        "second-key-of-the-clinic",
        "third-key-of-the-clinic",
        "fourth-key-of-the-clinic",
    );
    set_key(first).await;
    clock.advance(chrono::Duration::hours(1));
    set_key(second).await;
    assert!(opens(second).await, "the new key");
    assert!(opens(first).await, "the previous key, during the overlap");
    assert!(!opens("not-a-key-of-the-clinic").await);

    clock.advance(chrono::Duration::days(7) + chrono::Duration::minutes(1));
    assert!(opens(second).await);
    assert!(!opens(first).await, "a week later the previous key is refused");

    // Leaked: changed twice, only the one right before the current works.
    set_key(third).await;
    set_key(fourth).await;
    assert!(opens(fourth).await && opens(third).await);
    assert!(!opens(second).await, "the leaked key stopped at once");
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    with_a_content_key_only_requests_that_carry_it_are_answered,
    a_changed_content_key_keeps_the_previous_one_for_a_week,
    a_client_past_the_rate_limit_is_told_when_to_retry,
    posts_are_listed_page_by_page_with_filters_and_links,
    a_post_carries_its_text_people_and_seo,
    bad_requests_get_problem_details_naming_the_parameter,
    responses_are_cacheable_compressed_and_open_to_browsers,
    the_spec_covers_every_endpoint
);
