//! `vellum backup` while the site is busy, and `vellum restore` from it: the
//! restored site is the site as it was at one instant.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

/// Where `vellum restore --replace` said it kept the database it replaced.
fn kept_copy(restore: &std::process::Output) -> PathBuf {
    let said = String::from_utf8_lossy(&restore.stdout);
    let path = said
        .lines()
        .find_map(|line| line.strip_prefix("The database that was there is kept as "))
        .and_then(|rest| rest.strip_suffix('.'))
        .unwrap_or_else(|| panic!("no kept copy announced: {said}"));
    assert!(Path::new(path).is_file(), "{path} is there");
    PathBuf::from(path)
}

/// Writes a draft straight into the SQLite database at `file`.
async fn add_draft(file: &Path, title: &str, author: i64) {
    let store = app::store::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("open");
    let title = app::posts::server::PostTitle::parse(title).expect("title");
    let slug = app::posts::server::Slug::from_title(&title);
    store
        .create_draft(&title, &slug, author, Utc::now())
        .await
        .expect("draft");
    store.close().await;
}

/// The titles of every post in the SQLite database at `file`.
async fn draft_titles(file: &Path) -> Vec<String> {
    let store = app::store::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("open");
    let filter = app::posts::server::PostFilter {
        limit: 100_000,
        ..app::posts::server::PostFilter::default()
    };
    let titles = store
        .list_posts(&filter)
        .await
        .expect("list")
        .into_iter()
        .map(|row| row.title)
        .collect();
    store.close().await;
    titles
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
    let written = Arc::new(AtomicUsize::new(0));
    let (writing, first_written) = tokio::sync::oneshot::channel();
    let (reading, first_read) = tokio::sync::oneshot::channel();
    let writer = {
        let (busy, written, state) = (busy.clone(), written.clone(), server.state.clone());
        let ana = ana.clone();
        tokio::spawn(async move {
            let mut writing = Some(writing);
            while busy.load(Ordering::SeqCst) {
                let n = written.load(Ordering::SeqCst);
                let title = app::posts::server::PostTitle::parse(&format!("Load {n}")).expect("title");
                let slug = app::posts::server::Slug::from_title(&title);
                state
                    .store
                    .create_draft(&title, &slug, ana.id, Utc::now())
                    .await
                    .expect("draft");
                written.store(n + 1, Ordering::SeqCst);
                if let Some(writing) = writing.take() {
                    let _ = writing.send(());
                }
            }
        })
    };
    let reader = {
        let (busy, address) = (busy.clone(), url(&server, "/api/v1/posts"));
        tokio::spawn(async move {
            let mut reading = Some(reading);
            while busy.load(Ordering::SeqCst) {
                let answered = client()
                    .get(&address)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if answered && let Some(reading) = reading.take() {
                    let _ = reading.send(());
                }
            }
        })
    };
    // The backup starts once the site is busy: a draft is written, a
    // reader was answered, and both go on until the backup is done.
    let minute = std::time::Duration::from_secs(60);
    tokio::time::timeout(minute, first_written)
        .await
        .expect("a draft within a minute")
        .expect("the writer writes");
    tokio::time::timeout(minute, first_read)
        .await
        .expect("an answer within a minute")
        .expect("the reader reads");
    let written_before_backup = written.load(Ordering::SeqCst);
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
    writer.await.expect("writer");
    reader.await.expect("reader");
    let drafts_written = written.load(Ordering::SeqCst);
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
        let mode = std::fs::metadata(&data).expect("data folder").permissions().mode();
        assert_eq!(mode & 0o077, 0, "a data folder Vellum creates is its own");
    }
    // Two replacing restores back to back (within one second, as a
    // script would run them), each over a database that has something of
    // its own: each replaced database is kept under its own name, whole.
    let mut kept = Vec::new();
    for mark in ["Only in the first kept copy", "Only in the second kept copy"] {
        add_draft(&data.join("vellum.db"), mark, ana.id).await;
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
        kept.push((mark, kept_copy(&replaced)));
    }
    assert_ne!(kept[0].1, kept[1].1, "each replaced database has its own name");
    let kept_names: BTreeSet<String> = std::fs::read_dir(&data)
        .expect("folder")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.starts_with("vellum.db.before-restore-") && !name.ends_with("-wal") && !name.ends_with("-shm")
        })
        .collect();
    let announced: BTreeSet<String> = kept
        .iter()
        .map(|(_, path)| path.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept_names, announced, "both kept copies are there, as announced");
    for (mark, path) in &kept {
        let titles = draft_titles(path).await;
        assert!(titles.contains(&(*mark).to_owned()), "{} holds {mark}", path.display());
        let others: Vec<&str> = kept.iter().map(|(m, _)| *m).filter(|m| m != mark).collect();
        assert!(
            others.iter().all(|other| !titles.iter().any(|title| title == other)),
            "{} holds only its own changes: {titles:?}",
            path.display()
        );
    }
    let current = draft_titles(&data.join("vellum.db")).await;
    assert!(
        kept.iter().all(|(mark, _)| !current.iter().any(|title| title == mark)),
        "the restored database is the backup: {current:?}"
    );
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
            create: false,
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
    assert!(
        (written_before_backup..=drafts_written).contains(&count),
        "the backup holds at least the {written_before_backup} drafts written before it began and at \
         most the {drafts_written} written in all: {count}"
    );
    copy.stop().await.expect("stop");
    server.stop().await.expect("stop");
    db.cleanup().await;
}
