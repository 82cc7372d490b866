#!/usr/bin/env python3
"""Vellum's benchmark: wrk at 32 connections against a release build of
Vellum on SQLite, and against nginx serving the same post page and API JSON
saved as files, in the same run. Prints a Markdown report.

    make bench                 (builds the release binary, then runs this)
    tests/bench/run.py --binary PATH [--duration SECONDS]

Needs wrk and nginx (Debian packages `wrk` and `nginx`)."""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONNECTIONS = 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing answers at {url}")


def fetch(url: str) -> bytes:
    return urllib.request.urlopen(url, timeout=10).read()


def wrk(url: str, duration: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout

    def latency(pct: str) -> float:
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": latency("50"), "p99": latency("99"), "errors": int(errors.group(1)) if errors else 0}


class Vellum:
    def __init__(self, binary: str, data_dir: Path, cache_mb: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VELLUM_", "LEPTOS_"))}
        env.update({
            "VELLUM_DATA_DIR": str(data_dir), "LEPTOS_SITE_ADDR": f"127.0.0.1:{self.port}",
            "VELLUM_PUBLIC_CACHE_MB": str(cache_mb), "VELLUM_LOG": "warn",
            # One wrk client is one address: the API limit would measure itself.
            "VELLUM_API_RATE_LIMIT": "0",
        })
        self.process = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL)
        wait_until_up(self.base + "/healthz")

    def peak_memory_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


class Nginx:
    def __init__(self, root: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        conf = root / "nginx.conf"
        conf.write_text(f"""
daemon off; worker_processes 2; pid {root}/nginx.pid; error_log stderr error;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  types {{ text/html html; application/json json; }}
  client_body_temp_path {root}; proxy_temp_path {root}; fastcgi_temp_path {root};
  uwsgi_temp_path {root}; scgi_temp_path {root};
  server {{ listen 127.0.0.1:{self.port}; root {root}/www; etag on; }}
}}""")
        self.process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(root)])
        wait_until_up(self.base + "/post.html")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGQUIT)
        self.process.wait(timeout=30)


def seeded(binary: str, posts: int, parent: Path) -> Path:
    data_dir = parent / f"data-{posts}"
    data_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VELLUM_")}
    subprocess.run([binary, "migrate"], env={**env, "VELLUM_DATA_DIR": str(data_dir)}, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, str(HERE / "seed.py"), str(data_dir / "vellum.db"), str(posts)], check=True)
    return data_dir


def row(name: str, result: dict) -> str:
    errors = f" ({result['errors']} errors)" if result["errors"] else ""
    return f"| {name} | {result['rps']:,.0f}{errors} | {result['p50']:.2f} | {result['p99']:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--duration", type=int, default=8)
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y {tool}")
    work = Path(tempfile.mkdtemp(prefix="vellum-bench-"))
    report = [f"wrk -t2 -c{CONNECTIONS} -d{args.duration}s --latency; Vellum release build on SQLite; "
              f"{os.cpu_count()} cores shared by wrk, Vellum and nginx.", ""]
    header = ["| Request | Requests/s | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
    results = {}
    for posts in (100, 10_000, 100_000):
        data_dir = seeded(args.binary, posts, work)
        middle = posts // 2
        pages = {
            "index": "/",
            "index page 500" if posts >= 5000 else "index page 5": "/?page=500" if posts >= 5000 else "/?page=5",
            "post page": f"/posts/article-{middle}",
        }
        if posts == 10_000:
            pages.update({
                "tag page": "/tags/sleep",
                "search (one post in twenty matches)": "/search?q=migraine",
                "RSS feed": "/feed.xml",
                "API: list (limit=10)": "/api/v1/posts?limit=10",
                "API: one post": f"/api/v1/posts/article-{middle}",
            })
        for cache_mb, label in ((32, "cached"), (0, "uncached")):
            vellum = Vellum(args.binary, data_dir, cache_mb)
            for name, path in pages.items():
                fetch(vellum.base + path)
                results[(posts, label, name)] = wrk(vellum.base + path, args.duration)
            results[(posts, label, "peak memory")] = vellum.peak_memory_mb()
            if posts == 10_000 and label == "cached":
                www = work / "www"
                www.mkdir(exist_ok=True)
                (www / "post.html").write_bytes(fetch(vellum.base + pages["post page"]))
                (www / "post.json").write_bytes(fetch(vellum.base + pages["API: one post"]))
            vellum.stop()
        report.append(f"### {posts:,} published posts")
        report.append("")
        report.extend(header)
        for label in ("cached", "uncached"):
            for name in pages:
                report.append(row(f"{name} ({label})", results[(posts, label, name)]))
        if posts == 10_000:
            nginx = Nginx(work)
            for name, path in (("nginx: the post page as a file", "/post.html"),
                               ("nginx: the API post as a file", "/post.json")):
                results[("nginx", name)] = wrk(nginx.base + path, args.duration)
                report.append(row(name, results[("nginx", name)]))
            nginx.stop()
        memory = max(results[(posts, label, "peak memory")] for label in ("cached", "uncached"))
        report.append("")
        report.append(f"Peak memory of the Vellum process (VmHWM): {memory:.0f} MB.")
        report.append("")
    page_ratio = results[(10_000, "cached", "post page")]["rps"] / results[("nginx", "nginx: the post page as a file")]["rps"]
    api_ratio = results[(10_000, "cached", "API: one post")]["rps"] / results[("nginx", "nginx: the API post as a file")]["rps"]
    report.append("### Ratios")
    report.append("")
    report.append(f"- Cached post page / nginx file: {page_ratio:.2f}")
    report.append(f"- Cached API post / nginx file: {api_ratio:.2f}")
    for name in ("index", "post page"):
        for label in ("cached", "uncached"):
            small = results[(100, label, name)]["rps"]
            large = results[(100_000, label, name)]["rps"]
            report.append(f"- {name} ({label}) at 100,000 posts vs 100 posts: {large / small:.2f}")
    deep_small = results[(100, "cached", "index page 5")]["rps"]
    for label in ("cached", "uncached"):
        deep_large = results[(100_000, label, "index page 500")]["rps"]
        report.append(f"- deep index page ({label}) at 100,000 posts (page 500) vs 100 posts (page 5, cached): "
                      f"{deep_large / deep_small:.2f}")
    print("\n".join(report))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
