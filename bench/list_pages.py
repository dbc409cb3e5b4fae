"""Benchmark of the referral list page (``/referrals/``) and list API (``/api/v1/referral/``)
against bare routes doing the same queries.

For each size: a fresh PostgreSQL database, the migrations, ``load_demo(schools=60,
referrals=N, seed=1)`` and ``VACUUM ANALYZE``; then gunicorn (2 sync workers) serving
``bench/_list_app.py`` -- the real portal plus two bench-only routes that run the same count
and page queries in SQLAlchemy Core with no login: ``/bench/bare-list`` (the page's queries, as
a plain HTML table) and ``/bench/bare-api`` (the list API's queries, as JSON). Signed in as
``clerk`` (School Staff, browser session and JWT) and ``caseworker`` (County Staff), it times
sequential GETs after 5 warm-up requests -- every page and bare route in turn, so that a slow
spell of a shared machine falls on all of them -- and prints median and p90 of each beside its
bare route:

    .venv/bin/python bench/list_pages.py --referrals 100000
    .venv/bin/python bench/list_pages.py --referrals 100000 1000000 --requests 60

Targets: the school list page and the school user's list API call within 2x of their bare
routes (median). A report, not a test: exits 0 whenever it ran. ``TEST_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/``) names the server.
"""
from __future__ import annotations

import argparse
import html.parser
import http.cookiejar
import logging
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from demo_data import FreshDatabase, make_config  # bench/demo_data.py
from sqlalchemy import create_engine, text

PASSWORD = "county-demo-portal-2026"
SCHOOLS = 60
WARMUP = 5
TARGET_RATIO = 2.0
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


# --- Database ---------------------------------------------------------------------------------

def prepare(url: str, data_dir: str, referrals: int) -> dict:
    """Schema, demo data and ANALYZE in ``url``; returns the seconds each took and the clerk's school."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services.demo import load_demo

    app = create_app(make_config(url, data_dir))
    with app.app_context():
        upgrade()
        logging.getLogger().setLevel(logging.WARNING)  # alembic's fileConfig resets it
        db.session.remove()
        began = time.perf_counter()
        load_demo(schools=SCHOOLS, referrals=referrals, seed=1, password=PASSWORD)
        load_s = time.perf_counter() - began
        db.session.remove()
        db.engine.dispose()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            began = time.perf_counter()
            # VACUUM too: the state autovacuum leaves a bulk load in a minute or so (the
            # visibility map set, so a COUNT reads the index only). Timing before it would
            # depend on when autovacuum happens to wake during the run.
            conn.execute(text("VACUUM ANALYZE"))
            analyze_s = time.perf_counter() - began
            school_id = conn.execute(
                text("SELECT school_id FROM ab_user WHERE username = 'clerk'")).scalar_one()
            school_rows = conn.execute(
                text("SELECT count(*) FROM referral WHERE school_id = :id"), {"id": school_id}).scalar_one()
    finally:
        engine.dispose()
    return {"load_s": load_s, "analyze_s": analyze_s, "school_id": school_id, "school_rows": school_rows}


# --- gunicorn ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``gunicorn -w 2 bench._list_app:app`` on a free port, stopped on exit."""

    def __init__(self, url: str, data_dir: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(data_dir) / "gunicorn.log"
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-only-" + uuid.uuid4().hex,
                   PORTAL_CHOICES_TTL="60", DATA_DIR=data_dir)
        env.pop("FLASK_DEBUG", None)
        self.log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(
            [str(GUNICORN), "-w", "2", "-b", f"127.0.0.1:{self.port}", "bench._list_app:app"],
            cwd=str(ROOT), env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.base + "/login/", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the arbiter stops its workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# --- HTTP client (urllib and a cookie jar: nothing beyond the standard library) -----------------

class _CsrfFinder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.token = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrf_token" and self.token is None:
            self.token = attrs.get("value")


class Browser:
    """One signed-in session: its own cookie jar."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    headers: dict = {}

    def get(self, path: str) -> tuple[int, str, bytes]:
        request = urllib.request.Request(self.base + path, headers=self.headers)
        with self.opener.open(request, timeout=120) as response:
            return response.status, response.geturl(), response.read()

    def api_login(self, username: str, password: str) -> None:
        """Use a JWT from the API login for every later request of this session."""
        import json

        body = json.dumps({"username": username, "password": password, "provider": "db"}).encode()
        request = urllib.request.Request(self.base + "/api/v1/security/login", data=body,
                                         headers={"Content-Type": "application/json"})
        with self.opener.open(request, timeout=60) as response:
            token = json.loads(response.read())["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def login(self, username: str, password: str) -> None:
        _, _, body = self.get("/login/")
        finder = _CsrfFinder()
        finder.feed(body.decode("utf-8", "replace"))
        if not finder.token:
            raise RuntimeError("no csrf_token input on /login/")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrf_token": finder.token}).encode()
        with self.opener.open(self.base + "/login/", data=data, timeout=60) as response:
            response.read()
        status, final_url, body = self.get("/referrals/")
        if status != 200 or "/login" in urllib.parse.urlparse(final_url).path:
            raise RuntimeError(f"login as {username} failed: {status} at {final_url}")

    def _checked_get(self, path: str) -> None:
        status, final_url, _ = self.get(path)
        if status != 200 or urllib.parse.urlparse(final_url).path != urllib.parse.urlparse(self.base + path).path:
            raise RuntimeError(f"GET {path}: {status} at {final_url}")


def time_in_turn(series: dict[str, tuple[Browser, str]], requests: int) -> dict[str, list[float]]:
    """Milliseconds of ``requests`` GETs of each ``(browser, path)``, after the warm-up, taken in
    turn (one of each, then again): a slower or faster spell of a shared machine then falls on
    every page and its bare route alike instead of on whichever was being timed."""
    for browser, path in series.values():
        for _ in range(WARMUP):
            browser._checked_get(path)
    timings = {name: [] for name in series}
    for _ in range(requests):
        for name, (browser, path) in series.items():
            began = time.perf_counter()
            browser._checked_get(path)
            timings[name].append((time.perf_counter() - began) * 1000)
    return timings


# --- Figures --------------------------------------------------------------------------------------

def median(values: list[float]) -> float:
    return statistics.median(values)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]  # nearest rank


def line(size: int, label: str, page: list[float], bare: list[float], target: float | None) -> str:
    ratio = median(page) / median(bare)
    verdict = (f" (target <= {target:g}x) {'OK' if ratio <= target else 'MISSED'}"
               if target is not None else " (no target)")
    return (f"{size:>9,} {label:<17} median {median(page):.1f} ms p90 {p90(page):.1f} ms | "
            f"bare route {median(bare):.1f} ms -> {ratio:.2f}x{verdict}  [bare p90 {p90(bare):.1f} ms]")


# The list endpoint as a school user's system would call it: 25 newest, like the page.
API_LIST = "/api/v1/referral/?q=(order_column:created_at,order_direction:desc,page:0,page_size:25)"


def run_one(referrals: int, requests: int) -> None:
    fresh = FreshDatabase("postgresql")
    with fresh as url:
        info = prepare(url, fresh.tmp, referrals)
        print(f"{referrals:>9,} referrals loaded in {info['load_s']:.1f} s, VACUUM ANALYZE {info['analyze_s']:.1f} s; "
              f"clerk's school {info['school_id']} has {info['school_rows']:,}", flush=True)
        server = Server(url, fresh.tmp)
        try:
            server.wait_ready()
            clerk, caseworker = Browser(server.base), Browser(server.base)
            clerk.login("clerk", PASSWORD)
            caseworker.login("caseworker", PASSWORD)
            # The bare route is timed without a session cookie: no user is loaded for it.
            anonymous = Browser(server.base)
            api = Browser(server.base)
            api.api_login("clerk", PASSWORD)
            timings = time_in_turn({
                "school_page": (clerk, "/referrals/"),
                "school_bare": (anonymous, f"/bench/bare-list?school_id={info['school_id']}&page=1"),
                "school_api": (api, API_LIST),
                "school_api_bare": (anonymous, f"/bench/bare-api?school_id={info['school_id']}&page=1"),
                "county_page": (caseworker, "/referrals/"),
                "county_bare": (anonymous, "/bench/bare-list?school_id=&page=1"),
            }, requests)
        except Exception:
            print(server.tail(), file=sys.stderr)
            raise
        finally:
            server.stop()
    print(line(referrals, "school list page", timings["school_page"], timings["school_bare"], TARGET_RATIO))
    print(line(referrals, "county list page", timings["county_page"], timings["county_bare"], None))
    print(line(referrals, "school list API", timings["school_api"], timings["school_api_bare"], TARGET_RATIO),
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, nargs="+", default=[100_000],
                        help="referral counts (one fresh database each); default 100000")
    parser.add_argument("--requests", type=int, default=60,
                        help=f"timed requests per page after {WARMUP} warm-up ones; default 60")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if not GUNICORN.exists():
        parser.error(f"{GUNICORN} is missing: .venv/bin/pip install -r requirements-dev.txt")
    print(f"Targets: school list page and list API median <= {TARGET_RATIO:g}x their bare routes. PostgreSQL, "
          f"schools={SCHOOLS}, seed=1, VACUUM ANALYZE, gunicorn -w 2, {args.requests} sequential requests "
          f"of each page in turn after {WARMUP} warm-up, python {sys.version.split()[0]}", flush=True)
    for referrals in args.referrals:
        run_one(referrals, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
