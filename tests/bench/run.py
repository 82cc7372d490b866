#!/usr/bin/env python3
"""Vellum's benchmark (issue #21): wrk at 32 connections against a release
build of Vellum on SQLite, cached and uncached, and against nginx serving
the same answers saved as files, in the same run, each request once
without and once with the `Accept-Encoding: br, gzip` that browsers send.
Prints Markdown for docs/benchmarks.md, ending with the issue's targets,
each marked pass or fail.

    make bench                 (builds the release binary, then runs this)
    tests/bench/run.py --binary PATH [--sizes 100,10000,100000] [--duration SECONDS]
                       [--fresh-machine-seconds N] [--quick]

--quick runs 100 posts for one second per row: a check that the script
works, not a measurement. Needs wrk and nginx (Debian packages `wrk` and
`nginx`); with Debian's `libnginx-mod-http-brotli-static` and the Python
module `brotli` installed, nginx serves brotli too. Progress goes to
standard error, the report to standard output."""

import argparse
import gzip
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

try:
    import brotli  # not in the standard library: optional
except ImportError:
    brotli = None

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
THREADS = 2
CONNECTIONS = 32
# What every browser sends.
COMPRESSED = "br, gzip"
MODES = ("plain", "compressed")
# Vellum refuses a metrics token under 16 characters.
METRICS_TOKEN = "bench-metrics-token"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
# A word in one post's text in twenty (seed.py's topics).
SEARCH_WORD = "migraine"
# The file extension nginx maps back to each type Vellum answers with.
EXTENSIONS = {
    "text/html": "html",
    "application/json": "json",
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/xml": "xml",
}

# The targets.
CACHED_RATIO = 0.8
CACHED_P99_MS = 5.0
UNCACHED_PAGES_RPS = 5_000
UNCACHED_FEEDS_RPS = 2_000
SEARCH_RPS = 3_000
FLAT_RATIO = 0.75
PEAK_MB = 100
IDLE_MB = 40
FRESH_SECONDS = 600


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            sys.exit(f"{process.args[0]} stopped (exit code {process.returncode}) before {url} answered")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing answers at {url}")


def fetch(url: str, encoding: str | None = None) -> tuple[dict, bytes]:
    """The headers (names in lower case) and body of a 200 answer."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return {name.lower(): value for name, value in response.getheaders()}, response.read()


def wrk(url: str, duration: int, mode: str) -> dict:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", url]
    if mode == "compressed":
        command[1:1] = ["-H", f"Accept-Encoding: {COMPRESSED}"]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.stderr}")
    out = run.stdout

    def latency(pct: str) -> float:
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {"rps": rps, "p50": latency("50"), "p99": latency("99"), "errors": errors}


def clean_env() -> dict:
    """This environment without the settings of a Vellum the user runs."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("VELLUM_", "LEPTOS_"))}


class Vellum:
    """`vellum serve` on a seeded data folder: with the default public cache
    (cached) or none (`VELLUM_PUBLIC_CACHE_MB=0`, every request renders)."""

    def __init__(self, binary: str, data_dir: Path, cached: bool):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = clean_env()
        env.update({
            "VELLUM_DATA_DIR": str(data_dir), "LEPTOS_SITE_ADDR": f"127.0.0.1:{self.port}",
            "LEPTOS_SITE_ROOT": os.environ.get("LEPTOS_SITE_ROOT", str(REPO / "target" / "site")),
            "VELLUM_LOG": "warn",
            # One wrk client is one address: the API limit would measure itself.
            "VELLUM_API_RATE_LIMIT": "0",
            # On in both runs, as an operator who watches the site has it.
            "VELLUM_METRICS_TOKEN": METRICS_TOKEN,
        })
        if not cached:
            env["VELLUM_PUBLIC_CACHE_MB"] = "0"
        # Run in the data folder, so that no .env of the current folder is read.
        self.process = subprocess.Popen([binary, "serve"], env=env, cwd=data_dir, stdout=subprocess.DEVNULL)
        try:
            wait_until_up(self.base + "/healthz", self.process)
        except BaseException:
            self.stop()
            raise

    def memory_mb(self, field: str) -> float:
        """VmRSS (now) or VmHWM (the peak so far) of the process."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1024

    def metrics(self) -> dict | None:
        """The samples of `GET /metrics` by name (with labels), or None when
        the binary has no metrics endpoint."""
        request = urllib.request.Request(self.base + "/metrics",
                                         headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
        except (OSError, UnicodeDecodeError):
            return None
        samples = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                try:
                    samples[name] = float(value)
                except ValueError:
                    pass
        return samples

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.stop()


class Nginx:
    """nginx as issue #21 configures it, serving `root/www`: two workers,
    sendfile, no access log, and the pre-compressed files next to each
    file (gzip_static, and brotli_static when `with_brotli`). `types` maps
    each extension to the Content-Type Vellum gave that answer; `probe` is
    a file to ask for until nginx answers."""

    def __init__(self, root: Path, types: dict[str, str], with_brotli: bool, probe: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        conf = root / "nginx.conf"
        type_lines = " ".join(f'"{content_type}" {ext};' for ext, content_type in types.items())
        conf.write_text(f"""
{f"load_module {BROTLI_MODULE};" if with_brotli else ""}
daemon off; worker_processes 2; pid {root}/nginx.pid; error_log stderr error;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; tcp_nopush on;
  keepalive_requests 10000000; keepalive_timeout 75s;
  gzip off; gzip_static on; gzip_vary on; {"brotli_static on;" if with_brotli else ""}
  types {{ {type_lines} }}
  default_type application/octet-stream;
  client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  server {{ listen 127.0.0.1:{self.port}; root {root}/www; etag on; }}
}}""")
        (root / "tmp").mkdir(exist_ok=True)
        self.process = subprocess.Popen(["nginx", "-e", "stderr", "-c", str(conf), "-p", str(root)])
        try:
            wait_until_up(f"{self.base}/{probe}", self.process)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            self.process.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.stop()


def seeded(binary: str, posts: int, parent: Path) -> tuple[Path, float, float]:
    """A data folder with `posts` published posts and their stored renders;
    the seconds seed.py and the renders took."""
    data_dir = parent / f"data-{posts}"
    data_dir.mkdir()
    env = {**clean_env(), "VELLUM_DATA_DIR": str(data_dir), "VELLUM_LOG": "warn"}
    migrate = [binary, "migrate"]
    subprocess.run(migrate, env=env, cwd=data_dir, check=True, stdout=subprocess.DEVNULL)
    started = time.monotonic()
    subprocess.run([sys.executable, str(HERE / "seed.py"), str(data_dir / "vellum.db"), str(posts)], check=True)
    seeded_at = time.monotonic()
    # seed.py writes rows only: `migrate` stores every post's render now,
    # rather than `serve` in the background during the measurements.
    subprocess.run(migrate, env=env, cwd=data_dir, check=True, stdout=subprocess.DEVNULL)
    return data_dir, seeded_at - started, time.monotonic() - seeded_at


def requests_at(posts: int, data_dir: Path) -> list[tuple[str, str, str]]:
    """The measured requests, as (key, name, path), at a site of `posts`."""
    db = sqlite3.connect(data_dir / "vellum.db")
    try:
        author = db.execute("SELECT u.slug FROM users u JOIN post_authors a ON a.user_id = u.id "
                            "ORDER BY u.id LIMIT 1").fetchone()[0]
        tag = db.execute("SELECT slug FROM tags WHERE slug = 'sleep' "
                         "UNION ALL SELECT slug FROM tags LIMIT 1").fetchone()[0]
    finally:
        db.close()
    middle = max(1, posts // 2)
    # Halfway down the list at ten posts a page: page 5,000 of 10,000 at 100,000 posts.
    deep = max(1, posts // 20)
    return [
        ("home", "home", "/"),
        ("post", "post page", f"/posts/article-{middle}"),
        ("tag", "tag page", f"/tags/{tag}"),
        ("author", "author page", f"/authors/{author}"),
        ("api_list", "API list of 10", "/api/v1/posts?limit=10"),
        ("api_post", "API post", f"/api/v1/posts/article-{middle}"),
        ("feed", "RSS feed", "/feed.xml"),
        ("sitemap", "sitemap", "/sitemap.xml"),
        ("search", f"search `{SEARCH_WORD}`", f"/search?q={SEARCH_WORD}"),
        ("deep", f"index page {deep:,}", f"/?page={deep}"),
    ]


def save_answers(vellum: Vellum, requests: list, www: Path, with_brotli: bool) -> tuple[dict, dict]:
    """Saves each answer's plain body as a file nginx serves, named by its
    type, with its .gz (and .br) beside it; returns the files by key and
    the types by extension."""
    www.mkdir(parents=True)
    files, types = {}, {}
    for key, _, path in requests:
        headers, body = fetch(vellum.base + path)
        content_type = headers.get("content-type", "")
        ext = EXTENSIONS.get(content_type.split(";")[0].strip())
        if ext is None:
            sys.exit(f"{path}: no file extension for Content-Type {content_type!r}")
        if types.setdefault(ext, content_type) != content_type:
            sys.exit(f"{path}: .{ext} is both {types[ext]!r} and {content_type!r}")
        compressed, _ = fetch(vellum.base + path, COMPRESSED)
        name = f"{key}.{ext}"
        (www / name).write_bytes(body)
        (www / f"{name}.gz").write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
        if with_brotli:
            (www / f"{name}.br").write_bytes(brotli.compress(body, quality=11))
        files[key] = {"name": name, "type": content_type, "bytes": len(body),
                      "vellum": (compressed.get("content-encoding", "identity"),
                                 int(compressed.get("content-length", 0)))}
    return files, types


def check_nginx(nginx: Nginx, files: dict, www: Path) -> None:
    """nginx answers with the bytes Vellum gave, and pre-compressed."""
    for info in files.values():
        headers, body = fetch(f"{nginx.base}/{info['name']}")
        if body != (www / info["name"]).read_bytes() or headers.get("content-type") != info["type"]:
            sys.exit(f"nginx serves {info['name']} differently (Content-Type {headers.get('content-type')!r})")
        headers, _ = fetch(f"{nginx.base}/{info['name']}", COMPRESSED)
        info["nginx"] = (headers.get("content-encoding", "identity"), int(headers.get("content-length", 0)))


def measure_vellum(binary: str, data_dir: Path, requests: list, cached: bool, modes: tuple,
                   duration: int, before_load=None) -> dict:
    """Runs wrk on each request in each mode against one Vellum process;
    `before_load(vellum)` is called once it is warm, before the load.
    Returns the results by (key, mode), the memory and the metrics."""
    label = "cached" if cached else "uncached"
    with Vellum(binary, data_dir, cached) as vellum:
        for _, _, path in requests:
            fetch(vellum.base + path)
            fetch(vellum.base + path, COMPRESSED)
        run = {"idle": vellum.memory_mb("VmRSS"), "rows": {}}
        if before_load:
            before_load(vellum)
        for key, name, path in requests:
            for mode in modes:
                log(f"  Vellum {label}: {name}, {mode}")
                run["rows"][(key, mode)] = wrk(vellum.base + path, duration, mode)
        run["peak"] = vellum.memory_mb("VmHWM")
        run["metrics"] = vellum.metrics()
    return run


def elf_symbols(path: str) -> bool | None:
    """Whether a 64-bit ELF file still has its symbol table (None: cannot tell)."""
    with open(path, "rb") as f:
        header = f.read(64)
        if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2:
            return None
        order = "<" if header[5] == 1 else ">"
        (shoff,) = struct.unpack_from(order + "Q", header, 0x28)
        shentsize, shnum = struct.unpack_from(order + "HH", header, 0x3A)
        f.seek(shoff)
        table = f.read(shentsize * shnum)
    # SHT_SYMTAB = 2; a stripped binary keeps only .dynsym (11).
    return any(struct.unpack_from(order + "I", table, i * shentsize + 4)[0] == 2 for i in range(shnum))


def cell_rps(result: dict | None, against: dict | None = None) -> str:
    if result is None:
        return "—"
    text = f"{result['rps']:,.0f}"
    if against:
        text += f" ({result['rps'] / against['rps']:.2f}×)"
    if result["errors"]:
        text += f" ({result['errors']:,} errors)"
    return text


def cell_latency(result: dict | None) -> str:
    return "—" if result is None else f"{result['p50']:.2f} / {result['p99']:.2f}"


def size_report(posts: int, requests: list, runs: dict, files: dict | None) -> list[str]:
    """The tables of one site size: requests per second, then latencies."""
    columns = []
    if files:
        columns += [("nginx, plain", "nginx", "plain", None), ("Vellum cached, plain", "cached", "plain", "nginx"),
                    ("nginx, compressed", "nginx", "compressed", None),
                    ("Vellum cached, compressed", "cached", "compressed", "nginx")]
    else:
        columns += [(f"Vellum cached, {mode}", "cached", mode, None) for mode in MODES]
    columns += [(f"Vellum uncached, {mode}", "uncached", mode, None) for mode in MODES
                if any(k[1] == mode for k in runs["uncached"]["rows"])]

    def result(server: str, key: str, mode: str) -> dict | None:
        return runs[server]["rows"].get((key, mode)) if server in runs else None

    head = "| request | " + " | ".join(c[0] for c in columns) + " |"
    rule = "|---|" + "---:|" * len(columns)
    lines = [f"### {posts:,} published posts", "",
             "Requests per second" + (" (cached: Vellum/nginx)" if files else "") + ":", "", head, rule]
    for key, name, _ in requests:
        cells = [cell_rps(result(server, key, mode), result(against, key, mode) if against else None)
                 for _, server, mode, against in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Latency, p50 / p99 in ms:", "", head, rule]
    for key, name, _ in requests:
        lines.append(f"| {name} | " + " | ".join(cell_latency(result(server, key, mode))
                                                  for _, server, mode, _ in columns) + " |")
    if files:
        lines += ["", "The answers' sizes in bytes, and what each server sent for "
                  f"`Accept-Encoding: {COMPRESSED}`:", "",
                  "| request | file (Content-Type) | plain | Vellum | nginx |", "|---|---|---:|---:|---:|"]
        for key, name, _ in requests:
            info = files[key]
            lines.append(f"| {name} | {info['name']} ({info['type']}) | {info['bytes']:,} | "
                         f"{info['vellum'][0]} {info['vellum'][1]:,} | {info['nginx'][0]} {info['nginx'][1]:,} |")
    metrics = runs["cached"]["metrics"]
    lines += ["", f"Cache hit ratio of the cached run, from `/metrics`: {hit_ratio(metrics)}.", ""]
    return lines


def hit_ratio(metrics: dict | None) -> str:
    hits = (metrics or {}).get("vellum_cache_hits_total")
    misses = (metrics or {}).get("vellum_cache_misses_total")
    if hits is None or misses is None or hits + misses == 0:
        return "n/a (no `/metrics` with cache counters in this binary)"
    text = f"{hits / (hits + misses):.4f} ({hits:,.0f} hits, {misses:,.0f} misses"
    compressions = metrics.get("vellum_cache_compressions_total")
    if compressions is not None:
        text += f", {compressions:,.0f} bodies compressed"
    return text + ")"


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "pass" if ok else "**fail**"


def targets_report(args, sizes: list, detail: int, requests_by_size: dict, results: dict) -> list[str]:
    lines = ["### Targets (issue #21)", ""]
    runs = results[detail]
    names = {key: name for key, name, _ in requests_by_size[detail]}
    where = (f"at {detail:,} posts" if detail == 10_000
             else f"at {detail:,} posts (the target is for 10,000: indicative only)")

    # 1. Cached answers against nginx; search has a target of its own (4).
    worst_ratio, worst_p99 = None, None
    for (key, mode), cached in runs["cached"]["rows"].items():
        nginx = runs.get("nginx", {}).get("rows", {}).get((key, mode))
        if key == "search" or nginx is None:
            continue
        ratio = (cached["rps"] / nginx["rps"], f"{names[key]}, {mode}")
        worst_ratio = min(worst_ratio or ratio, ratio)
        p99 = (cached["p99"], f"{names[key]}, {mode}")
        worst_p99 = max(worst_p99 or p99, p99)
    if worst_ratio:
        ok = worst_ratio[0] >= CACHED_RATIO and worst_p99[0] < CACHED_P99_MS
        lines.append(f"- {verdict(ok)}: 1. cached ≥ {CACHED_RATIO} × nginx, plain and compressed, p99 < "
                     f"{CACHED_P99_MS:.0f} ms (every row but search, see 4), {where}: "
                     f"lowest {worst_ratio[0]:.2f}× ({worst_ratio[1]}), "
                     f"highest p99 {worst_p99[0]:.2f} ms ({worst_p99[1]})")
    else:
        lines.append(f"- {verdict(None)}: 1. cached ≥ {CACHED_RATIO} × nginx (no nginx rows)")

    # 2. Uncached renders.
    for keys, floor in ((("post", "home", "tag", "author", "api_list"), UNCACHED_PAGES_RPS),
                        (("feed", "sitemap"), UNCACHED_FEEDS_RPS)):
        rows = [(runs["uncached"]["rows"][(key, "plain")]["rps"], names[key]) for key in keys]
        slowest = min(rows)
        lines.append(f"- {verdict(slowest[0] >= floor)}: 2. uncached {', '.join(names[k] for k in keys)} ≥ "
                     f"{floor:,} requests/s {where}: slowest {slowest[1]} {slowest[0]:,.0f}")

    # 3. Flat cost.
    if 100 in sizes and 100_000 in sizes:
        ratios = flat_ratios(requests_by_size, results)
        lowest = min((ratio, name) for name, ratio in ratios)
        lines.append(f"- {verdict(lowest[0] >= FLAT_RATIO)}: 3. every uncached row at 100,000 posts ≥ "
                     f"{FLAT_RATIO} × its speed at 100: lowest {lowest[0]:.2f} ({lowest[1]})")
    else:
        lines.append(f"- {verdict(None)}: 3. flat cost (needs --sizes with 100 and 100000)")

    # 4. Search, cached.
    search = [runs["cached"]["rows"][("search", mode)]["rps"] for mode in MODES]
    lines.append(f"- {verdict(min(search) >= SEARCH_RPS)}: 4. search ≥ {SEARCH_RPS:,} requests/s (cached, plain "
                 f"and compressed) {where}: {min(search):,.0f}")
    lines.append("- not measured here: 5. no cold page after a publish, 6. HEAD answers (tests/http checks them)")

    # 7. Memory.
    if 100_000 in sizes:
        peak = max(results[100_000][label]["peak"] for label in ("cached", "uncached"))
        lines.append(f"- {verdict(peak <= PEAK_MB)}: 7. peak RSS ≤ {PEAK_MB} MB at 100,000 posts: {peak:.0f} MB")
    else:
        lines.append(f"- {verdict(None)}: 7. peak RSS ≤ {PEAK_MB} MB at 100,000 posts (no 100,000-post run)")
    idle = max((results[posts][label]["idle"], posts) for posts in sizes for label in ("cached", "uncached"))
    lines.append(f"- {verdict(idle[0] <= IDLE_MB)}: 7. idle RSS ≤ {IDLE_MB} MB: highest {idle[0]:.0f} MB "
                 f"(at {idle[1]:,} posts)")

    # 8. and 9.
    if args.fresh_machine_seconds is None:
        lines.append(f"- {verdict(None)}: 8. a fresh machine's `make run` ≤ {FRESH_SECONDS // 60} minutes "
                     "(tests/bench/fresh-machine.sh; pass --fresh-machine-seconds)")
    else:
        seconds = args.fresh_machine_seconds
        lines.append(f"- {verdict(seconds <= FRESH_SECONDS)}: 8. a fresh machine's `make run` ≤ "
                     f"{FRESH_SECONDS // 60} minutes: {minutes(seconds)}")
    symbols = elf_symbols(args.binary)
    size = os.path.getsize(args.binary) / 1e6
    found = {None: "not an ELF file", True: "it has its symbol table", False: "no symbol table"}[symbols]
    lines.append(f"- {verdict(None if symbols is None else not symbols)}: 9. the release binary is stripped: "
                 f"{found}, {size:.1f} MB")
    return lines


def minutes(seconds: float) -> str:
    return f"{seconds:,.0f} s ({int(seconds // 60)} min {seconds % 60:02.0f} s)"


def flat_ratios(requests_by_size: dict, results: dict) -> list[tuple[str, float]]:
    ratios = []
    for (key, name, _), (_, large_name, _) in zip(requests_by_size[100], requests_by_size[100_000]):
        small = results[100]["uncached"]["rows"][(key, "plain")]["rps"]
        large = results[100_000]["uncached"]["rows"][(key, "plain")]["rps"]
        label = name if name == large_name else f"{name} / {large_name.removeprefix('index ')}"
        ratios.append((label, large / small))
    return ratios


def flat_report(sizes: list, requests_by_size: dict, results: dict) -> list[str]:
    head = "| request | " + " | ".join(f"{posts:,} posts" for posts in sizes) + " |"
    lines = ["### Flat cost: uncached requests per second by site size", "",
             head + (" 100,000 / 100 |" if 100 in sizes and 100_000 in sizes else ""),
             "|---|" + "---:|" * (len(sizes) + (100 in sizes and 100_000 in sizes))]
    ratios = flat_ratios(requests_by_size, results) if 100 in sizes and 100_000 in sizes else []
    for index, (key, name, _) in enumerate(requests_by_size[sizes[0]]):
        if key == "deep":
            name = "deep index page (" + ", ".join(f"{requests_by_size[p][index][1].removeprefix('index ')}"
                                                  for p in sizes) + ")"
        cells = [cell_rps(results[posts]["uncached"]["rows"][(key, "plain")]) for posts in sizes]
        ratio = ratios[index][1] if ratios else None
        lines.append(f"| {name} | " + " | ".join(cells) + " |" + (f" {ratio:.2f} |" if ratio is not None else ""))
    return lines + [""]


def memory_report(sizes: list, results: dict) -> list[str]:
    lines = ["### Memory of the Vellum process", "",
             "Idle: VmRSS after the start and one request per row, before the load. Peak: VmHWM after it.", "",
             "| posts | idle, cached | peak, cached | idle, uncached | peak, uncached |",
             "|---:|---:|---:|---:|---:|"]
    for posts in sizes:
        run = results[posts]
        lines.append(f"| {posts:,} | {run['cached']['idle']:.0f} MB | {run['cached']['peak']:.0f} MB | "
                     f"{run['uncached']['idle']:.0f} MB | {run['uncached']['peak']:.0f} MB |")
    return lines + [""]


def setup_report(args, sizes: list, detail: int, with_brotli: bool, setup: dict) -> list[str]:
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024 ** 2
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
    if with_brotli:
        compressed = ("nginx sends the `.br` files (brotli_static, quality 11) and `.gz` files "
                      "(gzip_static, level 9).")
    else:
        why = ("Debian's libnginx-mod-http-brotli-static is not installed" if not BROTLI_MODULE.exists()
               else "the Python module `brotli` is missing")
        compressed = (f"nginx sends `.gz` files only (gzip_static, level 9): {why}. So in compressed rows "
                      "Vellum sends brotli and nginx gzip.")
    lines = [
        f"Measured on {date.today().isoformat()} at commit {commit}{' with uncommitted changes' if dirty else ''} "
        f"on {os.cpu_count()} cores and {memory:.0f} GiB, shared by wrk, Vellum and nginx.",
        "",
        f"- wrk: `wrk -t{THREADS} -c{CONNECTIONS} -d{args.duration}s --latency`, and "
        f"`-H 'Accept-Encoding: {COMPRESSED}'` for the compressed rows.",
        f"- Vellum: `{args.binary}` on SQLite; cached: the default public cache, uncached: "
        "`VELLUM_PUBLIC_CACHE_MB=0`. Metrics on (`VELLUM_METRICS_TOKEN`), API rate limit off.",
        f"- nginx {nginx} at {detail:,} posts, serving each answer Vellum gave saved as a file with its "
        "Content-Type: `worker_processes 2`, `sendfile`, `tcp_nopush`, `access_log off`, `gzip_static`. "
        + compressed,
        "- Sites: " + "; ".join(f"{posts:,} posts (seed.py {setup[posts][0]:.1f} s, storing their renders "
                                f"{setup[posts][1]:.1f} s)" for posts in sizes) + ".",
        f"- Binary: {os.path.getsize(args.binary) / 1e6:.1f} MB ({os.path.getsize(args.binary):,} bytes).",
    ]
    if args.fresh_machine_seconds is not None:
        lines.append(f"- A fresh machine from `make run` to the first page (tests/bench/fresh-machine.sh): "
                     f"{minutes(args.fresh_machine_seconds)}.")
    return lines + [""]


def measure_size(args, posts: int, work: Path, detailed: bool, with_brotli: bool) -> tuple[list, dict, dict]:
    """Seeds a site of `posts` and measures it: Vellum cached and uncached,
    and nginx when `detailed`. Returns the requests, the runs and the
    setup times."""
    log(f"{posts:,} posts: seeding")
    data_dir, seed_seconds, render_seconds = seeded(args.binary, posts, work)
    requests = requests_at(posts, data_dir)
    www = work / "nginx" / "www"
    saved = {}

    def save(vellum: Vellum) -> None:
        saved["files"], saved["types"] = save_answers(vellum, requests, www, with_brotli)

    runs = {"cached": measure_vellum(args.binary, data_dir, requests, True, MODES, args.duration,
                                     save if detailed else None),
            "uncached": measure_vellum(args.binary, data_dir, requests, False,
                                       MODES if detailed else ("plain",), args.duration)}
    if detailed:
        files = saved["files"]
        with Nginx(work / "nginx", saved["types"], with_brotli, files["home"]["name"]) as nginx:
            check_nginx(nginx, files, www)
            rows = {}
            for key, name, _ in requests:
                for mode in MODES:
                    log(f"  nginx: {name}, {mode}")
                    rows[(key, mode)] = wrk(f"{nginx.base}/{files[key]['name']}", args.duration, mode)
            runs["nginx"] = {"rows": rows, "files": files}
    # 1.3 GB at 100,000 posts.
    shutil.rmtree(data_dir)
    return requests, runs, (seed_seconds, render_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the vellum binary (a stripped release build)")
    parser.add_argument("--sizes", default="100,10000,100000",
                        help="site sizes in published posts, comma separated; nginx runs at 10000 "
                             "(or the largest size without 10000)")
    parser.add_argument("--duration", type=int, default=8, help="seconds per row")
    parser.add_argument("--fresh-machine-seconds", type=float,
                        help="the time tests/bench/fresh-machine.sh measured, to print with the rest")
    parser.add_argument("--quick", action="store_true",
                        help="100 posts, one second per row: checks the script, measures nothing")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.duration = "100", 1
    sizes = sorted({int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()})
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y {tool}")
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary} is not an executable")
    detail = 10_000 if 10_000 in sizes else sizes[-1]
    with_brotli = BROTLI_MODULE.exists() and brotli is not None
    work = Path(tempfile.mkdtemp(prefix="vellum-bench-"))
    # nginx started as root serves files as `nobody`.
    work.chmod(0o755)
    try:
        requests_by_size, results, setup = {}, {}, {}
        for posts in sizes:
            requests_by_size[posts], results[posts], setup[posts] = measure_size(
                args, posts, work, posts == detail, with_brotli)
        report = ["## Results", ""] + setup_report(args, sizes, detail, with_brotli, setup)
        for posts in sizes:
            runs = results[posts]
            report += size_report(posts, requests_by_size[posts], runs, runs.get("nginx", {}).get("files"))
        report += flat_report(sizes, requests_by_size, results)
        report += memory_report(sizes, results)
        report += targets_report(args, sizes, detail, requests_by_size, results)
        print("\n".join(report))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
