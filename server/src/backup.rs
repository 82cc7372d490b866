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
    // Empty and 0600 before a byte is in it: it holds sessions and token
    // digests, for the operator's eyes only.
    app::store::files::create_private_file(&args.file)
        .with_context(|| format!("cannot create {}", args.file.display()))?;
    let store = app::store::connect(&args.database.resolved_url()).await?;
    let result = store.backup_into(&args.file).await;
    store.close().await;
    if result.is_err() {
        let _ = std::fs::remove_file(&args.file);
    }
    result.map_err(|error| match error {
        app::error::AppError::Validation { fields } => {
            anyhow::anyhow!("{}", fields.into_values().flatten().collect::<Vec<_>>().join(" "))
        }
        other => anyhow::anyhow!("{other}"),
    })?;
    println!("Backed up the database to {}.", args.file.display());
    Ok(())
}

/// The SQLite file a database setting names.
fn sqlite_file(database: &DatabaseArgs) -> anyhow::Result<PathBuf> {
    app::store::sqlite_file(&database.resolved_url())
        .context("`vellum backup` and `vellum restore` are for SQLite databases; use pg_dump and pg_restore")
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
        app::store::files::create_private_dir(parent)?;
    }
    // The copy is checked before it replaces anything.
    let incoming = PathBuf::from(format!("{}.restoring", target.display()));
    std::fs::copy(&args.file, &incoming).with_context(|| format!("cannot write {}", incoming.display()))?;
    if let Err(error) = check_is_vellum_database(&incoming).await {
        remove_with_sidecars(&incoming);
        return Err(error.context(format!("{} is not a Vellum backup", args.file.display())));
    }
    if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S").to_string();
        let kept = kept_name(&target, &stamp);
        move_with_sidecars(&target, &kept)?;
        println!("The database that was there is kept as {}.", kept.display());
    }
    move_with_sidecars(&incoming, &target)?;
    // A backup from an older Vellum is brought up to date by `serve` (or
    // `vellum migrate`), like any database: only those two migrate.
    println!("Restored {} into {}.", args.file.display(), target.display());
    Ok(())
}

/// A database's write-ahead log and index travel with it.
const SIDECARS: [&str; 3] = ["", "-wal", "-shm"];

/// The file and its sidecars' names.
fn with_sidecars(path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    SIDECARS
        .iter()
        .map(move |suffix| PathBuf::from(format!("{}{suffix}", path.display())))
}

/// Something (a file, a folder, even a dangling link) has this name.
fn taken(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

/// The name for the database a restore replaces: `<target>.before-restore-
/// <stamp>`, or with -2, -3, … added when that name, its log or its index
/// is taken (two restores within one second), so that a kept copy never
/// overwrites another.
fn kept_name(target: &Path, stamp: &str) -> PathBuf {
    let base = format!("{}.before-restore-{stamp}", target.display());
    (1_u32..)
        .map(|n| match n {
            1 => PathBuf::from(&base),
            n => PathBuf::from(format!("{base}-{n}")),
        })
        .find(|candidate| !with_sidecars(candidate).any(|name| taken(&name)))
        .expect("some number is free")
}

/// Moves the database with its sidecars to a name that is free: an
/// existing file at the new name is never replaced.
fn move_with_sidecars(from: &Path, to: &Path) -> anyhow::Result<()> {
    if let Some(existing) = with_sidecars(to).find(|name| taken(name)) {
        bail!("{} exists already; not overwriting it", existing.display());
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::write(path, b"taken").expect("write");
    }

    #[test]
    fn a_kept_database_takes_the_first_name_free_with_its_log_and_index() {
        let folder = tempfile::TempDir::new().expect("folder");
        let target = folder.path().join("vellum.db");
        let stamp = "20260102T030405";
        let first = folder.path().join("vellum.db.before-restore-20260102T030405");
        assert_eq!(kept_name(&target, stamp), first, "the time alone while it is free");

        touch(&first);
        let second = folder.path().join("vellum.db.before-restore-20260102T030405-2");
        assert_eq!(kept_name(&target, stamp), second, "the same second: -2");

        // A log or index left alone under a name makes it taken too: the
        // kept database must not be joined to another one's log.
        touch(&folder.path().join("vellum.db.before-restore-20260102T030405-2-wal"));
        touch(&folder.path().join("vellum.db.before-restore-20260102T030405-3-shm"));
        assert_eq!(
            kept_name(&target, stamp),
            folder.path().join("vellum.db.before-restore-20260102T030405-4")
        );
    }

    #[test]
    fn moving_a_database_never_replaces_a_file_at_its_new_name() {
        let folder = tempfile::TempDir::new().expect("folder");
        let from = folder.path().join("vellum.db");
        let to = folder.path().join("vellum.db.kept");
        std::fs::write(&from, b"current").expect("write");
        std::fs::write(folder.path().join("vellum.db-wal"), b"current log").expect("write");
        std::fs::write(folder.path().join("vellum.db.kept-shm"), b"older index").expect("write");

        let refused = move_with_sidecars(&from, &to).expect_err("a sidecar is there");
        assert!(refused.to_string().contains("vellum.db.kept-shm"), "{refused}");
        assert_eq!(std::fs::read(&from).expect("still there"), b"current");
        assert_eq!(
            std::fs::read(folder.path().join("vellum.db.kept-shm")).expect("untouched"),
            b"older index"
        );

        std::fs::remove_file(folder.path().join("vellum.db.kept-shm")).expect("remove");
        move_with_sidecars(&from, &to).expect("moved");
        assert_eq!(std::fs::read(&to).expect("moved"), b"current");
        assert_eq!(
            std::fs::read(folder.path().join("vellum.db.kept-wal")).expect("log moved"),
            b"current log"
        );
        assert!(!from.exists(), "nothing left behind");
    }
}
