//! `vellum backup` and `vellum restore`: a consistent copy of a SQLite
//! site's database taken while it serves, and putting one back.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::cli::{BackupArgs, DatabaseArgs, RestoreArgs};

pub async fn backup(args: &BackupArgs) -> anyhow::Result<()> {
    if args.file.exists() {
        bail!("{} exists already; choose a new file name", args.file.display());
    }
    // Opened as it is: no migration (a newer binary must not upgrade the
    // database under the running one) and no new empty database.
    if let Ok(file) = sqlite_file(&args.database)
        && !file.is_file()
    {
        bail!(
            "there is no database at {}; check VELLUM_DATA_DIR or VELLUM_DATABASE_URL",
            file.display()
        );
    }
    let store = app::store::connect(&args.database.resolved_url()).await?;
    let result = store.backup_into(&args.file).await;
    store.close().await;
    result.map_err(|error| match error {
        app::error::AppError::Validation { fields } => {
            anyhow::anyhow!("{}", fields.into_values().flatten().collect::<Vec<_>>().join(" "))
        }
        other => anyhow::anyhow!("{other}"),
    })?;
    // It holds sessions and token digests: for the operator's eyes only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&args.file, std::fs::Permissions::from_mode(0o600))?;
    }
    println!("Backed up the database to {}.", args.file.display());
    Ok(())
}

/// The SQLite file a database setting names.
fn sqlite_file(database: &DatabaseArgs) -> anyhow::Result<PathBuf> {
    let url = database.resolved_url();
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .context("`vellum restore` restores SQLite databases; restore PostgreSQL with pg_restore")?;
    Ok(PathBuf::from(path.split('?').next().unwrap_or(path)))
}

pub async fn restore(args: &RestoreArgs) -> anyhow::Result<()> {
    let target = sqlite_file(&args.database)?;
    if !args.file.is_file() {
        bail!("{} is not a file", args.file.display());
    }
    if target.exists() && !args.replace {
        bail!(
            "{} exists; stop Vellum and run again with --replace (the current database is kept beside it)",
            target.display()
        );
    }
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    // The copy is checked before it replaces anything.
    let incoming = PathBuf::from(format!("{}.restoring", target.display()));
    std::fs::copy(&args.file, &incoming).with_context(|| format!("cannot write {}", incoming.display()))?;
    if let Err(error) = check_is_vellum_database(&incoming).await {
        remove_with_sidecars(&incoming);
        return Err(error.context(format!("{} is not a Vellum backup", args.file.display())));
    }
    if target.exists() {
        // Named by the time, so a second restore never overwrites the
        // database the first one kept.
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let kept = PathBuf::from(format!("{}.before-restore-{stamp}", target.display()));
        move_with_sidecars(&target, &kept)?;
        println!("The database that was there is kept as {}.", kept.display());
    }
    move_with_sidecars(&incoming, &target)?;
    // The backup may come from an older Vellum: bring it up to date now.
    let (store, _) = crate::open_store(&args.database).await?;
    store.close().await;
    println!("Restored {} into {}.", args.file.display(), target.display());
    Ok(())
}

/// A database's write-ahead log and index travel with it.
const SIDECARS: [&str; 3] = ["", "-wal", "-shm"];

fn move_with_sidecars(from: &Path, to: &Path) -> anyhow::Result<()> {
    for suffix in SIDECARS {
        let (from, to) = (
            format!("{}{suffix}", from.display()),
            format!("{}{suffix}", to.display()),
        );
        match std::fs::rename(&from, &to) {
            // SQLite removes a log it has folded in: a missing one is fine.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && !suffix.is_empty() => {}
            result => result.with_context(|| format!("cannot move {from} to {to}"))?,
        }
    }
    Ok(())
}

fn remove_with_sidecars(path: &Path) {
    for suffix in SIDECARS {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Vellum's tables answer: the file is a Vellum database.
async fn check_is_vellum_database(file: &Path) -> anyhow::Result<()> {
    let store = app::store::connect(&format!("sqlite://{}", file.display())).await?;
    let checked = store.ping().await;
    store.close().await;
    checked.map_err(|_| anyhow::anyhow!("it has no Vellum tables"))
}
