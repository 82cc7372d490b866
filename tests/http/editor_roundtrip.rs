//! The visual editor keeps Markdown as the stored format: for every demo
//! article, every imported fixture and a set of hard cases, Markdown taken
//! into the visual editor's document and written back must render to the
//! same HTML with Vellum's own renderer. The editor's parser and writer
//! run in Node (`frontend/editor/roundtrip.mjs`, the code the browser runs).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use app::content::render_markdown;
use app::posts::server::PostFilter;

use crate::support::TestDb;

/// The round trip of each text, as the editor would write it back; `None`
/// when Node or the editor's packages are missing outside CI.
fn round_trip(texts: &[String]) -> Option<Vec<String>> {
    let editor = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/editor");
    if !editor.join("node_modules/prosemirror-markdown").exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs frontend/editor's packages (.ci/setup installs them)"
        );
        eprintln!("SKIPPED: frontend/editor has no node_modules (cd frontend/editor && npm ci)");
        return None;
    }
    let mut child = Command::new("node")
        .arg("roundtrip.mjs")
        .current_dir(&editor)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    let input = serde_json::to_vec(texts).expect("JSON");
    child.stdin.take().expect("stdin").write_all(&input).expect("write");
    let output = child.wait_with_output().expect("node finishes");
    assert!(output.status.success(), "roundtrip.mjs failed");
    Some(serde_json::from_slice(&output.stdout).expect("a JSON array of strings"))
}

/// The hard cases kept beside the editor's own tests.
fn hard_cases() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/editor/test/cases");
    let mut cases: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the hard cases")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read");
            (path.display().to_string(), text)
        })
        .collect();
    cases.sort();
    cases
}

/// Every post's text in a store: the demo's, or an import's.
async fn bodies(store: &dyn app::store::Store, what: &str) -> Vec<(String, String)> {
    let filter = PostFilter {
        limit: 1000,
        ..PostFilter::default()
    };
    let mut texts = Vec::new();
    for row in store.list_posts(&filter).await.expect("posts") {
        let post = store.post(row.id).await.expect("post").expect("exists");
        texts.push((format!("{what}: {}", post.content.title), post.content.body));
    }
    texts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_demo_article_fixture_and_hard_case_survives_the_visual_editor() {
    let db = &TestDb::sqlite().await;
    let mut args = crate::serve_args(db);
    args.demo = true;
    let server = server::start(&args).await.expect("start with --demo");
    let mut texts = bodies(server.state.store.as_ref(), "demo").await;
    server.stop().await.expect("stop");
    let imported = TestDb::sqlite().await;
    let site = crate::import::old_site().await;
    let file = crate::import::fixture(&imported, "wordpress.xml", &site)
        .display()
        .to_string();
    crate::import::stdout(&crate::import::vellum(&imported, &["import", "wordpress", &file, "--create"]).await);
    let store = app::store::connect(imported.url()).await.expect("connect");
    texts.extend(bodies(store.as_ref(), "WordPress fixture").await);
    store.close().await;
    texts.extend(hard_cases());
    assert!(texts.len() > 30, "{} texts", texts.len());

    let originals: Vec<String> = texts.iter().map(|(_, text)| text.clone()).collect();
    let Some(written_back) = round_trip(&originals) else {
        return;
    };
    assert_eq!(written_back.len(), texts.len());
    let mut differ = Vec::new();
    for ((name, original), back) in texts.iter().zip(&written_back) {
        let (before, after) = (render_markdown(original).html, render_markdown(back).html);
        if before != after {
            differ.push(format!(
                "{name}:\n--- rendered before\n{before}\n--- rendered after\n{after}"
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} texts render differently:\n{}",
        differ.len(),
        texts.len(),
        differ.join("\n\n")
    );
}
