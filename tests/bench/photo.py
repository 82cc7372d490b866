#!/usr/bin/env python3
"""A phone photo, uploaded as an author would: how long until the library
item (and its thumbnail) is there, and how large the file is that a phone
screen loads. Prints a Markdown table for docs/benchmarks.md.

    tests/bench/photo.py --binary PATH

Makes a 4000 x 3000 JPEG of about 6 MB with Pillow (installed into a venv
under ~/.cache/vellum on first use), starts the binary on a fresh SQLite
database, signs in through the admin's own form and uploads the photo
three times (as three different pictures)."""

import argparse
import http.cookiejar
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import free_port, wait_until_up  # noqa: E402

VENV = Path.home() / ".cache" / "vellum" / "bench-pillow"
PASSWORD = "correct horse battery staple"


def pillow_python() -> str:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "pillow==11.3.0"], check=True)
    return str(python)


def make_photo(path: Path, seed: int) -> int:
    """A photo-like picture: gradients with a camera's grain."""
    script = f"""
from PIL import Image, ImageChops
import random
random.seed({seed})
w, h = 4000, 3000
base = Image.linear_gradient('L').resize((w, h)).convert('RGB')
tint = Image.new('RGB', (w, h), ({seed * 37 % 255}, 140, 90))
grain = Image.effect_noise((w, h), 48).convert('RGB')
photo = ImageChops.add(Image.blend(base, tint, 0.5), grain, scale=1.6, offset=-40)
photo.save('{path}', quality=92)
"""
    subprocess.run([pillow_python(), "-c", script], check=True)
    return path.stat().st_size


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "vellumbench"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
        f"Content-Type: image/jpeg\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vellum-photo-"))
    env = {**os.environ, "VELLUM_DATA_DIR": str(work / "data"), "VELLUM_LOG": "warn"}
    subprocess.run(
        [args.binary, "user", "add", "--email", "ana@clinic.org", "--name", "Ana Ruiz", "--role", "author", "--create"],
        input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([args.binary, "serve", "--addr", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(base + "/readyz")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login_page = opener.open(base + "/admin/login").read().decode()
        action = re.search(r'action="(/api/login[^"]*)"', login_page).group(1)
        form = urllib.parse.urlencode({"email": "ana@clinic.org", "password": PASSWORD}).encode()
        opener.open(urllib.request.Request(base + action, data=form, headers={"Origin": base}))
        rows = []
        database = sqlite3.connect(work / "data" / "vellum.db")
        for seed in (1, 2, 3):
            photo = work / f"IMG_{seed}.jpg"
            size = make_photo(photo, seed)
            body, content_type = multipart(photo.name, photo.read_bytes())
            request = urllib.request.Request(base + "/admin/media/upload", data=body,
                                             headers={"Content-Type": content_type, "Origin": base})
            started = time.perf_counter()
            item = json.load(opener.open(request))
            opener.open(base + item["thumbnail_url"]).read()
            seconds = time.perf_counter() - started
            webp = dict(database.execute(
                "SELECT width, bytes FROM media_variants WHERE media_id = ? AND content_type = 'image/webp'",
                (item["id"],),
            ).fetchall())
            rows.append((photo.name, size, seconds, webp))
        print("| photo | size | upload until its thumbnail is served | 800 px WebP (a phone at 2x) | 400 px WebP |")
        print("|---|---|---|---|---|")
        for name, size, seconds, webp in rows:
            print(f"| {name} | {size / 1e6:.1f} MB | {seconds:.2f} s | {webp[800] / 1024:.0f} KB | {webp[400] / 1024:.0f} KB |")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
