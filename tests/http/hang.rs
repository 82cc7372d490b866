//! Admin pages finish while another router is being built. Building the
//! admin route list sets a process-wide Leptos flag under which every
//! resource waits forever, so a page rendered meanwhile sent its headers
//! and never ended its body (leptos-rs/leptos#4773). The server now builds
//! the list once per process; this keeps it that way.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use app::accounts::Role;
use reqwest::StatusCode;

use crate::support::TestDb;
use crate::{PASSWORD, create_user, redirects, sign_in, start, url};

/// Requests in flight at once, half of them signed in.
const WAVE: usize = 8;
/// Waves in all: a few hundred requests.
const WAVES: usize = 40;

/// A cookie-keeping client that gives up quickly: these pages take
/// milliseconds, and a hung one would otherwise hold the test for a minute.
fn impatient_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client")
}

/// The whole page, or what went wrong. A page streams its Suspense
/// fragments after `</html>`, so only the end of the body (within the
/// timeout) and what the fragment shows tell that it finished.
async fn whole_page(client: reqwest::Client, url: String, shows: &'static str) -> Result<(), String> {
    let response = client.get(&url).send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let html = response
        .text()
        .await
        .map_err(|e| format!("{url}: the body never ended: {e}"))?;
    if status != StatusCode::OK {
        return Err(format!("{url}: {status}"));
    }
    if !html.contains("</html>") || !html.contains(shows) {
        return Err(format!("{url}: no {shows:?} in {html}"));
    }
    Ok(())
}

async fn admin_pages_finish_while_routers_are_built(db: &TestDb) {
    let server = start(db).await;
    create_user(&server, "hana@example.com", "Hana", Role::Author).await;
    let anonymous = impatient_client();
    let author = impatient_client();
    let response = sign_in(&author, &server, "hana@example.com", PASSWORD).await;
    assert!(redirects(&response), "sign-in: {}", response.status());

    let building = Arc::new(AtomicBool::new(true));
    let builder = tokio::task::spawn_blocking({
        let building = building.clone();
        let state = server.state.clone();
        move || {
            let mut built = 0_u32;
            while building.load(Ordering::Relaxed) {
                drop(server::router(state.clone()));
                built += 1;
            }
            built
        }
    });

    let mut failures = Vec::new();
    for _ in 0..WAVES {
        let mut wave = tokio::task::JoinSet::new();
        for i in 0..WAVE {
            // The sign-in form, and the author's navigation (shown once
            // the header's resource has loaded).
            let (client, path, shows) = if i % 2 == 0 {
                (anonymous.clone(), "/admin/login", "<h1>Sign in</h1>")
            } else {
                (author.clone(), "/admin", r#"aria-label="Admin""#)
            };
            wave.spawn(whole_page(client, url(&server, path), shows));
        }
        while let Some(outcome) = wave.join_next().await {
            if let Err(failure) = outcome.expect("request task") {
                failures.push(failure);
            }
        }
        // One hung page is enough; waiting out the rest would only slow
        // the failure down.
        if !failures.is_empty() {
            break;
        }
    }
    building.store(false, Ordering::Relaxed);
    let built = builder.await.expect("router builder");
    assert!(built > 0, "no router was built alongside the requests");
    assert!(
        failures.is_empty(),
        "{} admin page(s) failed: {failures:#?}",
        failures.len()
    );
    server.stop().await.expect("stop");
}

crate::on_both_databases!(admin_pages_finish_while_routers_are_built);
