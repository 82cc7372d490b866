//! `vellum backup` while the site is busy, and `vellum restore` from it: the
//! restored site is the site as it was at one instant.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use app::accounts::Role;
use app::posts::workflow::PostStatus;
use chrono::Utc;
use serde_json::Value;

use crate::blog::post_as;
use crate::support::TestDb;
use crate::{client, create_user, serve_args, start, url};

fn vellum(args: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vellum"));
    for key in ["VELLUM_DATABASE_URL", "VELLUM_DATA_DIR", "VELLUM_LOG"] {
        command.env_remove(key);
    }
    command.args(args).output().expect("run vellum")
}

/// Every published post as the API gives it, by slug.
async fn posts_by_slug(server: &server::RunningServer) -> BTreeMap<String, Value> {
    let list: Value = client()
        .get(url(server, "/api/v1/posts?limit=100"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    list["posts"]
        .as_array()
        .expect("posts")
        .iter()
        .map(|post| (post["slug"].as_str().expect("slug").to_owned(), post.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_load_restores_to_one_instant_of_the_site() {
    let db = TestDb::sqlite().await;
    let server = start(&db).await;
    let ana = create_user(&server, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    for n in 0..10 {
        post_as(
            &server,
            &ana,
            &format!("Settled {n}"),
            "Sleep",
            PostStatus::Published,
            Utc::now(),
            None,
        )
        .await;
    }

    // Writers publish post after post, readers read, while the backup runs.
    let busy = Arc::new(AtomicBool::new(true));
    let writer = {
        let (busy, state) = (busy.clone(), server.state.clone());
        let ana = ana.clone();
        tokio::spawn(async move {
            let mut n = 0;
            while busy.load(Ordering::SeqCst) {
                let title = app::posts::server::PostTitle::parse(&format!("Load {n}")).expect("title");
                let slug = app::posts::server::Slug::from_title(&title);
                state
                    .store
                    .create_draft(&title, &slug, ana.id, Utc::now())
                    .await
                    .expect("draft");
                n += 1;
            }
            n
        })
    };
    let reader = {
        let (busy, address) = (busy.clone(), url(&server, "/api/v1/posts"));
        tokio::spawn(async move {
            while busy.load(Ordering::SeqCst) {
                let _ = client().get(&address).send().await;
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let folder = tempfile::TempDir::new().expect("folder");
    let backup_file = folder.path().join("site.backup");
    let backup = {
        let (file, database) = (backup_file.display().to_string(), db.url().to_owned());
        tokio::task::spawn_blocking(move || vellum(&["backup", &file, "--database-url", &database]))
            .await
            .expect("backup ran")
    };
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    busy.store(false, Ordering::SeqCst);
    let drafts_written = writer.await.expect("writer");
    reader.await.expect("reader");
    assert!(drafts_written > 0, "the site was busy during the backup");
    let again = vellum(&["backup", &backup_file.display().to_string(), "--database-url", db.url()]);
    assert!(!again.status.success(), "an existing backup is never overwritten");

    // Restore into a new data folder, and serve it.
    let data = folder.path().join("restored");
    let data_dir = data.display().to_string();
    let restored = vellum(&["restore", &backup_file.display().to_string(), "--data-dir", &data_dir]);
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let refused = vellum(&["restore", &backup_file.display().to_string(), "--data-dir", &data_dir]);
    assert!(
        !refused.status.success(),
        "an existing database is replaced only when asked"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup_file).expect("backup").permissions().mode();
        assert_eq!(mode & 0o077, 0, "only its owner reads a backup");
    }
    for _ in 0..2 {
        let replaced = vellum(&[
            "restore",
            &backup_file.display().to_string(),
            "--data-dir",
            &data_dir,
            "--replace",
        ]);
        assert!(
            replaced.status.success(),
            "{}",
            String::from_utf8_lossy(&replaced.stderr)
        );
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let kept = std::fs::read_dir(&data)
        .expect("folder")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.starts_with("vellum.db.before-restore-") && !name.ends_with("-wal") && !name.ends_with("-shm")
        })
        .count();
    assert_eq!(kept, 2, "each replaced database is kept under its own name");
    let nowhere = folder.path().join("nowhere");
    let missing = vellum(&[
        "backup",
        &folder.path().join("x.db").display().to_string(),
        "--data-dir",
        &nowhere.display().to_string(),
    ]);
    assert!(!missing.status.success(), "no database, no backup");
    assert!(!nowhere.exists(), "and no database created");
    let not_a_backup = folder.path().join("notes.txt");
    std::fs::write(&not_a_backup, "not a database").expect("write");
    let wrong = vellum(&[
        "restore",
        &not_a_backup.display().to_string(),
        "--data-dir",
        &data_dir,
        "--replace",
    ]);
    assert!(!wrong.status.success(), "a file that is not a backup is refused");
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("is not a Vellum backup"));

    let copy = server::start(&server::cli::ServeArgs {
        database: server::cli::DatabaseArgs {
            database_url: Some(format!("sqlite://{}", data.join("vellum.db").display())),
            data_dir: data.clone(),
        },
        ..serve_args(&db)
    })
    .await
    .expect("the restored site starts");
    let original = posts_by_slug(&server).await;
    let restored_posts = posts_by_slug(&copy).await;
    assert_eq!(restored_posts.len(), 10, "every published post, nothing else");
    for (slug, post) in &restored_posts {
        assert_eq!(Some(post), original.get(slug), "{slug} is the same on both sites");
    }
    // The drafts form one instant: if draft n is there, so is every earlier one.
    let store = &copy.state.store;
    let filter = app::posts::server::PostFilter {
        limit: 100_000,
        ..app::posts::server::PostFilter::default()
    };
    let titles: Vec<String> = store
        .list_posts(&filter)
        .await
        .expect("list")
        .into_iter()
        .map(|row| row.title)
        .collect();
    let loads: Vec<usize> = titles
        .iter()
        .filter_map(|title| title.strip_prefix("Load ").and_then(|n| n.parse().ok()))
        .collect();
    let count = loads.len();
    assert!(
        (0..count).all(|n| loads.contains(&n)),
        "drafts 0 to {count} without gaps: {loads:?}"
    );
    copy.stop().await.expect("stop");
    server.stop().await.expect("stop");
    db.cleanup().await;
}
