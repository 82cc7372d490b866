#!/usr/bin/env python3
"""Fills a migrated, empty Vellum SQLite database with N published posts
for the benchmark: one author, five tags, a ~900-word Markdown body each,
and the rows the store keeps beside a post (live revision, byline, tags,
search index). Usage: seed.py DATABASE_FILE N"""

import sqlite3
import sys

PARAGRAPH = (
    "Small habits repeated every day add up: a walk after dinner, a glass of water before coffee and a "
    "fixed bedtime change how you feel over months. Your clinician can help you choose where to start. "
)

# Twenty topics, so a search for one word finds about one post in twenty,
# as on a real blog, rather than every post.
TOPICS = [
    "asthma", "allergies", "arthritis", "backache", "cholesterol", "diabetes", "eczema", "fever",
    "glaucoma", "hypertension", "insomnia", "migraine", "nutrition", "osteoporosis", "pregnancy",
    "sunburn", "thyroid", "vaccines", "vision", "wellbeing",
]


def body(n: int) -> str:
    topic = TOPICS[n % len(TOPICS)]
    about = f"This part is about {topic} and what helps with {topic} at home. "
    sections = []
    for heading in ("Why it matters", "What you can do this week", "When to call your clinician"):
        sections.append(f"## {heading}\n\n" + (about + PARAGRAPH) * 2 + "\n\n- Walk 30 minutes\n- Sleep 7 hours\n- Eat more plants\n")
    return f"Article {n} is about {topic}.\n\n" + "\n".join(sections) + "\n" + PARAGRAPH * 8


def main() -> None:
    path, count = sys.argv[1], int(sys.argv[2])
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO users (email, display_name, slug, role, created_at, credentials, bio) VALUES "
        "('bench@example.org', 'Bench Author', 'bench-author', 'author', '2020-01-01T00:00:00+00:00', "
        "'RN', 'Writes the benchmark articles.')"
    )
    author = db.execute("SELECT id FROM users WHERE slug = 'bench-author'").fetchone()[0]
    tags = ["Heart health", "Sleep", "Nutrition", "Prevention", "Vaccines"]
    db.executemany("INSERT INTO tags (name, slug) VALUES (?, ?)", [(t, t.lower().replace(" ", "-")) for t in tags])
    rows = []
    for n in range(1, count + 1):
        # One post a minute, oldest first, from 2020 on (always in the past).
        at = db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', '2020-01-01', ?)", (f"+{n} minutes",)).fetchone()[0]
        topic = TOPICS[n % len(TOPICS)]
        rows.append((n, f"Article number {n} on {topic}", f"article-{n}", body(n), f"What to know about {topic}.", at))
    db.executemany(
        "INSERT INTO posts (id, title, slug, body, excerpt, status, version, created_at, updated_at, published_at, "
        "show_review, live_revision_id) VALUES (?, ?, ?, ?, ?, 'published', 1, ?6, ?6, ?6, 0, ?1)",
        rows,
    )
    db.execute(
        "INSERT INTO post_revisions (id, post_id, version, saved_by, kind, status, title, slug, body, excerpt, "
        "cover_url, cover_alt, seo_title, seo_description, canonical_url, created_at, updated_at) "
        "SELECT id, id, 1, ?, 'publish', 'published', title, slug, body, excerpt, '', '', '', '', '', "
        "published_at, published_at FROM posts",
        (author,),
    )
    db.execute("INSERT INTO post_authors (post_id, user_id, position) SELECT id, ?, 0 FROM posts", (author,))
    db.execute("INSERT INTO post_tags (post_id, tag_id, position) SELECT id, 1 + (id % 5), 0 FROM posts")
    db.execute("INSERT INTO post_search (rowid, title, excerpt, body) SELECT id, title, excerpt, body FROM posts")
    db.commit()
    db.execute("ANALYZE")
    db.close()


if __name__ == "__main__":
    main()
