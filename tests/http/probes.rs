use reqwest::StatusCode;

use crate::support::TestDb;
use crate::{client, start, url};

async fn health_and_readiness_answer_200(db: &TestDb) {
    let server = start(db).await;
    let client = client();
    let health = client.get(url(&server, "/healthz")).send().await.expect("GET /healthz");
    assert_eq!(health.status(), StatusCode::OK);
    let ready = client.get(url(&server, "/readyz")).send().await.expect("GET /readyz");
    assert_eq!(ready.status(), StatusCode::OK);
    server.stop().await.expect("stop");
}

/// On PostgreSQL the database is dropped under the running server; on
/// SQLite its connections are closed. Either way the process stays alive
/// (healthz) but is no longer ready (readyz) and pages fail cleanly.
async fn readiness_fails_when_the_database_is_gone(db: &TestDb) {
    let server = start(db).await;
    let client = client();
    if db.is_postgres() {
        db.drop_database().await;
    } else {
        server.state.store.close().await;
    }
    let ready = client.get(url(&server, "/readyz")).send().await.expect("GET /readyz");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health = client.get(url(&server, "/healthz")).send().await.expect("GET /healthz");
    assert_eq!(health.status(), StatusCode::OK);
    let page = client.get(url(&server, "/")).send().await.expect("GET /");
    assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = page.text().await.expect("body");
    assert!(html.contains("Something went wrong"), "{html}");
    assert!(!html.contains("database"), "no internal detail leaks: {html}");
    server.stop().await.expect("stop");
}

crate::on_both_databases!(
    health_and_readiness_answer_200,
    readiness_fails_when_the_database_is_gone,
);
