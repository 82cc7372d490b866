//! The binary as docs/deployment.md has an operator run it: every setting
//! listed in `.env.example`, settings from `--env-file`, booleans written
//! the usual ways, and commands that never create, migrate or upgrade a
//! database unless asked.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Output, Stdio};

use tempfile::TempDir;

use crate::binary::{Logs, vellum};
use crate::support::TestDb;

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `NAME → default` for every variable `vellum serve --help` names
/// (`[env: NAME]` alone where the value is hidden, as the SMTP URL's is).
fn variables_in_help() -> BTreeMap<String, Option<String>> {
    let output = vellum().args(["serve", "--help"]).output().expect("serve --help");
    let help = String::from_utf8_lossy(&output.stdout).into_owned();
    let pattern = regex::Regex::new(r"\[env: ([A-Z_]+)(?:=[^\]]*)?\](?:\s*\[default: ([^\]]*)\])?").expect("pattern");
    pattern
        .captures_iter(&help)
        .map(|found| {
            let default = found.get(2).map(|value| value.as_str().trim_matches('"').to_owned());
            (found[1].to_owned(), default)
        })
        .collect()
}

/// `NAME → values` of the `NAME=value` and `#NAME=value` lines.
fn variables_in_env_example() -> BTreeMap<String, Vec<String>> {
    let text = include_str!("../../.env.example");
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_start_matches('#');
        if let Some((name, value)) = line.split_once('=')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        {
            found.entry(name.to_owned()).or_default().push(value.to_owned());
        }
    }
    found
}

#[test]
fn env_example_lists_every_setting_with_its_default() {
    let help = variables_in_help();
    assert!(help.len() >= 16, "{help:?}");
    let listed = variables_in_env_example();
    for (name, default) in &help {
        let values = listed
            .get(name)
            .unwrap_or_else(|| panic!("{name} (in serve --help) is missing from .env.example"));
        let default = default.clone().unwrap_or_default();
        let shown = values.contains(&default);
        let example_only = default.is_empty() && !values.is_empty();
        let boolean_off = default.is_empty() && values.iter().any(|value| value == "false");
        assert!(
            shown || example_only || boolean_off,
            "{name}: .env.example shows {values:?}, serve --help's default is {default:?}"
        );
    }
    for name in listed.keys().filter(|name| !name.starts_with("AWS_")) {
        assert!(
            help.contains_key(name),
            "{name} is in .env.example but not in serve --help"
        );
    }
}

/// `vellum user add` for Ana with `args`, the password on standard input.
fn add_ana(args: &[&str], env: &[(&str, &Path)]) -> Output {
    use std::io::Write;
    let mut command = vellum();
    command
        .args(["user", "add", "--email", "ana@clinic.org", "--name", "Ana Ruiz"])
        .args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vellum user add");
    let stdin = child.stdin.as_mut().expect("stdin");
    stdin
        .write_all(format!("{}\n", crate::PASSWORD).as_bytes())
        .expect("write");
    child.wait_with_output().expect("vellum user add finishes")
}

#[test]
fn settings_come_from_the_env_file_and_the_environment_wins() {
    let dir = TempDir::new().expect("folder");
    let (from_file, from_env) = (dir.path().join("from-file"), dir.path().join("from-env"));
    let env_file = dir.path().join("vellum.env");
    std::fs::write(&env_file, format!("VELLUM_DATA_DIR={}\n", from_file.display())).expect("write");
    let file = env_file.display().to_string();

    let created = add_ana(&["--env-file", &file, "--create"], &[]);
    assert!(created.status.success(), "{}", said(&created));
    assert!(from_file.join("vellum.db").is_file(), "the file's data folder");

    let overridden = add_ana(
        &[&format!("--env-file={file}"), "--create"],
        &[("VELLUM_DATA_DIR", &from_env)],
    );
    assert!(overridden.status.success(), "{}", said(&overridden));
    assert!(
        from_env.join("vellum.db").is_file(),
        "the environment wins over the file"
    );

    // Unreadable: the command stops, rather than opening ./data.
    let missing = dir.path().join("no-such.env").display().to_string();
    let refused = add_ana(&["--env-file", &missing], &[]);
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("cannot read the --env-file"),
        "{}",
        said(&refused)
    );
}

#[tokio::test]
async fn booleans_read_as_people_write_them() {
    let dir = TempDir::new().expect("folder");
    let mut child = vellum()
        .arg("serve")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("VELLUM_DATA_DIR", dir.path())
        .env("VELLUM_DEMO", "1")
        .env("VELLUM_TRUST_PROXY", "Yes")
        .env("VELLUM_WEBHOOKS_ALLOW_PRIVATE", "off")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start vellum serve");
    let mut logs = Logs::follow(&mut child);
    let base = logs.address();
    let home = crate::client().get(&base).send().await.expect("GET /");
    let page = home.text().await.expect("body");
    let _ = child.kill();
    let _ = child.wait();
    assert!(page.contains("/posts/"), "VELLUM_DEMO=1 filled the site: {page}");

    let refused = vellum()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("VELLUM_DATA_DIR", dir.path())
        .env("VELLUM_DEMO", "maybe")
        .output()
        .expect("run");
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("VELLUM_DEMO") || said(&refused).contains("--demo"),
        "{}",
        said(&refused)
    );
}

/// Runs the binary against `db` with `args`.
async fn run(db: &TestDb, args: &[&str]) -> Output {
    crate::import::vellum_as_given(db, args).await
}

/// Rewinds the schema by its newest migration, as a database an older
/// Vellum left would be (0013 made the media usage table).
async fn make_older(db: &TestDb) {
    db.raw_sql("DROP TABLE media_usage; DELETE FROM _sqlx_migrations WHERE version = 13")
        .await;
}

async fn only_serve_and_migrate_change_the_schema(db: &TestDb) {
    // Missing or empty: refused, and nothing is made.
    let refused = run(db, &["export", &db.dir().join("out").display().to_string()]).await;
    assert!(!refused.status.success());
    assert!(said(&refused).contains("--create"), "{}", said(&refused));
    assert!(!db.dir().join("out").exists(), "no export folder for a refused export");
    let fresh = run(db, &["migrate"]).await;
    assert!(fresh.status.success(), "{}", said(&fresh));

    // Behind the binary: every other command stops and asks for migrate.
    make_older(db).await;
    let out = db.dir().join("export").display().to_string();
    for args in [
        vec!["token", "add", "--email", "ana@clinic.org", "--name", "Site"],
        vec!["export", &out],
    ] {
        let refused = run(db, &args).await;
        assert!(!refused.status.success(), "{args:?}");
        assert!(
            said(&refused).contains("run `vellum migrate` first"),
            "{args:?}: {}",
            said(&refused)
        );
    }
    let store = app::store::connect(db.url()).await.expect("connect");
    let state = store.schema_state().await.expect("state");
    store.close().await;
    assert!(
        matches!(state, app::store::SchemaState::Behind { .. }),
        "left as it was: {state:?}"
    );
    let migrated = run(db, &["migrate"]).await;
    assert!(migrated.status.success(), "{}", said(&migrated));
    let exported = run(db, &["export", &out]).await;
    assert!(exported.status.success(), "{}", said(&exported));

    // Ahead of it (a newer Vellum migrated): serve and the rest refuse.
    let checksum = if db.is_postgres() {
        "decode('00', 'hex')"
    } else {
        "X'00'"
    };
    db.raw_sql(&format!(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES (99990101, 'from a newer Vellum', CURRENT_TIMESTAMP, TRUE, {checksum}, 0)"
    ))
    .await;
    let newer = run(db, &["serve", "--addr", "127.0.0.1:0"]).await;
    assert!(!newer.status.success());
    assert!(
        said(&newer).contains("a newer Vellum has upgraded this database"),
        "{}",
        said(&newer)
    );
    let export = db.dir().join("newer").display().to_string();
    let refused = run(db, &["export", &export]).await;
    assert!(!refused.status.success());
    assert!(
        said(&refused).contains("a newer Vellum has upgraded this database"),
        "{}",
        said(&refused)
    );
}

/// `--dry-run` promises to write nothing: where there is no database yet
/// it shows an import into an empty site, and still makes none.
async fn a_dry_run_without_a_database_makes_none(db: &TestDb) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import/wordpress.xml");
    let dry = run(
        db,
        &["import", "wordpress", &fixture.display().to_string(), "--dry-run"],
    )
    .await;
    assert!(dry.status.success(), "{}", said(&dry));
    assert!(said(&dry).contains("Dry run: nothing was written"), "{}", said(&dry));
    assert!(said(&dry).contains("would be created"), "{}", said(&dry));
    assert!(!db.dir().join("vellum.db").exists(), "no SQLite file");
    assert!(!db.dir().join("media").exists(), "no media folder");
    let store = app::store::connect(db.url()).await.expect("connect");
    let state = store.schema_state().await.expect("state");
    store.close().await;
    assert_eq!(state, app::store::SchemaState::Empty, "no tables either");
}

crate::on_both_databases!(
    only_serve_and_migrate_change_the_schema,
    a_dry_run_without_a_database_makes_none
);

/// How many of `database`'s connections the server sees encrypted.
async fn encrypted_connections(admin: &str, database: &str) -> i64 {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(admin).await.expect("connect");
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid \
         WHERE a.datname = $1 AND s.ssl",
    )
    .bind(database)
    .fetch_one(&mut connection)
    .await
    .expect("pg_stat_ssl")
}

/// Managed PostgreSQL services require TLS. Debian's PostgreSQL has it on
/// with its "snakeoil" certificate (for `localhost`): Vellum connects
/// encrypted when the URL says `sslmode=require`, checks the certificate
/// with `verify-full`, and refuses a server whose name does not match.
#[tokio::test]
async fn postgresql_connections_use_tls_when_the_url_asks() {
    let Some(db) = TestDb::postgres().await else { return };
    const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    let admin = std::env::var("VELLUM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let admin = admin.as_str();
    let ssl_on = {
        use sqlx::Connection;
        let mut connection = sqlx::PgConnection::connect(admin).await.expect("connect");
        let ssl: String = sqlx::query_scalar("SHOW ssl")
            .fetch_one(&mut connection)
            .await
            .expect("SHOW ssl");
        ssl == "on" && Path::new(SNAKEOIL).exists()
    };
    if !ssl_on {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI's PostgreSQL must have ssl = on (Debian's default)"
        );
        eprintln!("SKIPPED: this PostgreSQL has no TLS");
        return;
    }
    // Debian names its certificate after the machine (here `localhost`).
    let subject = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-subject", "-nameopt", "multiline", "-in", SNAKEOIL])
        .output()
        .expect("openssl reads the certificate");
    let subject = String::from_utf8_lossy(&subject.stdout).into_owned();
    let certificate_name = subject
        .lines()
        .find_map(|line| line.trim().strip_prefix("commonName"))
        .map(|rest| rest.trim_start_matches([' ', '=']).trim().to_owned())
        .expect("the certificate names its host");
    let name = db.url().rsplit('/').next().expect("database name").to_owned();
    let migrate = |url: String| {
        vellum()
            .args(["migrate", "--database-url", &url, "--data-dir"])
            .arg(db.dir())
            .output()
            .expect("run vellum migrate")
    };

    // Plain when asked: the comparison below means something.
    let plain = app::store::connect(&format!("{}?sslmode=disable", db.url()))
        .await
        .expect("connect");
    plain.migrate().await.expect("migrate");
    assert_eq!(
        encrypted_connections(admin, &name).await,
        0,
        "sslmode=disable is plaintext"
    );
    plain.close().await;

    let required = format!("{}?sslmode=require", db.url());
    let store = app::store::connect(&required)
        .await
        .expect("connect with sslmode=require");
    store.migrate().await.expect("migrate over TLS");
    assert!(
        encrypted_connections(admin, &name).await > 0,
        "the connections are encrypted"
    );
    store.close().await;

    let by_name = db.url().replace("127.0.0.1", &certificate_name);
    let verified = migrate(format!("{by_name}?sslmode=verify-full&sslrootcert={SNAKEOIL}"));
    assert!(verified.status.success(), "{}", said(&verified));

    let wrong_name = migrate(format!("{}?sslmode=verify-full&sslrootcert={SNAKEOIL}", db.url()));
    assert!(!wrong_name.status.success(), "127.0.0.1 is not the certificate's name");
    assert!(
        said(&wrong_name).contains("cannot open the database"),
        "{}",
        said(&wrong_name)
    );
}
