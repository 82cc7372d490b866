//! `vellum export DIR`: the site's export (see `app::export`) written to
//! a new folder.

use anyhow::bail;

use crate::cli::ExportArgs;

pub async fn export(args: &ExportArgs) -> anyhow::Result<()> {
    if args.dir.exists() && std::fs::read_dir(&args.dir)?.next().is_some() {
        bail!("{} is not empty; choose a new folder", args.dir.display());
    }
    let state_store = crate::open_existing(&args.database).await?;
    // Users' emails and drafts: built in a folder only this user reads.
    if let Err(error) = app::store::files::create_private_dir(&args.dir) {
        state_store.close().await;
        return Err(error.into());
    }
    let media = app::store::files::MediaStorage::from_setting(&args.media.media_store, &args.database.data_dir)
        .map_err(|message| anyhow::anyhow!("VELLUM_MEDIA_STORE: {message}"))?;
    let result = app::export::writer::write_export(state_store.as_ref(), &media, &args.dir).await;
    state_store.close().await;
    let (posts, files) = result.map_err(|error| anyhow::anyhow!("{error}"))?;
    println!(
        "Exported {posts} posts and {files} media files to {}.",
        args.dir.display()
    );
    Ok(())
}
