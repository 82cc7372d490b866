//! The command line. Every option can also come from an environment
//! variable (and from a `.env` file, see `.env.example`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "vellum",
    version,
    about = "Vellum: a headless CMS for medically reviewed health articles"
)]
pub struct Cli {
    /// Read settings from this file first (`KEY=VALUE` lines, as in
    /// `.env.example`); variables already set in the environment win. A
    /// file that cannot be read stops the command. Without it, a `.env`
    /// file in the current folder is read when there is one.
    #[arg(long, global = true, value_name = "FILE")]
    pub env_file: Option<PathBuf>,

    /// Log filter in tracing's EnvFilter syntax, e.g. `info` or
    /// `vellum=debug,info`.
    #[arg(long, global = true, env = "VELLUM_LOG", default_value = DEFAULT_LOG)]
    pub log: String,

    /// How log lines are written: `text` for people, `json` (one object a
    /// line) for log collectors.
    #[arg(long, global = true, env = "VELLUM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

/// The log filter when none is given. html5ever's notes on the HTML it
/// repairs are the importer's business, reported in its own words.
pub const DEFAULT_LOG: &str = "info,html5ever=error,markup5ever=error";

/// The shape of log lines (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Boolean settings from the environment read as people write them:
/// true/false, 1/0, yes/no, on/off (any case).
fn boolish() -> clap::builder::BoolishValueParser {
    clap::builder::BoolishValueParser::new()
}

/// Sets the file's `KEY=VALUE` lines as environment variables, except
/// those the environment already has. A line it cannot read is named by
/// its place only: the line may hold a secret.
pub fn read_env_file(file: &std::path::Path, what: &str) -> anyhow::Result<()> {
    dotenvy::from_path(file).map_err(|error| match error {
        dotenvy::Error::LineParse(_, at) => {
            anyhow::anyhow!(
                "cannot read {what} {}: a line is not KEY=VALUE (at its character {at})",
                file.display()
            )
        }
        dotenvy::Error::Io(error) => anyhow::anyhow!("cannot read {what} {}: {error}", file.display()),
        other => anyhow::anyhow!("cannot read {what} {}: {other}", file.display()),
    })
}

/// The `--env-file` among raw arguments, read before the command line is
/// parsed (the file's settings are defaults for it).
pub fn env_file_in<I: IntoIterator<Item = std::ffi::OsString>>(args: I) -> Option<PathBuf> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            return None;
        }
        if arg == "--env-file" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.to_str().and_then(|arg| arg.strip_prefix("--env-file=")) {
            return Some(PathBuf::from(path));
        }
    }
    None
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the public site, the admin and the API.
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit.
    Migrate(DatabaseArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Copy the SQLite database to FILE while Vellum serves (a consistent
    /// snapshot). The media folder is copied separately (its files never
    /// change); PostgreSQL sites use pg_dump.
    Backup(BackupArgs),
    /// Put a backup made by `vellum backup` in place of the database.
    /// Stop Vellum first.
    Restore(RestoreArgs),
    /// Write the whole site to DIR in open formats: site.json (every post
    /// with its revisions and comments, users without passwords, tags,
    /// settings, media), one Markdown file per post, and the media files.
    Export(ExportArgs),
    /// Bring content in: a WordPress or Ghost export (created or, on a
    /// second run, updated; `--dry-run` first shows what would change), or
    /// a Vellum export into an empty database.
    #[command(subcommand)]
    Import(ImportCommand),
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// A new or empty folder.
    pub dir: PathBuf,
    #[command(flatten)]
    pub media: MediaArgs,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// A WordPress export (Tools → Export → All content: an .xml file).
    /// Images are fetched from the old site while it is still online.
    Wordpress(ForeignImportArgs),
    /// A Ghost export (Settings → Advanced → Import/Export: a .json file).
    Ghost(ForeignImportArgs),
    /// A folder written by `vellum export`, into an empty database.
    Vellum(VellumImportArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ForeignImportArgs {
    /// The export file.
    pub file: PathBuf,
    /// Show what would be created and changed, and write nothing (images
    /// are not fetched).
    #[arg(long)]
    pub dry_run: bool,
    /// The old site's address, e.g. https://blog.example.org. Ghost
    /// exports write it as __GHOST_URL__; WordPress exports name it
    /// themselves, and this overrides it (e.g. when the site moved).
    #[arg(long)]
    pub site_url: Option<String>,
    /// Fetch images even though the old site is on a private network or
    /// this machine (refused by default: the file chooses the addresses).
    #[arg(long)]
    pub allow_private: bool,
    /// Also write the report as JSON to this file, for scripts.
    #[arg(long, value_name = "FILE.json")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub media: MediaArgs,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct VellumImportArgs {
    /// A folder written by `vellum export` (holding site.json).
    pub dir: PathBuf,
    #[command(flatten)]
    pub media: MediaArgs,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The backup file to write; it must not exist yet.
    pub file: PathBuf,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// A file made by `vellum backup`.
    pub file: PathBuf,
    /// Replace an existing database (it is kept beside, renamed
    /// `….before-restore-<time>`, with -2, -3, … when that name is taken).
    #[arg(long)]
    pub replace: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token for a user and print it (shown once),
    /// e.g. for a deployment script; people make their own in the admin.
    Add(TokenAddArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TokenAddArgs {
    /// The owner's email address.
    #[arg(long)]
    pub email: String,
    /// What the token is for, e.g. "Clinic website".
    #[arg(long)]
    pub name: String,
    /// read or write.
    #[arg(long, default_value = "read")]
    pub scope: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from a prompt, or from the first
    /// line of standard input when that is not a terminal; never from a flag.
    Add(UserAddArgs),
    /// Set a user's password (read as for `add`), e.g. after `vellum
    /// import vellum`, which brings no passwords.
    Password(UserPasswordArgs),
    /// Remove a user's second factors (their authenticator app, recovery
    /// codes and passkeys), e.g. after a lost phone: they sign in with their
    /// password alone until they set up a new one. Audited.
    #[command(name = "reset-2fa")]
    ResetTwoFactor(UserResetTwoFactorArgs),
}

#[derive(Debug, Clone, Args)]
pub struct UserResetTwoFactorArgs {
    #[arg(long)]
    pub email: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UserPasswordArgs {
    #[arg(long)]
    pub email: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub email: String,
    /// The name shown in bylines, e.g. "Dr. Ana Ruiz".
    #[arg(long)]
    pub name: String,
    /// author, editor or admin.
    #[arg(long, default_value = "author")]
    pub role: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://path/to/file.db or postgres://user@host/db.
    /// Default: a SQLite file `vellum.db` in the data directory.
    #[arg(long, env = "VELLUM_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Where Vellum keeps its files (the default SQLite database, later uploads).
    #[arg(long, env = "VELLUM_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Make a new database when there is none (for `user`, `token`,
    /// `import` and `export`, which refuse a missing or empty database
    /// without it, so a mistyped setting never starts a new, empty site).
    /// `serve` and `migrate` always make one; `backup` and `restore` never.
    #[arg(long)]
    pub create: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Port 0 picks a free port.
    #[arg(long = "addr", env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The public address of the site, e.g. https://blog.example.org. When set,
    /// it is saved to the site settings at start; otherwise the settings keep theirs.
    #[arg(long, env = "VELLUM_SITE_URL")]
    pub site_url: Option<String>,

    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The folder with the compiled front end (`pkg/` with wasm, JS and CSS),
    /// as `make build` or `make release` leaves it in target/site.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Fill a brand-new database with demo content.
    #[arg(long, env = "VELLUM_DEMO", value_parser = boolish())]
    pub demo: bool,

    /// Vellum runs behind a reverse proxy: take the client address (for
    /// sign-in throttling and the audit log) from X-Forwarded-For.
    #[arg(long, env = "VELLUM_TRUST_PROXY", value_parser = boolish())]
    pub trust_proxy: bool,

    /// How long browsers and shared caches may reuse a public page, feed or
    /// API response without asking again, in seconds. 0 (the default)
    /// makes them revalidate every time with the ETag, which costs a 304
    /// but never shows a reader an outdated page.
    #[arg(long, env = "VELLUM_CACHE_MAX_AGE", default_value_t = 0)]
    pub cache_max_age: u32,

    /// Memory for the cache of rendered public pages, feeds and API reads,
    /// in MiB; 0 turns the cache off. Every change readers can see empties
    /// it, so it never serves an outdated page.
    #[arg(long, env = "VELLUM_PUBLIC_CACHE_MB", default_value_t = 32)]
    pub public_cache_mb: usize,

    /// Requests per minute one client address may make to the public API
    /// (`/api/v1`), in bursts of up to as many; past it the API answers 429
    /// with Retry-After. 0 turns the limit off.
    #[arg(long, env = "VELLUM_API_RATE_LIMIT", default_value_t = 600)]
    pub api_rate_limit: u32,

    /// Requests per minute one personal API token may make to the admin
    /// API (`/api/v1/admin`); past it, 429 with Retry-After. 0 turns the
    /// limit off (the per-address limit still counts these requests).
    #[arg(long, env = "VELLUM_API_TOKEN_RATE_LIMIT", default_value_t = 300)]
    pub api_token_rate_limit: u32,

    /// Lets webhooks reach loopback and private-network addresses. Off by
    /// default, so that an admin account cannot make the server probe its
    /// own network; turn it on for receivers inside that network.
    #[arg(long, env = "VELLUM_WEBHOOKS_ALLOW_PRIVATE", value_parser = boolish())]
    pub webhooks_allow_private: bool,

    #[command(flatten)]
    pub media: MediaArgs,

    /// The SMTP server Vellum sends email through, e.g.
    /// smtps://user:password@mail.clinic.example:465 (or smtp://host:587?tls=required).
    /// Without it email is off and the admin shows links to copy instead.
    #[arg(long, env = "VELLUM_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of Vellum's email: an address, or "Name <address>". Without
    /// a name, messages go out in the site's title. Defaults to vellum@ the
    /// site's domain.
    #[arg(long, env = "VELLUM_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Origins allowed to read the public API from a browser (CORS), comma
    /// separated; `*` (the default) allows every origin.
    #[arg(long, env = "VELLUM_API_CORS_ORIGINS", default_value = "*", value_delimiter = ',')]
    pub api_cors_origins: Vec<String>,

    /// Shifts the server's clock by this many seconds. For tests that check
    /// what happens "later" (scheduled posts) by restarting the server;
    /// leave it at 0 in production.
    #[arg(long, env = "VELLUM_CLOCK_OFFSET_SECS", default_value_t = 0, hide = true)]
    pub clock_offset_secs: i64,

    /// Serve Prometheus metrics at GET /metrics on this separate address,
    /// e.g. 127.0.0.1:9100, to anyone who reaches it: bind it where only
    /// the monitoring can. Port 0 picks a free port. Without it (and
    /// without a metrics token) there are no metrics.
    #[arg(long, env = "VELLUM_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Serve Prometheus metrics at GET /metrics on the main address, to
    /// requests with `Authorization: Bearer <this token>` (at least 16
    /// characters).
    #[arg(long, env = "VELLUM_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
}

/// Where media files are kept and what an image may be.
#[derive(Debug, Clone, Args)]
pub struct MediaArgs {
    /// Where media files are kept: empty for the `media` folder in the data
    /// directory (one instance), or `s3://bucket` for S3-compatible object
    /// storage that several instances share (credentials, region and
    /// endpoint from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
    /// AWS_ENDPOINT; AWS_ALLOW_HTTP=true for a plain-http endpoint).
    #[arg(long, env = "VELLUM_MEDIA_STORE", default_value = "")]
    pub media_store: String,

    /// The largest image upload accepted, in MB.
    #[arg(long, env = "VELLUM_MEDIA_MAX_MB", default_value_t = 10)]
    pub media_max_mb: usize,

    /// The most megapixels an uploaded image may have; larger ones (and
    /// decompression bombs) are refused before they are decoded.
    #[arg(long, env = "VELLUM_MEDIA_MAX_MEGAPIXELS", default_value_t = 50)]
    pub media_max_megapixels: u64,
}

impl DatabaseArgs {
    /// The database URL to use, defaulting to a SQLite file in the data directory.
    pub fn resolved_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("vellum.db").display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn the_default_database_is_a_sqlite_file_in_the_data_directory() {
        let cli = Cli::try_parse_from(["vellum", "migrate", "--data-dir", "/srv/vellum"]).expect("valid");
        let Command::Migrate(database) = cli.command else {
            panic!("expected migrate");
        };
        assert_eq!(database.resolved_url(), "sqlite:///srv/vellum/vellum.db");
    }

    #[test]
    fn a_postgres_url_is_used_as_given() {
        let cli = Cli::try_parse_from([
            "vellum",
            "serve",
            "--database-url",
            "postgres://vellum@db/vellum",
            "--addr",
            "0.0.0.0:8080",
        ])
        .expect("valid");
        let Command::Serve(serve) = cli.command else {
            panic!("expected serve");
        };
        assert_eq!(serve.database.resolved_url(), "postgres://vellum@db/vellum");
        assert_eq!(serve.addr.port(), 8080);
    }
}
