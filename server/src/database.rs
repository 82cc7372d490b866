//! Opening the database, by what a command may do to it. Only `serve` and
//! `migrate` change the schema (`open_store`); every other command opens
//! the database as it is (`open_existing`), so that a newer binary's CLI
//! never upgrades a database under older servers, and a mistyped setting
//! never makes a new, empty one.

use std::sync::Arc;

use anyhow::{Context, bail};
use app::store::{self, Migrated, SchemaState, Store};

use crate::cli::DatabaseArgs;

/// Connects to the configured database and brings its schema up to date
/// (`serve` and `migrate`); a database a newer Vellum migrated is refused.
pub async fn open_store(args: &DatabaseArgs) -> anyhow::Result<(Arc<dyn Store>, Migrated)> {
    if args.database_url.is_none() {
        app::store::files::create_private_dir(&args.data_dir)
            .with_context(|| format!("cannot create the data directory {}", args.data_dir.display()))?;
    }
    let store = store::connect(&args.resolved_url()).await?;
    if let Err(error) = refuse_newer(store.as_ref()).await {
        store.close().await;
        return Err(error);
    }
    let migrated = store.migrate().await.context("cannot apply the database migrations")?;
    Ok((store, migrated))
}

async fn refuse_newer(store: &dyn Store) -> anyhow::Result<()> {
    if let SchemaState::Ahead { unknown } = store.schema_state().await? {
        bail!(
            "a newer Vellum has upgraded this database ({unknown} migration(s) this binary does not know); \
             run that version, or restore the backup taken before the upgrade"
        );
    }
    Ok(())
}

/// Where the command's database is, in words (never the URL: it may hold
/// a password).
fn which(args: &DatabaseArgs) -> String {
    match store::sqlite_file(&args.resolved_url()) {
        Some(file) => format!("the database {}", file.display()),
        None => "the database in VELLUM_DATABASE_URL".to_owned(),
    }
}

/// Opens the database as it is, for every command but `serve` and
/// `migrate`: a missing or empty one only with `--create` (then it is
/// made and migrated), and one whose schema is behind or ahead of the
/// binary not at all.
pub async fn open_existing(args: &DatabaseArgs) -> anyhow::Result<Arc<dyn Store>> {
    let missing_file = store::sqlite_file(&args.resolved_url()).filter(|file| !file.exists());
    if let Some(file) = missing_file {
        if !args.create {
            bail!(
                "there is no database at {}: check VELLUM_DATA_DIR, VELLUM_DATABASE_URL or --env-file, \
                 or pass --create to make a new one",
                file.display()
            );
        }
        return Ok(open_store(args).await?.0);
    }
    let store = store::connect(&args.resolved_url()).await?;
    match usable(args, store.as_ref()).await {
        Ok(()) => Ok(store),
        Err(error) => {
            store.close().await;
            Err(error)
        }
    }
}

async fn usable(args: &DatabaseArgs, store: &dyn Store) -> anyhow::Result<()> {
    match store.schema_state().await? {
        SchemaState::Current => Ok(()),
        SchemaState::Empty if args.create => {
            store.migrate().await.context("cannot apply the database migrations")?;
            Ok(())
        }
        SchemaState::Empty => bail!(
            "{} has no Vellum tables yet: pass --create to set it up, or run `vellum migrate`",
            which(args)
        ),
        SchemaState::Behind { applied, known } => bail!(
            "{} is older than this binary ({applied} of {known} migrations applied): stop the servers that \
             use it, take a backup, and run `vellum migrate` first",
            which(args)
        ),
        SchemaState::Ahead { .. } => refuse_newer(store).await,
    }
}

/// Whether the database exists with Vellum's tables in it, found without
/// creating or changing anything (for `--dry-run`).
pub async fn exists(args: &DatabaseArgs) -> anyhow::Result<bool> {
    if store::sqlite_file(&args.resolved_url()).is_some_and(|file| !file.exists()) {
        return Ok(false);
    }
    let store = store::connect(&args.resolved_url()).await?;
    let state = store.schema_state().await;
    store.close().await;
    Ok(state? != SchemaState::Empty)
}
