//! The real server over real HTTP: started in-process on port 0 with a fresh
//! database (scenarios run on SQLite and PostgreSQL), plus the `vellum`
//! binary itself for the command line, logging and shutdown.

#[path = "../support/mod.rs"]
mod support;

mod binary;
mod pages;
mod probes;

use std::path::PathBuf;

use server::RunningServer;
use server::cli::{DatabaseArgs, ServeArgs};
use support::TestDb;

/// The options `vellum serve` would get, pointed at `db` and port 0.
pub fn serve_args(db: &TestDb) -> ServeArgs {
    ServeArgs {
        addr: "127.0.0.1:0".parse().expect("address"),
        site_url: None,
        database: DatabaseArgs {
            database_url: Some(db.url().to_owned()),
            data_dir: db.dir().to_path_buf(),
        },
        site_root: PathBuf::from("target/site"),
        demo: false,
    }
}

pub async fn start(db: &TestDb) -> RunningServer {
    server::start(&serve_args(db)).await.expect("server starts")
}

/// A client that keeps cookies and does not follow redirects, so tests see
/// exactly what the server answered.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

pub fn url(server: &RunningServer, path: &str) -> String {
    format!("http://{}{path}", server.addr)
}
