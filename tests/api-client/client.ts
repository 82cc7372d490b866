// A front end's first steps with the content API, through a client typed
// from the server's own OpenAPI document (generated/schema.d.ts, made by
// openapi-typescript in tests/api-client.sh): list posts, read one by its
// slug, meet a 404, and list the site's pages (About, Contact…). Type-checking this file is half the test: if the
// document described the public posts with another operation's types
// (the admin API's, say), the fields used below would not exist.
//
//   VELLUM_URL          the server, e.g. http://127.0.0.1:3000 (required)
//   VELLUM_CONTENT_KEY  the site's content key, if it has one

import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Post = components["schemas"]["Post"];
type Page = components["schemas"]["Page"];

const baseUrl = process.env["VELLUM_URL"];
if (!baseUrl) {
  console.error("Set VELLUM_URL to the server's address, e.g. http://127.0.0.1:3000");
  process.exit(2);
}
const contentKey = process.env["VELLUM_CONTENT_KEY"];
const client = createClient<paths>({
  baseUrl,
  headers: contentKey ? { "X-Content-Key": contentKey } : {},
});

function problemJson(response: Response): void {
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
}

async function listPosts(): Promise<Post[]> {
  const { data, error, response } = await client.GET("/api/v1/posts", {
    params: { query: { limit: 5, page: 1 } },
  });
  assert.equal(response.status, 200, `GET /api/v1/posts: ${response.status} ${JSON.stringify(error)}`);
  assert.ok(data, "a list of posts");
  const { posts, meta } = data;
  assert.ok(posts.length > 0, "the demo has published posts");
  assert.ok(posts.length <= 5, "at most `limit` posts");
  assert.equal(meta.pagination.page, 1);
  assert.equal(meta.pagination.limit, 5);
  assert.ok(meta.pagination.total >= posts.length);
  for (const post of posts) {
    assert.equal(typeof post.slug, "string");
    assert.ok(post.slug.length > 0);
    assert.ok(post.url.endsWith(`/posts/${post.slug}`), `${post.url} is the post's page`);
    assert.equal(typeof post.html, "string");
    assert.ok(post.authors.length > 0, `${post.slug} has an author`);
  }
  assert.ok(response.headers.get("etag"), "lists carry an ETag");
  assert.match(response.headers.get("link") ?? "", /rel="first"/);
  console.log(`listed ${posts.length} of ${meta.pagination.total} posts`);
  return posts;
}

async function readPost(listed: Post): Promise<void> {
  const { data, error, response } = await client.GET("/api/v1/posts/{slug}", {
    params: { path: { slug: listed.slug } },
  });
  assert.equal(response.status, 200, `GET /api/v1/posts/${listed.slug}: ${response.status} ${JSON.stringify(error)}`);
  assert.ok(data, "a post");
  assert.equal(data.id, listed.id);
  assert.equal(data.slug, listed.slug);
  assert.equal(data.title, listed.title);
  assert.equal(data.published_at, listed.published_at);
  assert.ok(data.markdown.length > 0, "the post has text");
  assert.ok(data.reading_time_minutes >= 1);
  console.log(`read "${data.title}" (${data.slug})`);
}

async function missingPost(): Promise<void> {
  const slug = `no-such-post-${Date.now()}`;
  const { data, error, response } = await client.GET("/api/v1/posts/{slug}", {
    params: { path: { slug } },
  });
  assert.equal(response.status, 404, `GET /api/v1/posts/${slug}`);
  assert.equal(data, undefined);
  assert.ok(error, "a problem detail");
  problemJson(response);
  assert.equal(error.status, 404);
  assert.equal(error.code, "not_found");
  assert.ok(error.detail.includes(slug), `the detail names the slug: ${error.detail}`);
  console.log(`a missing slug is a 404: ${error.detail}`);
}

async function listPages(): Promise<Page[]> {
  const { data, error, response } = await client.GET("/api/v1/pages", {
    params: { query: { limit: 5, page: 1 } },
  });
  assert.equal(response.status, 200, `GET /api/v1/pages: ${response.status} ${JSON.stringify(error)}`);
  assert.ok(data, "a list of pages");
  const { pages, meta } = data;
  assert.ok(pages.length <= 5, "at most `limit` pages");
  assert.equal(meta.pagination.limit, 5);
  for (const page of pages) {
    // A page lives at /{slug}, not among the posts.
    assert.ok(page.url.endsWith(`/${page.slug}`) && !page.url.includes("/posts/"), `${page.url} is the page`);
    if (page.parent) {
      assert.ok(page.parent.url.endsWith(`/${page.parent.slug}`), `${page.parent.url} is its parent`);
    }
  }
  console.log(`listed ${pages.length} of ${meta.pagination.total} pages`);
  return pages;
}

async function missingPage(): Promise<void> {
  const slug = `no-such-page-${Date.now()}`;
  const { data, error, response } = await client.GET("/api/v1/pages/{slug}", {
    params: { path: { slug } },
  });
  assert.equal(response.status, 404, `GET /api/v1/pages/${slug}`);
  assert.equal(data, undefined);
  assert.ok(error, "a problem detail");
  problemJson(response);
  assert.equal(error.code, "not_found");
}

try {
  const posts = await listPosts();
  const first = posts[0];
  assert.ok(first);
  await readPost(first);
  await missingPost();
  await listPages();
  await missingPage();
  console.log("The typed client lists posts, reads one, meets a 404 and lists the pages.");
} catch (failure) {
  console.error(failure);
  process.exit(1);
}
