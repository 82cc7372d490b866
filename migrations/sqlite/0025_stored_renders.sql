-- A live text's render, made once when the text goes live rather than on
-- every request: the JSON of `content::Rendered` (sanitised HTML, headings
-- for the table of contents, word count, reading time, first paragraph,
-- sources), and the version of the renderer that made it. Both stay NULL
-- for revisions readers never see; rows from before this migration are
-- filled by the store's backfill (`vellum migrate`, and `vellum serve` in
-- the background), and reads render afresh until then.
ALTER TABLE post_revisions ADD COLUMN rendered TEXT;
ALTER TABLE post_revisions ADD COLUMN render_version INTEGER;

-- Public lists read only articles (`kind = 'post'`) in the order they went
-- out. With the kind first, a list, its deep pages, its count and the "is
-- it public now" test read this index alone, never the posts' rows (whose
-- text makes every row read a long one); with the live revision too, so
-- does the sitemap on its way to the live texts' addresses.
DROP INDEX posts_public_order;
CREATE INDEX posts_public_order
    ON posts (kind, (COALESCE(published_at, publish_at)) DESC, id DESC, status, publish_at, live_revision_id);

-- What is read of every live revision without its text, which would
-- otherwise be read on the way (the columns sit behind it in the row):
-- whether it has its render (each start of `serve` asks, see above), and
-- its address and date (the sitemap). PostgreSQL keeps long text out of
-- the row, so it needs no such index.
CREATE INDEX post_revisions_live ON post_revisions (id, render_version, slug, created_at);
