"""The Elbe Day benchmark: the site as it runs in production, under load, on one machine.

For each data-set size it makes a fresh database (PostgreSQL when DATABASE_URL points
there, SQLite otherwise), fills it with generated data, starts gunicorn with debug off,
measures every public page and the health check with wrk, measures the home and ceremony
pages again while a registration rush takes seats of another ceremony, runs a registration
rush, and checks the quota in the database. Results: a table on screen, and JSON plus an
SVG chart in bench/results/. Everything it started is stopped at the end, also on failure
or Ctrl-C.

    make bench                      # sizes 1 and 10
    .venv/bin/python -m bench.run --sizes 1 --duration 10
"""

import argparse
import datetime
import gzip
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PAGES = [
    ("health check", "/health/"),
    ("home", "/en/"),
    ("ceremony list", "/en/ceremonies/"),
    ("ceremony page", "/en/ceremonies/{ceremony}/"),
    ("memorial list", "/en/memorials/"),
    ("memorial page", "/en/memorials/memorial-1/"),
    ("sitemap", "/sitemap.xml"),
]
# Measured again while a registration rush takes seats of another ceremony: a seat taken
# must not throw away the cached pages that do not show it.
RUSH_PAGES = ("home", "ceremony page")
# Fewer than gunicorn's workers: with as many connections registering as reading, every
# worker is busy with a registration and the pages wait in the queue, cached or not.
PAGE_RUSH_CONNECTIONS = 4
RUSH_SLUGS = ("bench-rush", "bench-rush-pages")  # see bench.generate


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="1,10", help="data-set scales, e.g. 1,10")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rush-seconds", type=int, default=10)
    parser.add_argument("--rush-capacity", type=int, default=400)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: install it with `apt-get install -y wrk` (make bench does).")
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in args.sizes.split(",")]
    database = _database_kind()
    runs = []
    steps = len(sizes) * (len(PAGES) + 5)
    with tqdm(total=steps, unit="step", dynamic_ncols=True) as bar:
        for scale in sizes:
            runs.append(_run_scale(scale, database, args, bar))
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": database,
        "cores": os.cpu_count(),
        "connections": args.connections,
        "duration": args.duration,
        "runs": runs,
    }
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    json_path = RESULTS / f"bench-{database}-{stamp}.json"
    json_path.write_text(json.dumps(result, indent=2))
    svg_path = RESULTS / f"bench-{database}-{stamp}.svg"
    svg_path.write_text(_chart(result))
    print(_table(result))
    print(f"\nResults: {json_path.relative_to(ROOT)}, chart: {svg_path.relative_to(ROOT)}")


def _database_kind():
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def _bench_database_url(database, scale):
    if database == "sqlite":
        path = RESULTS / f"bench-{scale}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = f"{url.path.lstrip('/') or 'elbeday'}_bench"
    maintenance = url._replace(path="/postgres").geturl()
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url._replace(path=f"/{name}").geturl()


def _environment(database_url):
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(RESULTS / "media"),
            "STATIC_ROOT": str(RESULTS / "static"),
            "REGISTRATION_RATE_PER_IP": "",
            "REGISTRATION_RATE_PER_EMAIL": "",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def _manage(env, *args):
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def _run_scale(scale, database, args, bar):
    bar.set_description(f"size {scale}: database")
    env = _environment(_bench_database_url(database, scale))
    _manage(env, "migrate", "--no-input")
    _manage(env, "collectstatic", "--no-input", "-v0")
    bar.update(1)
    bar.set_description(f"size {scale}: generating data")
    started = time.perf_counter()
    generated = _generate(env, scale, args.rush_capacity, bar)
    generate_seconds = time.perf_counter() - started
    bar.update(1)
    workers = 2 * (os.cpu_count() or 1) + 1
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "elbeday.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait_for(base + "/health/")
        bar.update(1)
        ceremony = _upcoming_ceremony(base)
        pages = []
        for name, path in PAGES:
            bar.set_description(f"size {scale}: {name}")
            url = base + path.format(ceremony=ceremony)
            pages.append({"name": name, "path": path, **_measure(url, args), **_weight(url)})
            bar.update(1)
        bar.set_description(f"size {scale}: pages during a rush")
        during_rush = _pages_during_rush(base, ceremony, pages, args)
        bar.update(1)
        bar.set_description(f"size {scale}: registration rush")
        rush = _rush(base, env, args)
        bar.update(1)
    finally:
        _stop(server)
    health = pages[0]["rps"] or 1
    for page in pages:
        page["ratio"] = round(page["rps"] / health, 3)
    return {
        "scale": scale,
        "data": generated,
        "generate_seconds": round(generate_seconds, 1),
        "workers": workers,
        "pages": pages,
        "pages_during_rush": during_rush,
        "rush": rush,
    }


def _generate(env, scale, rush_capacity, bar):
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "bench.make_data",
            "--scale",
            str(scale),
            "--rush-capacity",
            str(rush_capacity),
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "elbeday.settings"},
        stdout=subprocess.PIPE,
        text=True,
    )
    summary = None
    for line in process.stdout:
        message = json.loads(line)
        if "summary" in message:
            summary = message["summary"]
        else:
            bar.set_postfix_str(f"{message['step']} {message['done']}/{message['total']}")
    if process.wait() != 0 or summary is None:
        raise RuntimeError("generating the data set failed")
    bar.set_postfix_str("")
    return summary


def _wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {url}")


def _upcoming_ceremony(base):
    with urllib.request.urlopen(base + "/en/ceremonies/") as response:
        html = response.read().decode()
    slugs = re.findall(r'href="/en/ceremonies/([\w-]+)/"', html)
    return next(slug for slug in slugs if slug not in ("calendar", "feed", *RUSH_SLUGS))


WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_command(args, url, seconds, script=None):
    command = [
        "wrk",
        "-t2",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script:
        command += ["-s", str(script)]
    return [*command, url]


def _wrk(args, url, seconds, script=None):
    command = _wrk_command(args, url, seconds, script)
    return _wrk_result(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def _wrk_result(output):
    latency = {p: float(v) * UNITS[u] for p, v, u in WRK_LATENCY.findall(output)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
    return {
        "rps": round(rps, 1),
        "p50_ms": round(latency.get("50", 0.0), 2),
        "p99_ms": round(latency.get("99", 0.0), 2),
        "requests": requests,
        "errors": errors,
    }


def _measure(url, args):
    _wrk(args, url, 2)  # warm-up: caches, connections, imports
    return _wrk(args, url, args.duration)


def _weight(url):
    """Bytes transferred for the page and its CSS and JS (no photos), compressed the way
    a browser asks for them."""

    def fetch(address):
        request = urllib.request.Request(address, headers={"Accept-Encoding": "br, gzip"})
        with urllib.request.urlopen(request) as response:
            return response.read(), response.headers.get("Content-Encoding", "")

    body, encoding = fetch(url)
    total = len(body)
    text = (gzip.decompress(body) if encoding == "gzip" else body).decode(errors="replace")
    if "<html" in text[:300]:
        base = "/".join(url.split("/", 3)[:3])
        for asset in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', text):
            total += len(fetch(base + asset)[0])
    return {"bytes": total}


RUSH_SCRIPT = """
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() + id)
end
local function uuid()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function (c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end
function request()
  counter = counter + 1
  local party = (counter % 2) + 1
  local body = "csrfmiddlewaretoken=TOKEN&name=Rush+guest&email=PREFIX" .. id .. "-" .. counter
    .. "%40example.org&category=CATEGORY&party_size=" .. party
    .. "&language=en&consent_privacy=on&submission_key=" .. uuid()
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=COOKIE",
    ["Referer"] = "REFERER",
  }, body)
end
"""


def _rush_script(base, slug, name):
    """The address of a ceremony's registration form and a wrk script that posts it, each
    request for another person (email addresses starting with `name`)."""
    url = base + f"/en/ceremonies/{slug}/register/"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(url).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    category = re.search(r'name="category" value="(\d+)"', html).group(1)
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    script = RESULTS / f"{name}.lua"
    script.write_text(
        RUSH_SCRIPT.replace("TOKEN", token)
        .replace("COOKIE", cookie)
        .replace("CATEGORY", category)
        .replace("REFERER", url)
        .replace("PREFIX", name)
    )
    return url, script


def _pages_during_rush(base, ceremony, pages, args, rush_connections=PAGE_RUSH_CONNECTIONS):
    """The pages of RUSH_PAGES measured while `rush_connections` connections register for
    another ceremony, one with seats to spare, so that seats are taken all along; beside
    their figures without a rush (`pages`). Both share the machine's cores with the rush,
    so even pages that stay cached answer fewer requests; pages thrown away on every seat
    taken answer far fewer."""
    rush_args = argparse.Namespace(**{**vars(args), "connections": rush_connections})
    results = []
    quiet = {page["name"]: page for page in pages}
    for name, path in PAGES:
        if name not in RUSH_PAGES:
            continue
        url, script = _rush_script(base, "bench-rush-pages", f"pages-rush-{len(results)}")
        # The rush starts first and outlasts the measurement (its warm-up included).
        rush = subprocess.Popen(
            _wrk_command(rush_args, url, args.duration + 4, script=script),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        try:
            time.sleep(1)
            page = _measure(base + path.format(ceremony=ceremony), args)
            output, _errors = rush.communicate(timeout=args.duration + 60)
        finally:
            _stop(rush)
        if rush.returncode != 0:
            raise RuntimeError(f"wrk failed during the rush against {name}")
        load = _wrk_result(output)
        results.append(
            {
                "name": name,
                "path": path,
                "quiet_rps": quiet[name]["rps"],
                "rps": page["rps"],
                "ratio": round(page["rps"] / (quiet[name]["rps"] or 1), 3),
                "p50_ms": page["p50_ms"],
                "p99_ms": page["p99_ms"],
                "errors": page["errors"],
                "registrations_per_second": load["rps"],
                "registration_errors": load["errors"],
                "registering_connections": rush_connections,
            }
        )
    return results


def _rush(base, env, args):
    url, script = _rush_script(base, "bench-rush", "rush")
    # Warm up the way a live site is warm: every worker has its database connection and
    # has served the form before the rush starts.
    _wrk(args, url, 2)
    load = _wrk(args, url, args.rush_seconds, script=script)
    verified = json.loads(
        subprocess.run(
            [PYTHON, "-m", "bench.verify"],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "elbeday.settings"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    confirmed_rate = (
        verified["confirmed"] / verified["confirmed_seconds"]
        if verified["confirmed_seconds"]
        else 0
    )
    waiting_rate = (
        verified["waiting"] / verified["waiting_seconds"] if verified["waiting_seconds"] else 0
    )
    return {
        **verified,
        "requests": load["requests"],
        "errors": load["errors"],
        "confirmed_per_second": round(confirmed_rate, 1),
        "waiting_per_second": round(waiting_rate, 1),
        "p50_ms": load["p50_ms"],
        "p99_ms": load["p99_ms"],
    }


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _table(result):
    lines = [
        f"\nElbe Day benchmark · {result['database']} · {result['cores']} cores · "
        f"wrk {result['connections']} connections × {result['duration']} s",
    ]
    for run in result["runs"]:
        data = run["data"]
        lines.append(
            f"\nData size {run['scale']}×: {data['sites']} sites, {data['ceremonies']} ceremonies, "
            f"{data['registrations']} registrations (generated in {run['generate_seconds']} s); "
            f"gunicorn {run['workers']} workers"
        )
        lines.append(
            f"{'page':<16}{'req/s':>10}{'ratio':>8}{'p50 ms':>9}{'p99 ms':>9}{'KB':>8}{'errors':>8}"
        )
        for page in run["pages"]:
            lines.append(
                f"{page['name']:<16}{page['rps']:>10.0f}{page['ratio']:>8.2f}{page['p50_ms']:>9.1f}"
                f"{page['p99_ms']:>9.1f}{page['bytes'] / 1024:>8.1f}{page['errors']:>8}"
            )
        rushing = {page["registering_connections"] for page in run["pages_during_rush"]}
        lines.append(
            f"\nPages while {', '.join(map(str, rushing))} connections register for another "
            "ceremony (quiet: the same page without them)"
        )
        lines.append(
            f"{'during a rush':<16}{'req/s':>10}{'quiet':>8}{'ratio':>8}{'p99 ms':>9}"
            f"{'errors':>8}{'reg/s':>8}"
        )
        for page in run["pages_during_rush"]:
            lines.append(
                f"{page['name']:<16}{page['rps']:>10.0f}{page['quiet_rps']:>8.0f}"
                f"{page['ratio']:>8.2f}{page['p99_ms']:>9.1f}{page['errors']:>8}"
                f"{page['registrations_per_second']:>8.0f}"
            )
        rush = run["rush"]
        lines.append(
            f"registration rush: {rush['confirmed']} confirmed ({rush['confirmed_per_second']}/s), "
            f"{rush['waiting']} waiting ({rush['waiting_per_second']}/s), {rush['errors']} errors, "
            f"seats {rush['seats_taken']}/{rush['capacity']}, "
            f"counter matches: {rush['counter_matches']}, categories over quota: "
            f"{rush['categories_over_quota']}"
        )
    return "\n".join(lines)


def _chart(result):
    """Requests per second against data size, one line per page, as SVG."""
    runs = result["runs"]
    names = [page["name"] for page in runs[0]["pages"]]
    top = max(page["rps"] for run in runs for page in run["pages"]) or 1
    width, height, left, bottom = 720, 360, 60, 300
    step = (width - left - 180) / max(1, len(runs) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'font-family="sans-serif" font-size="12">',
        f"<title>Requests per second against data size ({result['database']})</title>",
        f'<line x1="{left}" y1="{bottom}" x2="{width - 180}" y2="{bottom}" stroke="#333"/>',
        f'<line x1="{left}" y1="20" x2="{left}" y2="{bottom}" stroke="#333"/>',
        f'<text x="10" y="15">req/s (max {top:.0f})</text>',
    ]
    dashes = ["", "6,3", "2,2", "8,3,2,3", "1,4", "10,2", "4,4"]
    for index, name in enumerate(names):
        points = []
        for number, run in enumerate(runs):
            x = left + number * step
            y = bottom - (bottom - 20) * run["pages"][index]["rps"] / top
            points.append(f"{x:.0f},{y:.0f}")
        dash = dashes[index % len(dashes)]
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="#1f2937" '
            f'stroke-width="2" stroke-dasharray="{dash}"/>'
        )
        last_y = points[-1].split(",")[1]
        parts.append(f'<text x="{width - 170}" y="{last_y}">{name}</text>')
    for number, run in enumerate(runs):
        parts.append(
            f'<text x="{left + number * step:.0f}" y="{bottom + 20}" text-anchor="middle">'
            f"{run['scale']}× ({run['data']['registrations']} reg.)</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


if __name__ == "__main__":
    main()
