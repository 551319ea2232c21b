"""The email worker under trouble, as it runs in production, on a fresh database of its own
(PostgreSQL when DATABASE_URL points there, SQLite otherwise):

1. A killed worker: 60 queued emails, a real `manage.py send_outbox --loop` against a mail
   server (aiosmtpd), killed with SIGKILL right after the 20th delivery and started again;
   when all are sent, the deliveries per address: emails sent twice, emails missing.
2. A mail server that hangs (accepts connections, never answers): while the worker is
   stuck in a send, registrations are posted to gunicorn from 8 threads; the longest
   registration, and how many failed.

Everything it started (servers, worker, gunicorn) listens on a free port of 127.0.0.1 and
is stopped at the end, also on failure or Ctrl-C. Results: a summary on screen, JSON in
bench/results/.

    .venv/bin/python -m bench.outbox
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elbeday .venv/bin/python -m bench.outbox
"""

import argparse
import collections
import contextlib
import datetime
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

from bench.database import fresh_database_url
from bench.run import PYTHON, RESULTS, ROOT, _database_kind, _environment, _manage, _stop

RUSH_PATH = "/en/ceremonies/bench-rush/register/"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--emails", type=int, default=60)
    parser.add_argument("--kill-after", type=int, default=20)
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        return _seed(args.seed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    database = _database_kind()
    env = _environment(_fresh_database_url(database))
    (RESULTS / "outbox-worker.log").unlink(missing_ok=True)
    _manage(env, "migrate", "--no-input")
    _manage(env, "collectstatic", "--no-input", "-v0")
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": database,
        "cores": os.cpu_count(),
        "killed_worker": _killed_worker(env, args),
        "hanging_server": _hanging_server(env, args),
    }
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"outbox-{database}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2))
    print(_summary(result))
    print(f"\nResults: {path.relative_to(ROOT)}")


def _fresh_database_url(database):
    return fresh_database_url("outbox_bench" if database == "postgresql" else "outbox")


def _seed(count):
    """(In a subprocess with Django set up.) The rush ceremony, if missing, and `count`
    registrations made through the service, each queueing its confirmation."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elbeday.settings")
    django.setup()
    from django.utils import timezone

    from bench.generate import _rush_ceremony
    from events.models import Ceremony, Series
    from memorials.models import MemorialSite
    from registrations import services
    from registrations.models import Registration

    ceremony = Ceremony.objects.filter(slug="bench-rush").first()
    if ceremony is None:
        site = MemorialSite.objects.create(
            name_en="Memorial", slug="memorial", kind=MemorialSite.Kind.choices[0][0],
            summary_en="For the benchmark.", town_en="Torgau", country="DE",
            latitude=51.56, longitude=13.0, location_precision="town", is_published=True,
        )  # fmt: skip
        series = Series.objects.create(
            name_en="Bench Day", slug="bench-day", commemorated_year=1945
        )
        ceremony = _rush_ceremony(series, site, 100_000, timezone.now())
    category = ceremony.categories.get()
    start = Registration.objects.count()
    for number in range(start, start + count):
        services.registration_create(
            registration=Registration(
                category=category,
                name=f"Guest {number}",
                email=f"guest{number:04}@example.org",
                party_size=1,
                language=("en", "de", "ru")[number % 3],
            )
        )


class _Controller:
    """aiosmtpd's threaded server on a free port of 127.0.0.1, delivering to `handler`."""

    def __init__(self, handler):
        from aiosmtpd.controller import Controller

        listening = socket.create_server(("127.0.0.1", 0))

        class Local(Controller):
            def _create_server(self):
                return self.loop.create_server(self._factory_invoker, sock=listening)

        self.port = listening.getsockname()[1]
        self.controller = Local(handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()


class _Deliveries:
    """Counts deliveries per address; calls `after(count)` in the server's loop."""

    def __init__(self, after):
        self.received = []
        self.after = after

    async def handle_DATA(self, server, session, envelope):
        self.received.extend(envelope.rcpt_tos)
        self.after(len(self.received))
        return "250 Message accepted for delivery"


class SilentServer:
    """A mail server that accepts connections and never says a word, until stopped (then
    it hangs up). `connected` is set once a client is waiting on it. The outbox tests use
    it too."""

    def __init__(self):
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.connections = 0
        self.connected = threading.Event()
        self._clients = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._done.is_set():
            try:
                client, _address = self._socket.accept()
            except TimeoutError:
                continue
            self._clients.append(client)
            self.connections += 1
            self.connected.set()
        for client in self._clients:
            client.close()
        self._socket.close()

    def stop(self):
        self._done.set()
        self._thread.join()


def _worker(env, port, email_timeout):
    """`send_outbox --loop` against the mail server at `port`; its log goes to
    bench/results/outbox-worker.log."""
    with (RESULTS / "outbox-worker.log").open("a") as log:
        return subprocess.Popen(
            [PYTHON, "manage.py", "send_outbox", "--loop", "--interval", "0.5"],
            cwd=ROOT,
            env={
                **env,
                "EMAIL_URL": f"smtp://127.0.0.1:{port}",
                "EMAIL_TIMEOUT": str(email_timeout),
            },
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def _statuses(database_url):
    query = "SELECT status, COUNT(*) FROM registrations_outgoingemail GROUP BY status"
    if database_url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            return dict(db.execute(query).fetchall())
    import psycopg

    with psycopg.connect(database_url) as connection:
        return dict(connection.execute(query).fetchall())


def _killed_worker(env, args):
    subprocess.run(
        [PYTHON, "-m", "bench.outbox", "--seed", str(args.emails)], cwd=ROOT, env=env, check=True
    )
    # With a timeout of 1 s, a claim left by the killed worker runs out after 80 s.
    email_timeout = 1
    killed = threading.Event()
    processes = []

    def after(count):
        if count == args.kill_after and not killed.is_set():
            os.kill(processes[0].pid, signal.SIGKILL)
            killed.set()

    deliveries = _Deliveries(after)
    server = _Controller(deliveries)
    try:
        processes.append(_worker(env, server.port, email_timeout))
        if not killed.wait(300):
            raise RuntimeError("the worker did not deliver the first emails")
        processes[0].wait()
        restarted = time.perf_counter()
        processes.append(_worker(env, server.port, email_timeout))
        deadline = time.monotonic() + 600
        while _statuses(env["DATABASE_URL"]).get("sent", 0) < args.emails:
            if time.monotonic() > deadline:
                raise RuntimeError("not all emails were sent within 10 minutes")
            time.sleep(0.5)
        all_sent_after = time.perf_counter() - restarted
        time.sleep(1)  # a late duplicate would arrive now
    finally:
        for process in processes:
            _stop(process)
        server.stop()
    counts = collections.Counter(deliveries.received)
    expected = {f"guest{number:04}@example.org" for number in range(args.emails)}
    return {
        "emails": args.emails,
        "killed_after": args.kill_after,
        "email_timeout": email_timeout,
        "deliveries": len(deliveries.received),
        "sent_twice": sum(1 for count in counts.values() if count == 2),
        "sent_more_often": sum(1 for count in counts.values() if count > 2),
        "missing": len(expected - set(counts)),
        "all_sent_seconds_after_restart": round(all_sent_after, 1),
        "statuses": _statuses(env["DATABASE_URL"]),
    }


def _gunicorn(env):
    """gunicorn on a socket bound here to a free port (no race for the port)."""
    listening = socket.create_server(("127.0.0.1", 0))
    workers = min(2 * (os.cpu_count() or 1) + 1, 9)
    process = subprocess.Popen(
        [
            PYTHON, "-m", "gunicorn", "elbeday.wsgi", "--bind", f"fd://{listening.fileno()}",
            "--workers", str(workers), "--log-level", "warning",
        ],
        cwd=ROOT, env=env, pass_fds=[listening.fileno()], start_new_session=True,
    )  # fmt: skip
    port = listening.getsockname()[1]
    listening.close()
    return process, port, workers


def _get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
    finally:
        connection.close()


def _register(port, form, number):
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": form["token"],
            "name": f"Hanging {number}",
            "email": f"hanging{number:05}@example.org",
            "category": form["category"],
            "party_size": "1",
            "language": "en",
            "consent_privacy": "on",
            "submission_key": str(uuid.uuid4()),
        }
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request(
            "POST",
            RUSH_PATH,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={form['cookie']}",
                "Referer": f"http://127.0.0.1:{port}{RUSH_PATH}",
            },
        )
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError as error:
        status = repr(error)
    finally:
        connection.close()
    return time.perf_counter() - started, status


def _post_registrations(port, form, args, *, first, count=None):
    """Posts `count` (default `args.registrations`) registrations from `args.threads`
    threads; gives (seconds, status) of each."""
    results = []
    numbers = iter(range(first, first + (count or args.registrations)))
    lock = threading.Lock()

    def client():
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            results.append(_register(port, form, number))

    threads = [threading.Thread(target=client) for _number in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _timings(results):
    seconds = sorted(duration for duration, _status in results)
    failed = [str(status) for _duration, status in results if status not in (302, 303)]
    return {
        "registrations": len(results),
        "failed": len(failed),
        "failures": collections.Counter(failed),
        "p50_ms": round(seconds[len(seconds) // 2] * 1000, 1),
        "longest_ms": round(seconds[-1] * 1000, 1),
    }


def _hanging_server(env, args):
    """Registrations first with no worker running (the baseline), then while the worker
    is stuck with a mail server that never answers."""
    # A few emails queued before the worker starts, so that it is stuck from the start.
    subprocess.run([PYTHON, "-m", "bench.outbox", "--seed", "3"], cwd=ROOT, env=env, check=True)
    silent = SilentServer()
    worker = gunicorn = None
    try:
        gunicorn, port, workers = _gunicorn(env)
        deadline = time.monotonic() + 60
        while True:
            try:
                _status, cookie, html = _get(port, RUSH_PATH)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        form = {
            "token": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1),
            "category": re.search(r'name="category" value="(\d+)"', html).group(1),
            "cookie": re.search(r"csrftoken=([^;]+)", cookie).group(1),
        }
        # Warm-up, as on a live site: every gunicorn worker has its database connection
        # and has registered someone before anything is measured.
        _post_registrations(port, form, args, first=0, count=4 * workers)
        baseline = _post_registrations(port, form, args, first=10_000)
        worker = _worker(env, silent.port, 30)
        if not silent.connected.wait(60):
            raise RuntimeError("the worker did not reach the mail server")
        hanging = _post_registrations(port, form, args, first=20_000)
        while_stuck = _statuses(env["DATABASE_URL"])
        still_stuck = worker.poll() is None and while_stuck.get("sent", 0) == args.emails
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)  # it stops after the send in hand ...
        silent.stop()  # ... which fails at once now
        if worker is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=60)
        for process in (gunicorn, worker):
            if process is not None:
                _stop(process)
    return {
        "threads": args.threads,
        "gunicorn_workers": workers,
        "email_timeout": 30,
        "baseline_no_worker": _timings(baseline),
        "worker_stuck": _timings(hanging),
        "mail_server_connections": silent.connections,
        "worker_stuck_throughout": still_stuck,
        "statuses_while_stuck": while_stuck,
        "worker_exit_code": worker.returncode,
        # Claims a stopped worker left behind (it gives back all but a crashed send's).
        "left_being_sent_after_stop": _statuses(env["DATABASE_URL"]).get("sending", 0),
    }


def _summary(result):
    killed, hanging = result["killed_worker"], result["hanging_server"]
    base, stuck = hanging["baseline_no_worker"], hanging["worker_stuck"]
    return "\n".join(
        [
            f"\nElbe Day outbox benchmark · {result['database']} · {result['cores']} cores",
            f"Killed worker: {killed['emails']} emails, SIGKILL after {killed['killed_after']} "
            f"deliveries, restarted: {killed['deliveries']} deliveries, "
            f"{killed['sent_twice']} sent twice, {killed['sent_more_often']} more often, "
            f"{killed['missing']} missing; all sent {killed['all_sent_seconds_after_restart']} s "
            f"after the restart (claim timeout {20 * killed['email_timeout'] + 60} s)",
            f"Registrations ({base['registrations']} each, {hanging['threads']} threads, "
            f"gunicorn {hanging['gunicorn_workers']} workers):",
            f"  no worker running:          {base['failed']} failed, p50 {base['p50_ms']} ms, "
            f"longest {base['longest_ms']} ms",
            f"  worker stuck, server hangs: {stuck['failed']} failed, p50 {stuck['p50_ms']} ms, "
            f"longest {stuck['longest_ms']} ms (stuck throughout: "
            f"{hanging['worker_stuck_throughout']}; stopped with exit code "
            f"{hanging['worker_exit_code']}, {hanging['left_being_sent_after_stop']} claims left)",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
