"""The Elbe Day benchmark: the site as it runs in production, under load, on one machine.

For each data-set size it makes a fresh database (PostgreSQL when DATABASE_URL points
there, SQLite otherwise), fills it with generated data, and starts gunicorn with debug
off: first with no cache at all, to measure what rendering each public page costs; then
Django's hello world (bench/hello.py), the yardstick; then every public page from the page
cache, on a file cache (one machine) and on Redis (production; a redis-server of its own,
when one is installed), each as a fraction of the hello world's requests per second. With
wrk it then
measures the home and ceremony pages again while a registration rush takes seats of
another ceremony (and the ceremony page while registrations come at a pace of their own,
bench/pace.py), registrations that are all confirmed, a registration rush (then checks
the quota in the database), and the staff pages signed in as an organiser. For every
measurement it reads the CPU time the gunicorn workers spent (user + system, from /proc)
and divides it by the requests wrk counted. It ends with a budget table: pass or miss for
each goal. Results: tables on screen, and JSON plus an SVG chart in bench/results/.
Everything it started is stopped at the end, also on failure or Ctrl-C.

With --profile it then profiles requests of each kind in-process (bench/profile.py) and
writes where their time goes to bench/results/profile-<kind>.txt.

    make bench                      # sizes 1 and 10
    .venv/bin/python -m bench.run --sizes 1 --duration 10
    .venv/bin/python -m bench.run --sizes 1 --duration 5 --profile
"""

import argparse
import contextlib
import datetime
import gzip
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tqdm import tqdm

from bench.database import fresh_database_url

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
# These connections send their next POST as soon as one is answered: a cheaper POST makes
# them send more. A rush of people has a pace of its own, which the site's speed does not
# change. So RUSH_BUDGET_PAGE is measured once more while registrations come at a pace
# (bench.pace), for information: the budget is the rush above. The pace: the registrations
# a second that the site's first measured version could just keep up with on 2 cores.
PACED_RUSH_RATE = 150
# The machine's own pace moves under the benchmark: Django's hello world has cost 0.28 ms
# of CPU and, half an hour later on the same machine, 0.50 ms. So the lines that compare
# two measurements, or that sit near their budget, are measured this many times, each
# beside what it is compared with, and the median counts.
REPEATS = 3
RUSH_SLUGS = ("bench-rush", "bench-rush-pages")  # see bench.generate
# The registration form's page, which every registrant opens before registering: never
# kept in the page cache (it holds a CSRF token, a submission key and the seats left), so
# each request renders it; its CPU has the uncached pages' budget.
REGISTRATION_FORM = "/en/ceremonies/{slug}/register/"
# Signed in as an organiser (bench.run --seed-staff), at the size's registrations. The gate
# page shows the ceremonies of today: one of the generated ceremonies is moved to today.
STAFF_PAGES = [
    ("dashboard", "/en/staff/"),
    ("gate page", "/en/checkin/"),
    ("guest list", "/en/staff/ceremonies/{ceremony}/guest-list/"),
    (
        "CSV export",
        "/en/staff/ceremonies/{ceremony}/export/?which=confirmed&columns=name"
        "&columns=party_size&columns=category&columns=needs&file_format=csv&delimiter=%2C",
    ),
]
STAFF_USER = "bench-organiser"
# What a browser asks for: pages are measured compressed, as they are served.
BROWSER_HEADERS = ("Accept-Encoding: gzip, deflate, br",)

# The budget table's goals. CPU is the gunicorn workers' user + system time per request.
POST_CPU_MS = 3.0  # a registration (confirmed)
UNCACHED_CPU_MS = 4.0  # a public page rendered afresh
CACHED_RATIO = 0.6  # a page from the page cache: its req/s ÷ Django's hello world's
RUSH_RATIO = 0.5  # the ceremony page during a rush for another ceremony ÷ alone
RUSH_BUDGET_PAGE = "ceremony page"
# Staff pages at 200,000 registrations (size 1): 1.5 times what they cost when they were
# first measured (rounded), on 2 busy cores with PostgreSQL; a page that gets slower misses.
STAFF_CPU_MS = {"dashboard": 230, "gate page": 30, "guest list": 155, "CSV export": 75}
STAFF_BUDGET_SCALE = 1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", default="1,10", help="data-set scales, e.g. 1,10")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn sync workers (default: 2 x cores + 1)",
    )
    parser.add_argument("--rush-seconds", type=int, default=10)
    parser.add_argument("--rush-capacity", type=int, default=400)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then profile requests of each kind in-process (bench/profile.py)",
    )
    parser.add_argument("--seed-staff", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_staff:
        return _seed_staff()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: install it with `apt-get install -y wrk` (make bench does).")
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in args.sizes.split(",")]
    database = _database_kind()
    runs = []
    steps = len(sizes) * (3 * len(PAGES) + len(STAFF_PAGES) + 6 + args.profile)
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
    print(_budget_table(result))
    print(f"\nResults: {json_path.relative_to(ROOT)}, chart: {svg_path.relative_to(ROOT)}")
    failed = False
    for run in runs:
        if run["profiles"] is None:
            print(f"Profiling at size {run['scale']}× failed: see its error above.")
            failed = True
        for path in run["profiles"] or ():
            print(f"Profile ({run['scale']}×): {path}")
    return 1 if failed else 0


def _database_kind():
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def _bench_database_url(database, scale):
    # One PostgreSQL database for every size (each run makes it again), named as
    # bench/profile.py's docstring says; a SQLite file per size.
    return fresh_database_url("bench" if database == "postgresql" else f"bench-{scale}")


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


def _start_server(env, port, workers, app="elbeday.wsgi", ready="/health/"):
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}{ready}")
    except BaseException:
        _stop(server)
        raise
    return server


def _start_hello(env, port, workers):
    """Django's hello world (bench/hello.py), the yardstick, on a gunicorn of its own."""
    return _start_server(env, port, workers, app="bench.hello:application", ready="/")


@contextlib.contextmanager
def _redis_server():
    """A redis-server of the benchmark's own on a free port, keeping nothing on disk, as
    the cluster proof runs it; its cache URL, or None when redis-server is not installed
    (the pages are then measured on the file cache alone)."""
    program = shutil.which("redis-server") or (
        "/usr/sbin/redis-server" if os.access("/usr/sbin/redis-server", os.X_OK) else None
    )
    if program is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [program, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(server)


def _cached_pages(env, args, base, ceremony, bar, scale, kind):
    """Every page of PAGES from the page cache of `env`, each with its weight, and each
    right after Django's hello world on a gunicorn of its own beside the site: a page's
    ratio is its requests per second over the hello world's at the same pace of the
    machine (`hello_rps`), not over a hello world measured minutes before."""
    pages = []
    server = _start_server(env, args.port, args.workers)
    hello = None
    try:
        hello = _start_hello(env, args.port + 1, args.workers)
        for name, path in PAGES:
            bar.set_description(f"size {scale}: {name}, {kind} cache")
            url = base + path.format(ceremony=ceremony)
            reference = _measure(f"http://127.0.0.1:{args.port + 1}/", args, master=hello.pid)
            page = {"name": name, "path": path, **_measure(url, args, master=server.pid)}
            page["hello_rps"] = reference["rps"]
            pages.append({**page, **_weight(url)})
            bar.update(1)
    finally:
        _stop(server)
        if hello is not None:
            _stop(hello)
    return pages


def _cache_ratio(page, reference):
    """A page's requests per second over the hello world's measured just before it (over
    the run's `reference` for results that have none)."""
    return round(page["rps"] / (page.get("hello_rps") or reference["rps"] or 1), 3)


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
    base = f"http://127.0.0.1:{args.port}"
    file_env = {**env, "CACHE_URL": f"filecache://{RESULTS / 'cache' / str(scale)}"}
    shutil.rmtree(RESULTS / "cache" / str(scale), ignore_errors=True)
    # The page cache on one machine (a file cache), then in production (Redis); what
    # rendering costs and everything after the pages is measured on the second, or on the
    # first when redis-server is not installed.
    with _redis_server() as redis_url:
        env = {**env, "CACHE_URL": redis_url} if redis_url else file_env
        # What rendering costs: the page cache off (PAGE_CACHE_SECONDS=0), so that every
        # request renders its page, as after a change; the fragments that templates keep
        # in the cache are used as they are then.
        server = _start_server({**env, "PAGE_CACHE_SECONDS": "0"}, args.port, args.workers)
        try:
            ceremony = _upcoming_ceremony(base)
            uncached = {}
            for name, path in PAGES[1:]:
                bar.set_description(f"size {scale}: {name}, uncached")
                uncached[name] = _measure(
                    base + path.format(ceremony=ceremony), args, master=server.pid
                )
                bar.update(1)
        finally:
            _stop(server)
        # The yardstick, with the same workers and connections: Django's hello world.
        bar.set_description(f"size {scale}: Django's hello world")
        hello = _start_hello(env, args.port, args.workers)
        try:
            reference = _measure(base + "/", args, master=hello.pid)
        finally:
            _stop(hello)
        bar.update(1)
        file_pages = _cached_pages(file_env, args, base, ceremony, bar, scale, "file")
        if redis_url:
            pages = _cached_pages(env, args, base, ceremony, bar, scale, "Redis")
        else:
            pages, file_pages = file_pages, None
        for page in pages:
            if page["name"] in uncached:
                page["uncached"] = uncached[page["name"]]
        server = _start_server(env, args.port, args.workers)
        # Beside the site, idle while it is measured: the yardstick for its registrations.
        hello = None
        try:
            bar.set_description(f"size {scale}: pages during a rush")
            during_rush = _pages_during_rush(base, ceremony, args, repeats=REPEATS)
            during_paced_rush = _pages_during_rush(
                base,
                ceremony,
                args,
                names=(RUSH_BUDGET_PAGE,),
                rate=PACED_RUSH_RATE,
                repeats=REPEATS,
            )
            bar.update(1)
            bar.set_description(f"size {scale}: registrations")
            hello = _start_hello(env, args.port + 1, args.workers)
            registrations = _registrations(
                base,
                args,
                master=server.pid,
                hello=(f"http://127.0.0.1:{args.port + 1}/", hello.pid),
                repeats=REPEATS,
                database=database == "postgresql",
            )
            _stop(hello)
            bar.update(1)
            bar.set_description(f"size {scale}: registration form")
            registration_form = _measure(
                base + REGISTRATION_FORM.format(slug=RUSH_SLUGS[1]), args, master=server.pid
            )
            bar.update(1)
            bar.set_description(f"size {scale}: registration rush")
            rush = _rush(base, env, args, master=server.pid)
            bar.update(1)
            staff = _seed_staff_in(env)
            headers = (f"Cookie: {staff['cookie']}",)
            staff_pages = []
            for name, path in STAFF_PAGES:
                bar.set_description(f"size {scale}: {name}")
                url = base + path.format(ceremony=ceremony)
                staff_pages.append(
                    {
                        "name": name,
                        "path": path,
                        **_measure_one_by_one(url, args, master=server.pid, headers=headers),
                    }
                )
                bar.update(1)
        finally:
            _stop(server)
            if hello is not None:
                _stop(hello)
        profiles = []
        if args.profile:
            bar.set_description(f"size {scale}: profiling")
            profiles = _profile(env, ceremony)
            bar.update(1)
    health = pages[0]["rps"] or 1
    for page in [*pages, *(file_pages or ())]:
        page["ratio"] = _cache_ratio(page, reference)
    for page in pages:
        page["health_ratio"] = round(page["rps"] / health, 3)
    return {
        "scale": scale,
        "data": generated,
        "generate_seconds": round(generate_seconds, 1),
        "workers": args.workers,
        "cache": "redis" if file_pages else "file",
        "reference": reference,
        "pages": pages,
        "file_cache_pages": file_pages,
        "pages_during_rush": during_rush,
        "pages_during_paced_rush": during_paced_rush,
        "registrations": registrations,
        "registration_form": registration_form,
        "rush": rush,
        "gate_ceremony": staff["gate_ceremony"],
        "staff_pages": staff_pages,
        "profiles": profiles,
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


def _wrk_command(args, url, seconds, script=None, headers=BROWSER_HEADERS):
    command = [
        "wrk",
        "-t2",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    return [*command, url]


def _wrk(args, url, seconds, script=None, headers=BROWSER_HEADERS):
    command = _wrk_command(args, url, seconds, script, headers)
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


def _process_cpu(wanted):
    """{pid: user + system CPU seconds} of the processes for which `wanted(name, ppid)`
    is true, from /proc/<pid>/stat."""
    seconds = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        # The command name in parentheses, then state, ppid, ..., utime (14th field),
        # stime (15th).
        fields = stat[stat.rindex(")") + 2 :].split()
        if wanted(stat[stat.index("(") + 1 : stat.rindex(")")], int(fields[1])):
            seconds[int(entry.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return seconds


def _worker_cpu(master):
    """{pid: user + system CPU seconds} of the gunicorn master's workers (its children)."""
    return _process_cpu(lambda name, ppid: ppid == master)


def _database_cpu():
    """{pid: CPU seconds} of this machine's PostgreSQL processes (the server and a process
    per connection); empty when the database is elsewhere or SQLite."""
    return _process_cpu(lambda name, ppid: name.startswith("postgres"))


def _idle(master, timeout=10):
    """The workers' CPU times once they have stopped working (or after `timeout` s)."""
    deadline = time.monotonic() + timeout
    seconds = _worker_cpu(master)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        seconds, previous = _worker_cpu(master), seconds
        if seconds == previous:
            break
    return seconds


def _measure_one_by_one(url, args, *, master, headers):
    """Requests one after another for `args.duration` seconds (at least 3), with the CPU
    the workers spent per request: for pages that take a second or more, which 16
    connections at once would not see answered within the measurement."""
    request = urllib.request.Request(
        url, headers=dict(header.split(": ", 1) for header in (*BROWSER_HEADERS, *headers))
    )

    def fetch():
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status

    fetch()  # warm-up
    latencies, errors = [], 0
    before = _idle(master)
    started = time.perf_counter()
    while len(latencies) < 3 or time.perf_counter() - started < args.duration:
        begun = time.perf_counter()
        try:
            errors += fetch() != 200
        except OSError:
            errors += 1
        latencies.append(1000 * (time.perf_counter() - begun))
    elapsed = time.perf_counter() - started
    after = _worker_cpu(master)
    latencies.sort()
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2], 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "requests": len(latencies),
        "errors": errors,
        "cpu_ms": _cpu_ms(before, after, len(latencies)),
    }


def _cpu_ms(before, after, requests):
    """Worker CPU per request in ms between two readings of `_worker_cpu` (a worker that
    was replaced meanwhile is left out: its time is unknown)."""
    spent = sum(after[pid] - before[pid] for pid in after if pid in before)
    return round(1000 * spent / requests, 2) if requests else None


def _measure(
    url, args, *, master=None, script=None, warm_up=None, headers=BROWSER_HEADERS, database=False
):
    """wrk's figures for `url` after a warm-up, and with the gunicorn `master`'s pid the
    CPU its workers spent per request meanwhile (`cpu_ms`); with `database`, also the CPU
    this machine's PostgreSQL spent per request (`database_cpu_ms`, None when it has none
    here)."""
    _wrk(args, url, 2, script=warm_up or script, headers=headers)  # caches, connections
    # The workers finish what the warm-up left them (wrk does not wait for it) before
    # their time is read.
    before = _idle(master) if master else None
    database_before = _database_cpu() if database else None
    result = _wrk(args, url, args.duration, script=script, headers=headers)
    if master:
        result["cpu_ms"] = _cpu_ms(before, _worker_cpu(master), result["requests"])
    if database:
        result["database_cpu_ms"] = (
            _cpu_ms(database_before, _database_cpu(), result["requests"])
            if database_before
            else None
        )
    return result


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


def _form(base, slug):
    """A ceremony's registration form as a browser gets it: its address, CSRF token and
    cookie, and the id of its first seat category."""
    url = base + f"/en/ceremonies/{slug}/register/"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(url).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    category = re.search(r'name="category" value="(\d+)"', html).group(1)
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return url, token, cookie, category


def _rush_script(base, slug, name):
    """The address of a ceremony's registration form and a wrk script that posts it, each
    request for another person (email addresses starting with `name`)."""
    url, token, cookie, category = _form(base, slug)
    script = RESULTS / f"{name}.lua"
    script.write_text(
        RUSH_SCRIPT.replace("TOKEN", token)
        .replace("COOKIE", cookie)
        .replace("CATEGORY", category)
        .replace("REFERER", url)
        .replace("PREFIX", name)
    )
    return url, script


def _pages_during_rush(
    base,
    ceremony,
    args,
    rush_connections=PAGE_RUSH_CONNECTIONS,
    names=RUSH_PAGES,
    rate=None,
    repeats=1,
):
    """The pages of `names` measured while `rush_connections` connections register for
    another ceremony, one with seats to spare, so that seats are taken all along; beside
    their figures without a rush ("quiet"). Both share the machine's cores with the rush,
    so even pages that stay cached answer fewer requests; pages thrown away on every seat
    taken answer far fewer. With `rate`, the registrations come at that pace instead
    (bench.pace: `rate` a second, each on a connection of its own).

    Each page is measured alone and then during the rush, back to back, so that both meet
    the machine at the same pace; `repeats` times, and the pair with the median ratio
    counts (every ratio is kept)."""
    rush_args = argparse.Namespace(**{**vars(args), "connections": rush_connections})
    results = []
    for name, path in PAGES:
        if name not in names:
            continue
        url = base + path.format(ceremony=ceremony)
        pairs = []
        for repeat in range(repeats):
            quiet = _measure(url, args)
            label = f"{'paced' if rate else 'pages-rush'}-{len(results)}-{repeat}"
            page, load = _during_rush(base, url, args, rush_args, rate, label)
            pairs.append((page["rps"] / (quiet["rps"] or 1), quiet, page, load))
        ratio, quiet, page, load = _median(pairs, key=lambda pair: pair[0])
        results.append(
            {
                "name": name,
                "path": path,
                "quiet_rps": quiet["rps"],
                "rps": page["rps"],
                "ratio": round(ratio, 3),
                "ratios": [round(pair[0], 3) for pair in pairs],
                "p50_ms": page["p50_ms"],
                "p99_ms": page["p99_ms"],
                "errors": page["errors"],
                "registrations_per_second": load["rps"],
                "registration_errors": load["errors"],
                "registering_connections": None if rate else rush_connections,
                "pace": rate,
            }
        )
    return results


def _during_rush(base, url, args, rush_args, rate, label):
    """wrk's figures for `url` while registrations come (see `_pages_during_rush`), and
    the registrations': their rate and errors."""
    # The rush starts first and outlasts the measurement (its warm-up included).
    if rate:
        command = _pace_command(base, rate, args.duration + 4, label)
    else:
        rush_url, script = _rush_script(base, "bench-rush-pages", label)
        command = _wrk_command(rush_args, rush_url, args.duration + 4, script=script)
    rush = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        time.sleep(1)
        page = _measure(url, args)
        output, _errors = rush.communicate(timeout=args.duration + 60)
    finally:
        _stop(rush)
    if rush.returncode != 0:
        raise RuntimeError(f"the rush failed while {url} was measured")
    if rate:
        paced = json.loads(output)
        return page, {"rps": paced["registered"] / paced["seconds"], "errors": paced["errors"]}
    return page, _wrk_result(output)


def _pace_command(base, rate, seconds, name):
    url, token, cookie, category = _form(base, "bench-rush-pages")
    return [
        PYTHON, "-m", "bench.pace", url, "--rate", str(rate), "--seconds", str(seconds),
        "--token", token, "--cookie", cookie, "--category", category,
        "--prefix", f"{name}-{secrets.token_hex(4)}",
    ]  # fmt: skip


def _registrations(base, args, *, master=None, hello=None, repeats=1, database=False):
    """Registrations for a ceremony with seats to spare: every POST is confirmed (and
    answered with a redirect, which wrk does not follow). Measured `repeats` times, each
    right after Django's hello world on `hello` (its address and gunicorn master), when
    given, the yardstick of the machine's pace at that moment; the measurement with the
    median CPU counts, and every one's CPU is kept. With `database` (PostgreSQL), each
    also reads what this machine's PostgreSQL spent per POST."""
    runs = []
    for repeat in range(repeats):
        reference = _measure(hello[0], args, master=hello[1]) if hello else {}
        url, warm_up = _rush_script(base, "bench-rush-pages", f"confirmed-warm-up-{repeat}")
        url, script = _rush_script(base, "bench-rush-pages", f"confirmed-{repeat}")
        result = _measure(
            url, args, master=master, script=script, warm_up=warm_up, database=database
        )
        runs.append({**result, "hello_cpu_ms": reference.get("cpu_ms")})
    runs.sort(key=_cpu)
    return {
        **_median(runs, key=_cpu),
        "cpu_ms_runs": [result.get("cpu_ms") for result in runs],
        "hello_cpu_ms_runs": [result["hello_cpu_ms"] for result in runs],
        "database_cpu_ms_runs": [result.get("database_cpu_ms") for result in runs],
    }


def _cpu(result):
    return result.get("cpu_ms") or 0


def _median(items, key):
    """The item whose `key` is the median of `items` (of an even number, the lower one)."""
    return sorted(items, key=key)[(len(items) - 1) // 2]


def _rush(base, env, args, *, master=None):
    url, script = _rush_script(base, "bench-rush", "rush")
    # Warm up the way a live site is warm: every worker has its database connection and
    # has served the form before the rush starts.
    _wrk(args, url, 2)
    before = _idle(master) if master else None
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
        "cpu_ms": _cpu_ms(before, _worker_cpu(master), load["requests"]) if master else None,
    }


def _seed_staff_in(env):
    """Runs --seed-staff with the benchmark's settings; its JSON."""
    output = subprocess.run(
        [PYTHON, "-m", "bench.run", "--seed-staff"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "elbeday.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.splitlines()[-1])


def _seed_staff():
    """An organiser signed in (the session cookie, which wrk sends), and one of the
    generated ceremonies of this year moved to today, with its registrations, so that
    the gate page has a day to show. Prints JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elbeday.settings")
    django.setup()
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.utils import timezone

    from bench.generate import BERLIN
    from elbeday import roles
    from events.models import Ceremony

    user, _created = get_user_model().objects.get_or_create(
        username=STAFF_USER, defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=roles.ORGANISERS))
    client = Client()
    client.force_login(user)
    now = timezone.now()
    gate = f"ceremony-{now.astimezone(BERLIN).year}-0"
    # An update, not a save: no page of the cache is cleared (the public pages are
    # measured by then), and the generated ceremonies' year stays as it was.
    Ceremony.objects.filter(slug=gate).update(
        start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=1)
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    print(json.dumps({"cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", "gate_ceremony": gate}))


def _profile(env, ceremony):
    """Runs bench.profile against the benchmark's database; the files it wrote, or None
    if it failed (its error is on stderr; the measurements are kept)."""
    process = subprocess.run(
        [PYTHON, "-m", "bench.profile", "--ceremony", ceremony],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "elbeday.settings"},
        stdout=subprocess.PIPE,
        text=True,
    )
    if process.returncode != 0:
        return None
    output = process.stdout.splitlines()
    return [line.removeprefix("wrote ") for line in output if line.startswith("wrote ")]


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _hello(page):
    return f"{page['hello_rps']:.0f}" if page.get("hello_rps") else "–"


def _ms(value):
    return "–" if value is None else f"{value:.2f}"


def _table(result):
    lines = [
        f"\nElbe Day benchmark · {result['database']} · {result['cores']} cores · "
        f"wrk {result['connections']} connections × {result['duration']} s · "
        "CPU: the gunicorn workers' user + system time per request",
    ]
    for run in result["runs"]:
        data = run["data"]
        lines.append(
            f"\nData size {run['scale']}×: {data['sites']} sites, {data['ceremonies']} ceremonies, "
            f"{data['registrations']} registrations (generated in {run['generate_seconds']} s); "
            f"gunicorn {run['workers']} workers; page cache: {run.get('cache', 'file')}"
        )
        reference = run["reference"]
        lines.append(
            f"Django's hello world (bench/hello.py): {reference['rps']:.0f} req/s, CPU "
            f"{_ms(reference.get('cpu_ms'))} ms; ratio: a page's req/s ÷ the hello world's "
            "(hello) measured just before it"
        )
        cache = "Redis" if run["cache"] == "redis" else "file"
        lines.append(f"{'':<16}{f'from the page cache ({cache})':^52}{'uncached':^20}")
        lines.append(
            f"{'page':<16}{'req/s':>10}{'hello':>8}{'ratio':>7}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'CPU ms':>9}"
            f"{'req/s':>10}{'CPU ms':>10}{'KB':>8}{'errors':>8}"
        )
        for page in run["pages"]:
            uncached = page.get("uncached", {})
            errors = page["errors"] + uncached.get("errors", 0)
            uncached_rps = f"{uncached['rps']:.0f}" if uncached else "–"
            lines.append(
                f"{page['name']:<16}{page['rps']:>10.0f}{_hello(page):>8}{page['ratio']:>7.2f}"
                f"{page['p50_ms']:>9.1f}{page['p99_ms']:>9.1f}{_ms(page.get('cpu_ms')):>9}{uncached_rps:>10}"
                f"{_ms(uncached.get('cpu_ms')):>10}{page['bytes'] / 1024:>8.1f}{errors:>8}"
            )
        if run.get("file_cache_pages"):
            lines.append(
                f"\n{'file cache':<16}{'req/s':>10}{'hello':>8}{'ratio':>7}{'p50 ms':>9}"
                f"{'CPU ms':>9}"
            )
            for page in run["file_cache_pages"]:
                lines.append(
                    f"{page['name']:<16}{page['rps']:>10.0f}{_hello(page):>8}{page['ratio']:>7.2f}"
                    f"{page['p50_ms']:>9.1f}{_ms(page.get('cpu_ms')):>9}"
                )
        if run.get("staff_pages"):
            lines.append(
                f"\nStaff pages, signed in as an organiser, one request at a time (gate: "
                f"{run['gate_ceremony']} moved to today)"
            )
            lines.append(
                f"{'staff page':<16}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms':>9}"
                f"{'errors':>8}"
            )
            for page in run["staff_pages"]:
                lines.append(
                    f"{page['name']:<16}{page['rps']:>10.1f}{page['p50_ms']:>9.1f}"
                    f"{page['p99_ms']:>9.1f}{_ms(page.get('cpu_ms')):>9}{page['errors']:>8}"
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
            lines.append(_during_rush_line(page))
        if paced := run.get("pages_during_paced_rush"):
            lines.append(
                f"the same while registrations come at a pace of {paced[0]['pace']} a second "
                "(bench.pace; for information, the budget is the rush above)"
            )
            lines.extend(_during_rush_line(page) for page in paced)
        repeats = max((len(page.get("ratios", ())) for page in run["pages_during_rush"]), default=1)
        if repeats > 1:
            lines.append(
                f"each page measured alone, then during the rush, back to back, {repeats} "
                "times: the pair with the median ratio is shown, then every ratio"
            )
        if form := run.get("registration_form"):
            lines.append(
                f"registration form page (never from the page cache): {form['rps']:.0f}/s, "
                f"p50 {form['p50_ms']:.1f} ms, p99 {form['p99_ms']:.1f} ms, CPU "
                f"{_ms(form.get('cpu_ms'))} ms, {form['errors']} errors"
            )
        if confirmed := run.get("registrations"):
            lines += _registrations_lines(confirmed)
        rush = run["rush"]
        lines.append(
            f"registration rush: {rush['confirmed']} confirmed ({rush['confirmed_per_second']}/s), "
            f"{rush['waiting']} waiting ({rush['waiting_per_second']}/s), {rush['errors']} errors, "
            f"CPU {_ms(rush.get('cpu_ms'))} ms per POST, "
            f"seats {rush['seats_taken']}/{rush['capacity']}, "
            f"counter matches: {rush['counter_matches']}, categories over quota: "
            f"{rush['categories_over_quota']}"
        )
    return "\n".join(lines)


def _budgets(run):
    """(what, measured, budget, passed) for each goal, from one size's figures."""
    lines = []

    def at_most(what, value, limit, unit=" ms"):
        if value is not None and limit is not None:
            lines.append((what, f"{value:.2f}{unit}", f"≤ {limit:g}{unit}", value <= limit))

    def at_least(what, value, limit):
        lines.append((what, f"{value:.2f}×", f"≥ {limit:g}×", value >= limit))

    if confirmed := run.get("registrations"):
        at_most("registration POST (confirmed), CPU", confirmed.get("cpu_ms"), POST_CPU_MS)
    for page in run["pages"]:
        if "uncached" in page:
            at_most(
                f"{page['name']}, uncached, CPU", page["uncached"].get("cpu_ms"), UNCACHED_CPU_MS
            )
    if form := run.get("registration_form"):
        at_most("registration form page, CPU", form.get("cpu_ms"), UNCACHED_CPU_MS)
    caches = [(run.get("cache", "file"), run["pages"])]
    if run.get("file_cache_pages"):
        caches.append(("file", run["file_cache_pages"]))
    for cache, pages in caches:
        cache = "Redis" if cache == "redis" else cache
        for page in pages[1:]:
            at_least(
                f"{page['name']}, {cache} cache, req/s ÷ hello world", page["ratio"], CACHED_RATIO
            )
    for page in run["pages_during_rush"]:
        if page["name"] == RUSH_BUDGET_PAGE:
            at_least(f"{page['name']} during a rush, req/s ÷ alone", page["ratio"], RUSH_RATIO)
    if run["scale"] == STAFF_BUDGET_SCALE:
        for page in run.get("staff_pages", []):
            at_most(
                f"{page['name']} (staff), CPU", page.get("cpu_ms"), STAFF_CPU_MS.get(page["name"])
            )
    return lines


def _registrations_lines(confirmed):
    """The table's lines for the confirmed registrations (see `_registrations`)."""
    lines = [
        f"registrations, all confirmed: {confirmed['rps']:.0f}/s, p50 "
        f"{confirmed['p50_ms']:.1f} ms, p99 {confirmed['p99_ms']:.1f} ms, CPU "
        f"{_ms(confirmed.get('cpu_ms'))} ms per POST, {confirmed['errors']} errors"
    ]
    if (database := confirmed.get("database_cpu_ms")) is not None:
        lines.append(f"  and PostgreSQL's CPU on this machine: {_ms(database)} ms per POST")
    if len(runs := confirmed.get("cpu_ms_runs", ())) > 1:
        hello = confirmed.get("hello_cpu_ms_runs", ())
        lines.append(
            f"  CPU per POST, median of {len(runs)}: {', '.join(map(_ms, runs))} ms; "
            f"Django's hello world just before each: {', '.join(map(_ms, hello))} ms"
        )
    return lines


def _during_rush_line(page):
    ratios = page.get("ratios", ())
    return (
        f"{page['name']:<16}{page['rps']:>10.0f}{page['quiet_rps']:>8.0f}"
        f"{page['ratio']:>8.2f}{page['p99_ms']:>9.1f}{page['errors']:>8}"
        f"{page['registrations_per_second']:>8.0f}"
        + (f"  ratios {', '.join(f'{ratio:.2f}' for ratio in ratios)}" if len(ratios) > 1 else "")
    )


def _budget_table(result):
    lines = []
    for run in result["runs"]:
        budgets = _budgets(run)
        missed = sum(1 for *_figures, passed in budgets if not passed)
        lines.append(
            f"\nBudget at size {run['scale']}× ({len(budgets) - missed} of {len(budgets)} met)"
        )
        lines.append(f"{'':<56}{'measured':>10}{'budget':>11}")
        for what, measured, budget, passed in budgets:
            lines.append(f"{what:<56}{measured:>10}{budget:>11}  {'pass' if passed else 'MISS'}")
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
    sys.exit(main())
