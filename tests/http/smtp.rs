//! A real SMTP server for the email tests: aiosmtpd (PyPI) running
//! tests/support/smtp_sink.py, which writes each message it receives to a
//! file. Tests read those files with mail-parser, as a mail program would.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use mail_parser::MessageParser;

pub struct SmtpSink {
    pub port: u16,
    folder: tempfile::TempDir,
    running: Option<(Child, ChildStdin)>,
}

/// A message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub raw: String,
    pub to: String,
}

fn python() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/smtp-sink-venv.sh");
    let output = Command::new(script).output().expect("tests/smtp-sink-venv.sh runs");
    assert!(
        output.status.success(),
        "installing aiosmtpd failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

impl SmtpSink {
    pub fn start() -> Self {
        let mut sink = Self {
            port: free_port(),
            folder: tempfile::tempdir().expect("folder"),
            running: None,
        };
        sink.resume();
        sink
    }

    /// `smtp://127.0.0.1:PORT`, as `VELLUM_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server: connections to its port are refused.
    pub fn stop(&mut self) {
        if let Some((mut child, stdin)) = self.running.take() {
            drop(stdin);
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, keeping what it received.
    pub fn resume(&mut self) {
        assert!(self.running.is_none(), "already running");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/support/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(self.folder.path())
            .arg(self.port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the SMTP sink starts");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the SMTP sink answers");
        assert!(line.starts_with("listening on"), "the SMTP sink said {line:?}");
        self.running = Some((child, stdin));
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.folder.path())
            .expect("folder")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|path| {
                let raw = std::fs::read_to_string(&path).expect("message");
                let (first, rest) = raw.split_once("\r\n").expect("envelope line");
                Received {
                    to: first.trim_start_matches("X-Sink-Rcpt-To: ").to_owned(),
                    raw: rest.to_owned(),
                }
            })
            .collect()
    }

    /// The messages sent to `to`.
    pub fn messages_to(&self, to: &str) -> Vec<Received> {
        self.messages().into_iter().filter(|message| message.to == to).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Received {
    /// A header's value, decoded (None when absent).
    pub fn header(&self, name: &str) -> Option<String> {
        let message = MessageParser::default().parse(self.raw.as_bytes()).expect("a message");
        message
            .header_raw(name)
            .map(|value| value.trim().replace("\r\n", "").replace('\n', ""))
    }

    pub fn subject(&self) -> String {
        let message = MessageParser::default().parse(self.raw.as_bytes()).expect("a message");
        message.subject().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        let message = MessageParser::default().parse(self.raw.as_bytes()).expect("a message");
        message.body_text(0).map(|text| text.into_owned()).unwrap_or_default()
    }

    pub fn html(&self) -> String {
        let message = MessageParser::default().parse(self.raw.as_bytes()).expect("a message");
        message.body_html(0).map(|html| html.into_owned()).unwrap_or_default()
    }

    /// The first address in the text body that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let text = self.text();
        let start = text
            .find(prefix)
            .unwrap_or_else(|| panic!("no {prefix} link in:\n{text}"));
        text[start..]
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}
