//! `vellum import vellum DIR`: an export (`vellum export`) back into an
//! empty database, on either backend, with every id, revision, comment and
//! old address as it was. Media files are copied into the media store
//! first (content-addressed, so a repeat writes the same bytes); the rows
//! then go in one transaction.

use anyhow::{Context, anyhow, bail};
use app::posts::server::PostFilter;
use app::store::transfer::SiteExport;

use crate::cli::VellumImportArgs;

pub async fn import(args: &VellumImportArgs) -> anyhow::Result<()> {
    let path = args.dir.join("site.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let site: SiteExport =
        serde_json::from_str(&text).map_err(|error| anyhow!("{} is not a Vellum export: {error}", path.display()))?;
    site.check()
        .map_err(|message| anyhow!("{}: {message}", path.display()))?;
    let store = crate::open_existing(&args.database).await?;
    let restored = async {
        // Made once the database is known to be there: a mistyped data
        // folder leaves nothing behind.
        let storage = app::store::files::MediaStorage::from_setting(&args.media.media_store, &args.database.data_dir)
            .map_err(|message| anyhow!("VELLUM_MEDIA_STORE: {message}"))?;
        // Refused before any file is copied (the restore checks again, in
        // its transaction).
        let failed = |error: app::error::AppError| anyhow!("{error}");
        let any_posts = PostFilter {
            limit: 1,
            ..PostFilter::default()
        };
        if store.count_users().await.map_err(failed)? > 0
            || !store.list_posts(&any_posts).await.map_err(failed)?.is_empty()
            || !store.list_tags().await.map_err(failed)?.is_empty()
            || !store.media_list("", 1).await.map_err(failed)?.is_empty()
        {
            bail!("nothing was imported: this database already has users, posts, tags or media; use an empty one");
        }
        let mut files = 0;
        for item in &site.media {
            let keys = std::iter::once(&item.original_key).chain(item.variants.iter().map(|variant| &variant.key));
            for key in keys {
                // `check` made sure each key is a file name of ours.
                let file = args.dir.join("media").join(key);
                match std::fs::read(&file) {
                    Ok(bytes) => {
                        storage.put(key, bytes).await.map_err(|error| anyhow!("{error}"))?;
                        files += 1;
                    }
                    Err(error) => eprintln!("warning: {} is missing from the export ({error})", file.display()),
                }
            }
        }
        store
            .restore_site(&site)
            .await
            .map_err(|error| anyhow!("nothing was imported: {error}"))?;
        anyhow::Ok(files)
    }
    .await;
    store.close().await;
    let files = restored?;
    println!(
        "Imported {} posts, {} people, {} tags and {} media items ({files} files).",
        site.posts.len(),
        site.users.len(),
        site.tags.len(),
        site.media.len()
    );
    println!("Exports hold no passwords: set one with `vellum user password --email …` before signing in.");
    Ok(())
}
