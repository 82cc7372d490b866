#!/usr/bin/env python3
"""Vellum's API tried the way a newcomer would: with only the OpenAPI
document and docs/api.md, and nothing but Python's standard library.

    try_api.py BASE_URL PREVIEW_TOKEN WEBHOOK_SECRET RECEIVER_PORT

1. reads /api/v1/openapi.json and checks that what it will call is there;
2. lists posts two at a time, following the Link header's rel="next" to
   the end, and checks the count against meta.pagination.total;
3. fetches one post by its slug;
4. fetches a draft through an editor's preview token;
5. listens on RECEIVER_PORT for one webhook delivery and checks its
   Vellum-Signature with the recipe in docs/api.md.

Prints what it found; exits non-zero at the first thing that is not as
documented. `tests/http/newcomer.rs` runs it against a real server.
"""

import hashlib
import hmac
import http.server
import json
import re
import sys
import time
import urllib.parse
import urllib.request


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as response:
        # Header names are case-insensitive: keep the message, not a dict.
        return response.status, response.headers, json.load(response)


def next_link(headers):
    """The rel="next" target of an RFC 8288 Link header, if any."""
    for target, params in re.findall(r"<([^>]*)>((?:\s*;\s*[^,;]+)*)", headers.get("Link", "")):
        if re.search(r'rel="?next"?', params):
            return target
    return None


def verify(secret, header, body, tolerance=300):
    """The signature check exactly as docs/api.md gives it."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    signed = fields["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"]) and abs(time.time() - int(fields["t"])) <= tolerance


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", flush=True)
        sys.exit(1)


def main():
    base, preview_token, secret, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

    _, _, spec = get(base, "/api/v1/openapi.json")
    check(spec.get("openapi", "").startswith("3.1"), "the document is OpenAPI 3.1")
    paths = spec["paths"]
    for path in ["/api/v1/posts", "/api/v1/posts/{slug}", "/api/v1/preview/{token}"]:
        check(path in paths, f"{path} is documented")
    params = {p["name"] for p in paths["/api/v1/posts"]["get"]["parameters"]}
    check({"page", "limit"} <= params, "posts can be paged")

    seen, pages, path = [], 0, "/api/v1/posts?limit=2"
    while path:
        status, headers, page = get(base, path)
        check(status == 200, f"{path} answers 200")
        seen += [post["slug"] for post in page["posts"]]
        pages += 1
        path = next_link(headers)
    total = page["meta"]["pagination"]["total"]
    check(len(seen) == total and len(set(seen)) == total, f"{total} posts, each once, over the pages")
    print(f"listed {total} posts over {pages} pages", flush=True)

    _, _, post = get(base, "/api/v1/posts/" + urllib.parse.quote(seen[0]))
    check(post["slug"] == seen[0] and post["html"], "a post has its text")
    print(f"fetched \"{post['title']}\" by {', '.join(a['name'] for a in post['authors'])}", flush=True)

    _, _, draft = get(base, "/api/v1/preview/" + urllib.parse.quote(preview_token))
    check(draft["title"] and draft["slug"] not in seen, "the preview shows an unpublished draft")
    print(f"previewed draft \"{draft['title']}\"", flush=True)

    received = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", port), Receiver)
    server.timeout = 1
    print("listening for a webhook", flush=True)
    deadline = time.time() + 60
    while not received and time.time() < deadline:
        server.handle_request()
    check(received, "a webhook arrived within a minute")
    headers, body = received[0]
    check(verify(secret, headers["Vellum-Signature"], body), "the signature checks out")
    check(not verify("whsec_not-the-secret", headers["Vellum-Signature"], body), "a wrong secret fails")
    event = json.loads(body)
    print(f"webhook {headers['Vellum-Event']} for \"{event['post']['title']}\", signature valid", flush=True)


if __name__ == "__main__":
    main()
