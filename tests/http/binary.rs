//! The `vellum` binary as an operator runs it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use reqwest::StatusCode;
use tempfile::TempDir;

use crate::client;

pub(crate) fn vellum() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vellum"));
    // The tests choose every setting themselves, whatever the shell has.
    for key in [
        "VELLUM_DATABASE_URL",
        "VELLUM_DATA_DIR",
        "VELLUM_SITE_URL",
        "LEPTOS_SITE_ADDR",
        "VELLUM_DEMO",
        "VELLUM_LOG",
        "VELLUM_LOG_FORMAT",
        "VELLUM_METRICS_ADDR",
        "VELLUM_METRICS_TOKEN",
        "VELLUM_TRUST_PROXY",
        "VELLUM_WEBHOOKS_ALLOW_PRIVATE",
    ] {
        command.env_remove(key);
    }
    command.env("NO_COLOR", "1");
    command
}

#[test]
fn help_lists_the_commands() {
    let output = vellum().arg("--help").output().expect("run vellum --help");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("serve"), "{text}");
    assert!(text.contains("migrate"), "{text}");
    let serve_help = vellum()
        .args(["serve", "--help"])
        .output()
        .expect("run vellum serve --help");
    let text = String::from_utf8_lossy(&serve_help.stdout);
    for variable in [
        "LEPTOS_SITE_ADDR",
        "VELLUM_SITE_URL",
        "VELLUM_DATABASE_URL",
        "VELLUM_DATA_DIR",
    ] {
        assert!(text.contains(variable), "serve --help names {variable}: {text}");
    }
}

#[test]
fn migrate_creates_the_default_sqlite_database_in_the_data_directory() {
    let dir = TempDir::new().expect("temporary folder");
    let data_dir = dir.path().join("data");
    let output = vellum()
        .arg("migrate")
        .env("VELLUM_DATA_DIR", &data_dir)
        .output()
        .expect("run vellum migrate");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    assert!(data_dir.join("vellum.db").is_file());
    assert!(String::from_utf8_lossy(&output.stdout).contains("database schema created"));
    let again = vellum()
        .arg("migrate")
        .env("VELLUM_DATA_DIR", &data_dir)
        .output()
        .expect("run again");
    assert!(String::from_utf8_lossy(&again.stdout).contains("up to date"));
}

#[test]
fn a_bad_database_url_is_refused_with_a_clear_message() {
    let output = vellum()
        .args(["migrate", "--database-url", "mysql://localhost/vellum"])
        .output()
        .expect("run vellum migrate");
    assert!(!output.status.success());
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("unsupported database URL"), "{text}");
}

/// Reads the server's log lines on a thread, so the test can wait for one.
pub(crate) struct Logs {
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Logs {
    pub(crate) fn follow(child: &mut Child) -> Self {
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            lines,
            seen: Vec::new(),
        }
    }

    /// Where the server listens, once it says so.
    pub(crate) fn address(&mut self) -> String {
        let line = self.wait_for("listening on http://");
        line.rsplit("listening on ").next().expect("address").trim().to_owned()
    }

    fn wait_for(&mut self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!("no log line with {needle:?}; saw:\n{}", self.seen.join("\n")),
            }
        }
    }
}

#[tokio::test]
async fn serve_logs_each_request_and_stops_cleanly_on_sigterm() {
    serve_then_stop_with("TERM").await;
}

#[tokio::test]
async fn serve_stops_cleanly_on_sigint() {
    serve_then_stop_with("INT").await;
}

async fn serve_then_stop_with(signal: &str) {
    let dir = TempDir::new().expect("temporary folder");
    let mut child = vellum()
        .arg("serve")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("VELLUM_DATA_DIR", dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start vellum serve");
    let mut logs = Logs::follow(&mut child);
    let base = logs.address();

    let response = client()
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("GET /readyz");
    assert_eq!(response.status(), StatusCode::OK);
    let request_line = logs.wait_for("path=/readyz");
    assert!(request_line.contains("method=GET"), "{request_line}");
    assert!(request_line.contains("status=200"), "{request_line}");
    assert!(request_line.contains("latency_ms="), "{request_line}");

    let status = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("send the signal");
    assert!(status.success());
    logs.wait_for("stopped");
    let exit = child.wait().expect("vellum exits");
    assert!(exit.success(), "exit status {exit}");
}

fn add_user(data_dir: &std::path::Path, args: &[&str], password: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = vellum()
        .args(["user", "add"])
        .args(args)
        .env("VELLUM_DATA_DIR", data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vellum user add");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write the password");
    child.wait_with_output().expect("vellum user add finishes")
}

#[tokio::test]
async fn user_add_creates_an_account_with_the_password_from_stdin() {
    let dir = TempDir::new().expect("temporary folder");
    let admin = [
        "--email",
        "Admin@Clinic.org",
        "--name",
        "Dr. Ana Ruiz",
        "--role",
        "admin",
    ];
    // A mistyped data folder must not become a new, empty site.
    let refused = add_user(dir.path(), &admin, crate::PASSWORD);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("pass --create to make a new one"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(!dir.path().join("vellum.db").exists(), "no database was made");
    let output = add_user(dir.path(), &[&admin[..], &["--create"]].concat(), crate::PASSWORD);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Created Dr. Ana Ruiz <admin@clinic.org> as admin."));

    let store = app::store::connect(&format!("sqlite://{}", dir.path().join("vellum.db").display()))
        .await
        .expect("open the database");
    let email = app::accounts::server::Email::parse("admin@clinic.org").expect("email");
    let user = store
        .user_by_email(&email)
        .await
        .expect("query")
        .expect("the user exists");
    assert_eq!(user.role, app::accounts::Role::Admin);
    let hash = user.password_hash.clone().expect("a password hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(
        app::accounts::server::verify_password(crate::PASSWORD.to_owned(), Some(hash))
            .await
            .expect("verify"),
        "the password from stdin is the one stored"
    );
    store.close().await;

    let again = add_user(
        dir.path(),
        &["--email", "admin@clinic.org", "--name", "Someone", "--role", "admin"],
        crate::PASSWORD,
    );
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("exists already"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn user_add_refuses_weak_passwords_and_password_flags() {
    let dir = TempDir::new().expect("temporary folder");
    let weak = add_user(
        dir.path(),
        &["--email", "ana@clinic.org", "--name", "Ana"],
        "password1234",
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("common passwords"));
    let short = add_user(dir.path(), &["--email", "ana@clinic.org", "--name", "Ana"], "short");
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));

    let flag = vellum()
        .args([
            "user",
            "add",
            "--email",
            "ana@clinic.org",
            "--name",
            "Ana",
            "--password",
            "x",
        ])
        .env("VELLUM_DATA_DIR", dir.path())
        .output()
        .expect("run");
    assert!(!flag.status.success(), "there is no --password flag");
}

/// `make run` starts `vellum serve --demo`: the log names the demo admin
/// and a fresh password, and that password signs in.
#[tokio::test]
async fn the_demo_admin_password_from_the_log_signs_in() {
    use leptos::server_fn::ServerFn;
    let dir = TempDir::new().expect("temporary folder");
    let mut child = vellum()
        .args(["serve", "--demo"])
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("VELLUM_DATA_DIR", dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start vellum serve --demo");
    let mut logs = Logs::follow(&mut child);
    let demo = logs.wait_for("Demo content added");
    let password = demo
        .split("with the password ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a password in the log")
        .to_owned();
    let base = logs.address();

    let response = client()
        .post(format!("{base}{}", app::accounts::api::Login::PATH))
        .header("origin", &base)
        .form(&[
            ("email", "admin@demo.vellum.test"),
            ("password", password.as_str()),
            ("next", "/admin"),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/admin")
    );

    // The demo has a published, reviewed article to look at.
    let article = client()
        .get(format!("{base}/posts/five-habits-for-a-healthier-heart"))
        .send()
        .await
        .expect("GET the demo article");
    assert_eq!(article.status(), StatusCode::OK);
    let html = article.text().await.expect("body");
    assert!(
        html.contains("Medically reviewed by Dr. Maya Patel, MD, family physician on"),
        "{html}"
    );
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
}

/// Two instances on one PostgreSQL database, as behind a load balancer: a
/// change made through one reaches readers of the other at once, though
/// the other had the page in its cache (LISTEN/NOTIFY).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_through_one_instance_clears_the_other_instances_cache() {
    use app::accounts::Role;
    use app::posts::workflow::PostStatus;

    use crate::blog::{noon, post_as};

    let Some(db) = crate::support::TestDb::postgres().await else {
        return;
    };
    let one = crate::start(&db).await;
    let ana = crate::create_user(&one, "ana@clinic.org", "Ana Ruiz", Role::Editor).await;
    post_as(&one, &ana, "First post", "", PostStatus::Published, noon(), None).await;

    let dir = TempDir::new().expect("temporary folder");
    let mut two = vellum()
        .arg("serve")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("VELLUM_DATABASE_URL", db.url())
        .env("VELLUM_DATA_DIR", dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start a second vellum");
    let mut logs = Logs::follow(&mut two);
    let base = logs.address();
    let home = || async {
        let response = client().get(format!("{base}/")).send().await.expect("GET /");
        let hit = response.headers()["x-cache"] == "HIT";
        (response.text().await.expect("body"), hit)
    };
    home().await;
    let (html, hit) = home().await;
    assert!(hit && html.contains("First post") && !html.contains("Second post"));

    post_as(&one, &ana, "Second post", "", PostStatus::Published, noon(), None).await;
    let mut seen = false;
    for _ in 0..50 {
        if home().await.0.contains("Second post") {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "the second instance shows the new post within 5 seconds");

    let _ = Command::new("kill").args(["-TERM", &two.id().to_string()]).status();
    let _ = two.wait();
    one.stop().await.expect("stop");
    db.cleanup().await;
}
