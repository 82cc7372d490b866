//! The deployment docs/deployment.md describes for larger sites: two
//! instances on one PostgreSQL database behind nginx (round robin, no
//! sticky sessions). The editorial golden flow runs through nginx, its
//! requests alternating between the instances.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};

use app::accounts::Role;
use app::accounts::api::Login;
use app::posts::api::{ChangeStatus, CreatePost, SavePost};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;
use serde_json::Value;

use crate::posts::edit_form;
use crate::support::TestDb;
use crate::{PASSWORD, create_user, start};

/// nginx on a free loopback port in front of `upstreams`; it adds the
/// upstream that answered as `X-Upstream`, so the test can see both work.
struct Nginx {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(upstreams: &[std::net::SocketAddr]) -> Option<Self> {
        if Command::new("nginx").arg("-v").output().is_err() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI needs nginx for the deployment test (.ci/setup installs it)"
            );
            eprintln!("SKIPPED: nginx is not installed (Debian package nginx)");
            return None;
        }
        let dir = tempfile::TempDir::new().expect("folder");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let servers: String = upstreams.iter().map(|addr| format!("server {addr};")).collect();
        let root = dir.path().display();
        let config = format!(
            "daemon off; master_process off; pid {root}/nginx.pid; error_log stderr error;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fastcgi;
  uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
  upstream vellum {{ {servers} keepalive 8; }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 12m;
    location / {{
      proxy_pass http://vellum;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}"
        );
        let file = dir.path().join("nginx.conf");
        std::fs::write(&file, config).expect("config");
        let child = Command::new("nginx")
            .args(["-c", &file.display().to_string(), "-p", &root.to_string()])
            .stdout(Stdio::null())
            .spawn()
            .expect("nginx starts");
        Some(Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser-like client that talks to nginx and notes which instance
/// answered each request.
struct Visitor {
    http: reqwest::Client,
    base: String,
}

impl Visitor {
    fn new(base: &str) -> Self {
        Self {
            http: crate::client(),
            base: base.to_owned(),
        }
    }

    async fn post(&self, path: &str, form: &[(&str, &str)], upstreams: &mut BTreeSet<String>) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .expect("POST through nginx");
        note(&response, upstreams);
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.unwrap_or(Value::Null)
    }

    async fn sign_in(&self, email: &str, upstreams: &mut BTreeSet<String>) {
        self.post(Login::PATH, &[("email", email), ("password", PASSWORD)], upstreams)
            .await;
    }

    async fn step(&self, post: &Value, transition: &str, upstreams: &mut BTreeSet<String>) -> Value {
        let (id, version) = (post["id"].to_string(), post["version"].to_string());
        let form = [
            ("id", id.as_str()),
            ("version", version.as_str()),
            ("transition", transition),
        ];
        self.post(ChangeStatus::PATH, &form, upstreams).await["post"].clone()
    }
}

fn note(response: &reqwest::Response, upstreams: &mut BTreeSet<String>) {
    if let Some(upstream) = response
        .headers()
        .get("x-upstream")
        .and_then(|value| value.to_str().ok())
    {
        upstreams.insert(upstream.to_owned());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_behind_nginx_run_the_editorial_flow() {
    let Some(db) = TestDb::postgres().await else { return };
    let one = start(&db).await;
    let two = start(&db).await;
    let Some(nginx) = Nginx::start(&[one.addr, two.addr]) else {
        return;
    };
    for _ in 0..100 {
        if reqwest::get(format!("{}/readyz", nginx.base))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    create_user(&one, "ana@clinic.org", "Ana Ruiz", Role::Author).await;
    create_user(&one, "maya@clinic.org", "Maya Patel", Role::Editor).await;
    let mut upstreams = BTreeSet::new();
    let ana = Visitor::new(&nginx.base);
    let maya = Visitor::new(&nginx.base);
    ana.sign_in("ana@clinic.org", &mut upstreams).await;
    maya.sign_in("maya@clinic.org", &mut upstreams).await;

    // Every request may land on either instance: sessions, versions and
    // the workflow live in the shared database.
    let post = ana
        .post(
            CreatePost::PATH,
            &[("title", "Sleep behind a balancer")],
            &mut upstreams,
        )
        .await;
    let form = edit_form(
        &post,
        &[("body", "## Why\n\nSleep repairs the body."), ("tags", "Sleep")],
    );
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let post = ana.post(SavePost::PATH, &form, &mut upstreams).await;
    let post = ana.step(&post, "submit", &mut upstreams).await;
    assert_eq!(post["status"], "in_review");
    let post = maya.step(&post, "approve", &mut upstreams).await;
    assert_eq!(post["status"], "approved");
    let post = maya.step(&post, "publish_now", &mut upstreams).await;
    assert_eq!(post["status"], "published");

    // Readers see it from both instances, cache or no cache.
    for _ in 0..4 {
        let page = reqwest::get(format!("{}/posts/sleep-behind-a-balancer", nginx.base))
            .await
            .expect("GET");
        note(&page, &mut upstreams);
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("body");
        assert!(html.contains("Medically reviewed by Maya Patel"), "{html}");
    }
    let expected: BTreeSet<String> = [one.addr, two.addr].iter().map(ToString::to_string).collect();
    assert_eq!(upstreams, expected, "both instances answered");
    drop(nginx);
    two.stop().await.expect("stop");
    one.stop().await.expect("stop");
    db.cleanup().await;
}
