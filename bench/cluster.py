"""The production topology on this machine, and the proof that it holds (`make cluster`).

                          ┌─► node 1: gunicorn, 2 workers ─┐   PostgreSQL (the one primary)
    clients ─► nginx ─────┤                                ├─► Redis (cache, rate limits)
      (round robin, a     └─► node 2: gunicorn, 2 workers ─┘   S3 (moto's server: photos,
       dead node's                                                  private press letters)
       requests go to     outbox worker "node 1" ─┐
       the other)         outbox worker "node 2" ─┴─► PostgreSQL ─► SMTP (a sink that counts)

Everything listens on a free port of 127.0.0.1: a fresh database of its own on the
PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/elbeday,
database `<name>_cluster`), redis-server without persistence, moto's S3 server with a
public and a private bucket, two gunicorn nodes with the same settings (debug off), nginx
in front of them (bench/cluster/nginx.conf, run as an unprivileged process), and two
`send_outbox --loop` workers. Then, against the load balancer:

1. a registration rush spread over both nodes: exactly the free seats confirmed, no
   error, the seat counter equal to the confirmed parties;
2. a photo uploaded in the admin through node 1 is shown by node 2 from the object store
   with its renditions; deleting it removes the objects;
3. an edit saved through node 1 shows on node 2's next page (the page cache is in
   Redis); a registration through node 1 changes the seats node 2 shows;
4. the registration limit per address counts the requests to both nodes together;
5. two outbox workers send every email exactly once (counted at the SMTP server);
6. node 2 killed (SIGKILL) mid-rush: nginx sends the rest to node 1, no request fails,
   the counter still matches.

It prints a table and exits with 1 if a check fails. With --bench it measures the same
topology instead (requests per second per page, registrations per second, pages during a
rush) and prints it beside the one-node figures of the last `bench.run`. Everything it
started is stopped at the end, also on failure, Ctrl-C or SIGTERM.

    make cluster
    .venv/bin/python -m bench.cluster
    .venv/bin/python -m bench.cluster --bench --duration 5
"""

import argparse
import collections
import contextlib
import dataclasses
import datetime
import html
import http.client
import http.cookies
import io
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import traceback
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser
from pathlib import Path

from bench.database import fresh_database_url, is_postgresql
from bench.outbox import _Controller, _Deliveries
from bench.run import (
    PAGES,
    PYTHON,
    RESULTS,
    ROOT,
    _environment,
    _generate,
    _manage,
    _measure,
    _pages_during_rush,
    _rush,
    _stop,
    _upcoming_ceremony,
    _wait_for,
)

NGINX_TEMPLATE = ROOT / "bench" / "cluster" / "nginx.conf"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/elbeday"
WORKERS_PER_NODE = 2
MEDIA_BUCKET = "elbeday-media"
PRIVATE_BUCKET = "elbeday-private"
EDITOR = "cluster-editor"

# The proof's ceremonies (made by --seed): two rushes, and one for the smaller checks.
RUSH = "cluster-rush"
RUSH_SEATS, RUSH_REGISTRATIONS = 120, 200
KILL_RUSH = "cluster-kill"
KILL_SEATS, KILL_REGISTRATIONS, KILL_AFTER = 150, 260, 60
SEATS = "cluster-seats"
SEATS_CAPACITY = 40
RUSH_CLIENTS = 16
# The per-address limit the nodes run with in the proof; a day, so that no window ends
# during the run (django-ratelimit counts in fixed windows).
RATE_LIMIT = 10
RATE = f"{RATE_LIMIT}/d"


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--bench", action="store_true", help="measure instead of checking")
    parser.add_argument("--sizes", default="1", help="data-set scale (--bench; the smallest)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rush-seconds", type=int, default=10)
    parser.add_argument("--rush-capacity", type=int, default=400)
    # bench.run's, so that `make bench BENCH_ARGS=...` passes the same to both: ports here
    # are free ones, and each node has WORKERS_PER_NODE workers.
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--facts", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        return _seed()
    if args.facts is not None:
        return _print_facts(args.facts.split(","))
    missing = [name for name in ("nginx", "redis-server", "moto_server") if not _which(name)]
    if args.bench and not shutil.which("wrk"):
        missing.append("wrk")
    if missing:
        sys.exit(
            f"Not found: {', '.join(missing)}. `make cluster` installs nginx and redis-server "
            "from Debian's packages (and `make bench` wrk), moto_server comes with "
            "requirements-dev.txt."
        )
    # SIGTERM ends the run as Ctrl-C does: through the `finally` that stops everything.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("\nInterrupted; everything it started is stopped.", file=sys.stderr)
        return 130


def _run(args):
    with tempfile.TemporaryDirectory(prefix="elbeday-cluster-") as folder:
        # The benchmark runs no outbox workers, as bench.run does not: the figures compare.
        cluster = Cluster(Path(folder), rate=None if args.bench else RATE, outbox=not args.bench)
        try:
            cluster.start()
            if args.bench:
                return _bench(cluster, args)
            return _prove(cluster)
        except Exception:
            cluster.show_logs()
            raise
        finally:
            cluster.stop()


def _which(name):
    # Debian puts nginx in /usr/sbin, which is not on every user's PATH.
    return shutil.which(name) or shutil.which(name, path=f"{Path(PYTHON).parent}:/usr/sbin")


# ----------------------------------------------------------------------------------------
# Starting and stopping
# ----------------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port, process, name, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} ended at start (exit code {process.returncode})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not listen on port {port} within {timeout} s")


def _fresh_database(url):
    """A new, empty database `<name>_cluster` on the server of `url`."""
    if not is_postgresql(url):
        sys.exit("The cluster runs on PostgreSQL: set DATABASE_URL to a postgres:// address.")
    return fresh_database_url("cluster", url)


@dataclasses.dataclass
class Node:
    name: str
    process: subprocess.Popen
    port: int  # gunicorn's own
    entry: int  # nginx's port that sends everything to this node


class Cluster:
    """Every process of the topology, each in a process group of its own (so that a node
    is killed with its workers, and nothing outlives the run)."""

    def __init__(self, folder, *, rate, outbox=True):
        self.folder = folder
        self.rate = rate
        self.outbox = outbox
        self.processes = []  # (name, process), in the order started
        self.smtp = None
        self.deliveries = _Deliveries(lambda _count: None)

    def _start(self, name, command, *, env=None, **options):
        log = (self.folder / f"{name}.log").open("wb")
        with log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **options,
            )
        self.processes.append((name, process))
        return process

    def start(self):
        started = time.perf_counter()
        print("Starting: PostgreSQL database, Redis, S3, SMTP sink ...", flush=True)
        database_url = _fresh_database(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)

        self.redis_port = _free_port()
        redis = self._start(
            "redis",
            [
                _which("redis-server"), "--bind", "127.0.0.1", "--port", str(self.redis_port),
                "--save", "", "--appendonly", "no", "--dir", str(self.folder),
            ],
        )  # fmt: skip
        s3_port = _free_port()
        moto = self._start("s3", [_which("moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)])
        self.s3_endpoint = f"http://127.0.0.1:{s3_port}"
        self.smtp = _Controller(self.deliveries)
        _wait_for_port(self.redis_port, redis, "redis-server")
        _wait_for_port(s3_port, moto, "moto_server")
        s3 = self.s3()
        for bucket in (MEDIA_BUCKET, PRIVATE_BUCKET):
            s3.create_bucket(Bucket=bucket)
        # As in production: anyone may read the photos; the letters' bucket has no policy.
        public_read = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{MEDIA_BUCKET}/*",
        }
        s3.put_bucket_policy(
            Bucket=MEDIA_BUCKET,
            Policy=json.dumps({"Version": "2012-10-17", "Statement": [public_read]}),
        )

        static_root = self.folder / "static"
        self.port = _free_port()
        self.env = {
            **_environment(database_url),
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "AWS_STORAGE_BUCKET_NAME": MEDIA_BUCKET,
            "AWS_PRIVATE_BUCKET_NAME": PRIVATE_BUCKET,
            "AWS_S3_ENDPOINT_URL": self.s3_endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster",
            # Behind nginx, which puts the client's address there (bench/cluster/nginx.conf).
            "RATELIMIT_IP_META_KEY": "HTTP_X_FORWARDED_FOR",
            "REGISTRATION_RATE_PER_IP": self.rate or "",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp.port}",
            "EMAIL_TIMEOUT": "5",
            "DJANGO_SITE_URL": f"http://127.0.0.1:{self.port}",
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(self.folder / "media"),
            "PRIVATE_MEDIA_ROOT": str(self.folder / "private-media"),
        }
        print("Migrating the database, collecting static files ...", flush=True)
        _manage(self.env, "migrate", "--no-input")
        _manage(self.env, "collectstatic", "--no-input", "-v0")

        print(f"Starting: 2 app nodes, {2 if self.outbox else 'no'} outbox workers, nginx ...",
              flush=True)  # fmt: skip
        entries = [_free_port(), _free_port()]
        self.nodes = [
            self._gunicorn(f"node {number}", entry) for number, entry in enumerate(entries, 1)
        ]
        for number in (1, 2) if self.outbox else ():
            self._start(
                f"outbox worker {number}",
                [PYTHON, "manage.py", "send_outbox", "--loop", "--interval", "0.5"],
                # Its log says what it sent as it goes (check 5 counts it there).
                env={**self.env, "PYTHONUNBUFFERED": "1"},
            )
        self._nginx()
        for node in self.nodes:
            _wait_for(f"http://127.0.0.1:{node.port}/health/")
        _wait_for(f"http://127.0.0.1:{self.port}/health/", timeout=30)
        print(f"Started in {time.perf_counter() - started:.0f} s.\n", flush=True)

    def _gunicorn(self, name, entry):
        # Bound here and handed over, so that no other process can take the port meanwhile.
        listening = socket.create_server(("127.0.0.1", 0))
        with listening:
            process = self._start(
                name,
                [
                    PYTHON, "-m", "gunicorn", "elbeday.wsgi",
                    "--bind", f"fd://{listening.fileno()}",
                    "--workers", str(WORKERS_PER_NODE), "--log-level", "warning",
                ],
                env=self.env,
                pass_fds=[listening.fileno()],
            )  # fmt: skip
            return Node(name, process, listening.getsockname()[1], entry)

    def _nginx(self):
        folder = self.folder / "nginx"
        folder.mkdir()
        config = NGINX_TEMPLATE.read_text()
        for name, value in {
            "DIR": folder,
            "PORT": self.port,
            "NODE1": self.nodes[0].port,
            "NODE2": self.nodes[1].port,
            "NODE1_ENTRY": self.nodes[0].entry,
            "NODE2_ENTRY": self.nodes[1].entry,
        }.items():
            config = config.replace(f"@{name}@", str(value))
        (folder / "nginx.conf").write_text(config)
        options = {}
        if os.geteuid() == 0:
            # Never as root: as `nobody`, in a folder of its own.
            nobody = pwd.getpwnam("nobody")
            self.folder.chmod(0o711)
            os.chown(folder, nobody.pw_uid, nobody.pw_gid)
            options = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        process = self._start(
            "nginx",
            [
                _which("nginx"), "-p", str(folder),
                "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log"),
            ],
            **options,
        )  # fmt: skip
        for port in (self.port, *(node.entry for node in self.nodes)):
            _wait_for_port(port, process, "nginx")

    def s3(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster",
        )

    def objects(self, prefix=""):
        listing = self.s3().list_objects_v2(Bucket=MEDIA_BUCKET, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def node_of(self, upstream):
        """The node that answered, from nginx's X-Upstream (the last address tried)."""
        last = (upstream or "").split(",")[-1].strip()
        return next((node.name for node in self.nodes if last.endswith(f":{node.port}")), None)

    def django(self, *arguments, env=None):
        """`python -m bench.cluster <arguments>` with the nodes' settings; its JSON."""
        output = subprocess.run(
            [PYTHON, "-m", "bench.cluster", *arguments],
            cwd=ROOT,
            env={**self.env, "DJANGO_SETTINGS_MODULE": "elbeday.settings", **(env or {})},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(output)

    def facts(self):
        return self.django("--facts", ",".join((RUSH, KILL_RUSH, SEATS)))

    def cached_pages(self):
        import redis

        from elbeday.cache import _PAGE_PREFIX

        # Django's cache keys are "<prefix>:<version>:<key>"; the pages' keys start with
        # the page cache's own prefix.
        with redis.Redis(port=self.redis_port) as client:
            return sum(1 for _key in client.scan_iter(match=f"*:{_PAGE_PREFIX}*", count=1000))

    def kill(self, node):
        os.killpg(node.process.pid, signal.SIGKILL)

    def show_logs(self, lines=15):
        for name, _process in self.processes:
            path = self.folder / f"{name}.log"
            if name == "nginx":
                path = self.folder / "nginx" / "error.log"
            text = path.read_text(errors="replace").strip() if path.exists() else ""
            if text:
                tail = "\n".join(f"  {line}" for line in text.splitlines()[-lines:])
                print(f"\n--- {name} (last lines of its log) ---\n{tail}", file=sys.stderr)

    def stop(self):
        # The load balancer first, then the nodes and workers, then what they use.
        for _name, process in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                _stop(process)
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None


# ----------------------------------------------------------------------------------------
# A visitor's HTTP client
# ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    status: int | str  # the HTTP status, or the connection error
    headers: http.client.HTTPMessage | None = None
    text: str = ""

    @property
    def failed(self):
        return not isinstance(self.status, int) or self.status >= 500


class Browser:
    """One visitor at one entry of nginx, from its own loopback address (the whole of
    127.0.0.0/8 is this machine), so that the rate limits see many visitors or one.
    Keeps its cookies (`http.cookiejar` would withhold the Secure ones over plain HTTP)."""

    def __init__(self, port, address="127.0.0.1", cookies=None):
        self.port = port
        self.address = address
        self.cookies = dict(cookies or {})

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=60, source_address=(self.address, 0)
        )
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        except OSError as error:
            return Answer(repr(error))
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return Answer(response.status, response.headers, text)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, files=None):
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request("POST", path, body, {"Content-Type": content_type})

    def sign_in(self, username, password):
        path = "/en/admin/login/"
        token = _csrf_token(self.get(path).text)
        answer = self.post(
            path,
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/en/admin/",
            },
        )
        if answer.status != 302:
            raise RuntimeError(f"signing in failed ({answer.status})")


def _multipart(fields, files):
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields:
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content, content_type) in files.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        body.write(content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def _csrf_token(text):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)


class _FormFields(HTMLParser):
    """The fields a browser would send with the form `form_id`, as (name, value) pairs;
    file inputs are left out."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value", "on")))
            elif kind not in ("file", "submit", "button", "image", "reset"):
                self.fields.append((name, attributes.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attributes, "chosen": []}
            self._select["first"] = None
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attributes:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            chosen = select["chosen"]
            if not chosen and not select["multiple"] and select["first"] is not None:
                chosen = [select["first"]]  # what a browser sends when none is marked
            self.fields.extend((select["name"], value) for value in chosen)
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            name, text = self._textarea
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None


def _with(fields, **changes):
    """`fields` with these values set (replaced where the name is there, else added)."""
    result = [(name, changes.get(name, value)) for name, value in fields]
    present = {name for name, _value in fields}
    return result + [(name, value) for name, value in changes.items() if name not in present]


def _admin_form(browser, path, form_id="memorialsite_form"):
    """What the browser would send with the admin's form at `path` as it stands; the
    fields of the inlines' blank templates (`__prefix__`) apart, by prefix."""
    parser = _FormFields(form_id)
    parser.feed(browser.get(path).text)
    if not parser.fields:
        raise RuntimeError(f"no form {form_id} at {path}")
    fields = [(name, value) for name, value in parser.fields if "__prefix__" not in name]
    blanks = collections.defaultdict(list)
    for name, value in parser.fields:
        if "-__prefix__-" in name:
            prefix, field = name.split("-__prefix__-")
            blanks[prefix].append((field, value))
    return fields, blanks


def _admin_save(browser, path, fields, files=None):
    answer = browser.post(path, fields, files)
    if answer.status != 302:
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', answer.text, re.S)
        text = "; ".join(re.sub(r"<[^>]+>", " ", error).strip() for error in errors)
        raise RuntimeError(f"the admin did not save ({answer.status}): {text[:300]}")


# ----------------------------------------------------------------------------------------
# Registrations
# ----------------------------------------------------------------------------------------


def _address(number, group=1):
    """A loopback address of its own for the number (127.<group>.x.y)."""
    return f"127.{group}.{number // 250}.{number % 250 + 1}"


def _register_form(port, slug):
    browser = Browser(port)
    answer = browser.get(f"/en/ceremonies/{slug}/register/")
    return {
        "path": f"/en/ceremonies/{slug}/register/",
        "token": _csrf_token(answer.text),
        "category": re.search(r'name="category" value="(\d+)"', answer.text).group(1),
        "cookies": browser.cookies,
    }


def _register(port, form, number, address):
    browser = Browser(port, address, form["cookies"])
    return browser.post(
        form["path"],
        {
            "csrfmiddlewaretoken": form["token"],
            "name": f"Cluster guest {number}",
            "email": f"guest{number:05}@example.org",
            "category": form["category"],
            "party_size": "1",
            "language": "en",
            "consent_privacy": "on",
            "submission_key": str(uuid.uuid4()),
        },
    )


def _rush_over(cluster, slug, count, *, first, after=None):
    """`count` registrations for the ceremony from RUSH_CLIENTS threads through the load
    balancer, each from an address of its own; `after(done)` is called after each.
    Gives the answers and the seconds it took."""
    form = _register_form(cluster.port, slug)
    numbers = iter(range(first, first + count))
    answers = []
    lock = threading.Lock()

    def client():
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            answer = _register(cluster.port, form, number, _address(number))
            with lock:
                answers.append(answer)
                if after:
                    after(len(answers))

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(RUSH_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - started


def _statuses(answers):
    return collections.Counter(answer.status for answer in answers)


def _per_node(cluster, answers):
    counts = collections.Counter(
        cluster.node_of(answer.headers.get("X-Upstream")) for answer in answers if answer.headers
    )
    return {node.name: counts.get(node.name, 0) for node in cluster.nodes}


def _seats_match(facts, capacity):
    return (
        facts["capacity"] == capacity
        and facts["confirmed_seats"] == capacity
        and facts["seats_taken"] == facts["confirmed_seats"]
    )


# ----------------------------------------------------------------------------------------
# The checks
# ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Check:
    number: int
    title: str
    passed: bool
    figures: str


def _prove(cluster):
    cluster.editor_password = secrets.token_urlsafe(16)
    cluster.site = cluster.django(
        "--seed", env={"CLUSTER_EDITOR_PASSWORD": cluster.editor_password}
    )
    checks = []
    for number, title, check in [
        (1, "registration rush over both nodes", _check_rush),
        (2, "photo via node 1, shown by node 2 from S3", _check_photo),
        (3, "edit and seats via node 1, seen by node 2", _check_edit_and_seats),
        (4, "rate limit per address over both nodes", _check_rate_limit),
        (6, "node 2 killed mid-rush", _check_kill),
        (5, "two outbox workers, each email once", _check_emails),
    ]:
        print(f"Check {number}: {title} ...", flush=True)
        try:
            passed, figures = check(cluster)
        except Exception as error:  # a check that breaks fails; the others still run
            passed, figures = False, f"error: {error}"
            traceback.print_exc()
        checks.append(Check(number, title, passed, figures))
    checks.sort(key=lambda check: check.number)
    print(_checks_table(checks))
    failed = [check.number for check in checks if not check.passed]
    if failed:
        cluster.show_logs()
        print(f"\nFAILED: check {', '.join(map(str, failed))}")
        return 1
    print("\nAll checks passed.")
    return 0


def _check_rush(cluster):
    answers, seconds = _rush_over(cluster, RUSH, RUSH_REGISTRATIONS, first=0)
    facts = cluster.facts()["ceremonies"][RUSH]
    statuses = _statuses(answers)
    errors = sum(1 for answer in answers if answer.failed)
    nodes = _per_node(cluster, answers)
    passed = (
        statuses == {302: RUSH_REGISTRATIONS}
        and _seats_match(facts, RUSH_SEATS)
        and facts["waiting"] == RUSH_REGISTRATIONS - RUSH_SEATS
        and all(nodes.values())
    )
    return passed, (
        f"{RUSH_REGISTRATIONS} registrations from {RUSH_CLIENTS} clients in {seconds:.1f} s "
        f"({RUSH_REGISTRATIONS / seconds:.0f}/s): {facts['confirmed_seats']} of "
        f"{RUSH_SEATS} seats confirmed, {facts['waiting']} on the waiting list, {errors} "
        f"errors {_other_statuses(statuses)}; seat counter {facts['seats_taken']} = "
        f"confirmed {facts['confirmed_seats']}; answered by {_nodes_text(nodes)}"
    )


def _other_statuses(statuses):
    others = {status: n for status, n in statuses.items() if status != 302}
    return f"(answers other than 302: {others})" if others else "(every answer a 302)"


def _nodes_text(nodes):
    return ", ".join(f"{name}: {count}" for name, count in nodes.items())


def _photo_bytes():
    from PIL import Image

    image = Image.linear_gradient("L").resize((1400, 933)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _srcset_urls(page):
    srcsets = re.findall(r'srcset="([^"]+)"', page)
    return [html.unescape(item.split()[0]) for srcset in srcsets for item in srcset.split(",")]


def _check_photo(cluster):
    node1, node2 = cluster.nodes
    editor = Browser(node1.entry)
    editor.sign_in(EDITOR, cluster.editor_password)
    change = f"/en/admin/memorials/memorialsite/{cluster.site['site']}/change/"
    page_path = f"/en/memorials/{cluster.site['slug']}/"
    prefix = "memorials/photos/"
    before = cluster.objects(prefix)

    # A new photo in the site's inline, as the admin's "Add another photo" makes it.
    fields, blanks = _admin_form(editor, change)
    index = int(dict(fields)["photos-TOTAL_FORMS"])
    new = [(f"photos-{index}-{field}", value) for field, value in blanks["photos"]]
    fields = _with(
        fields + new,
        **{
            "photos-TOTAL_FORMS": str(index + 1),
            f"photos-{index}-alt_text_en": "The meeting on the Elbe, a gradient",
            f"photos-{index}-licence": "CC0",
            f"photos-{index}-caption_en": "Uploaded through node 1",
        },
    )
    image = {f"photos-{index}-image": ("cluster.jpg", _photo_bytes(), "image/jpeg")}
    _admin_save(editor, change, fields, image)
    stored = [key for key in cluster.objects(prefix) if key not in before]
    shown = Browser(node2.entry).get(page_path)
    urls = _srcset_urls(shown.text)
    media = f"{cluster.s3_endpoint}/{MEDIA_BUCKET}/"
    fetched = {}
    for url in urls:
        with urllib.request.urlopen(url, timeout=10) as response:
            fetched[url] = (response.status, response.headers.get_content_type())
    keys_shown = {url.removeprefix(media) for url in urls}
    renditions = [key for key in stored if "/renditions/" in key]

    fields, _blanks = _admin_form(editor, change)
    _admin_save(editor, change, _with(fields, **{f"photos-{index}-DELETE": "on"}))
    left = [key for key in cluster.objects(prefix) if key not in before]
    after_delete = Browser(node2.entry).get(page_path)
    passed = (
        shown.status == 200
        and cluster.node_of(shown.headers.get("X-Upstream")) == node2.name
        and len(urls) >= 2
        and all(url.startswith(media) for url in urls)
        and keys_shown == set(renditions)
        and len(stored) == len(renditions) + 1
        and all(answer == (200, "image/webp") for answer in fetched.values())
        and not left
        and after_delete.status == 200
        and not _srcset_urls(after_delete.text)
    )
    return passed, (
        f"saved in the admin through node 1: {len(stored)} objects in the bucket (the photo "
        f"and {len(renditions)} renditions); node 2's page shows {len(urls)} renditions from "
        f"{media} (each fetched: {sorted(set(fetched.values()))}); deleted through node 1: "
        f"{len(left)} objects left, node 2's page shows {len(_srcset_urls(after_delete.text))}"
    )


def _seats_left(text):
    match = re.search(r"(\d+) seats? left", text)
    return int(match.group(1)) if match else None


def _check_edit_and_seats(cluster):
    node1, node2 = cluster.nodes
    reader = Browser(node2.entry)
    page_path = f"/en/memorials/{cluster.site['slug']}/"
    reader.get(page_path)  # now in the page cache
    cached = reader.get(page_path)
    before_edit = cluster.site["summary"] in cached.text
    pages_cached = cluster.cached_pages()
    summary = f"Edited through node 1 at {datetime.datetime.now():%H:%M:%S.%f}."
    editor = Browser(node1.entry)
    editor.sign_in(EDITOR, cluster.editor_password)
    change = f"/en/admin/memorials/memorialsite/{cluster.site['site']}/change/"
    fields, _blanks = _admin_form(editor, change)
    _admin_save(editor, change, _with(fields, summary_en=summary))
    edited = reader.get(page_path)
    edit_shown = summary in edited.text

    ceremony_path = f"/en/ceremonies/{SEATS}/"
    reader.get(ceremony_path)
    seats_before = _seats_left(reader.get(ceremony_path).text)
    registered = _register(node1.entry, _register_form(node1.entry, SEATS), 90_000, "127.3.0.1")
    seats_after = _seats_left(reader.get(ceremony_path).text)
    passed = (
        before_edit
        and pages_cached > 0
        and edit_shown
        and cluster.node_of(edited.headers.get("X-Upstream")) == node2.name
        and registered.status == 302
        and seats_before == SEATS_CAPACITY
        and seats_after == SEATS_CAPACITY - 1
    )
    return passed, (
        f"memorial page cached by node 2 (cached pages in Redis: {pages_cached}); summary saved "
        f"through node 1: node 2's next page shows it: {edit_shown}; seats on node 2's "
        f"ceremony page {seats_before}, registration through node 1 ({registered.status}), "
        f"then {seats_after}"
    )


def _check_rate_limit(cluster):
    forms = {node.name: _register_form(node.entry, SEATS) for node in cluster.nodes}
    tries = RATE_LIMIT + 6
    answers = collections.defaultdict(list)
    for attempt in range(tries):
        node = cluster.nodes[attempt % 2]
        answer = _register(node.entry, forms[node.name], 91_000 + attempt, "127.4.0.1")
        answers[node.name].append(answer.status)
    statuses = collections.Counter(s for node in answers.values() for s in node)
    refused = {name: statuses_.count(429) for name, statuses_ in answers.items()}
    passed = statuses == {302: RATE_LIMIT, 429: tries - RATE_LIMIT} and all(refused.values())
    return passed, (
        f"limit {RATE}; {tries} registrations from one address, alternately through node 1 "
        f"and node 2: {statuses[302]} accepted, {statuses[429]} refused with 429 "
        f"({_nodes_text(refused)})"
    )


def _check_kill(cluster):
    node2 = cluster.nodes[1]
    killed_at = []

    def after(done):
        if done == KILL_AFTER:
            cluster.kill(node2)
            killed_at.append(time.perf_counter())

    answers, seconds = _rush_over(cluster, KILL_RUSH, KILL_REGISTRATIONS, first=10_000, after=after)
    node2.process.wait(timeout=10)
    facts = cluster.facts()["ceremonies"][KILL_RUSH]
    statuses = _statuses(answers)
    errors = sum(1 for answer in answers if answer.failed)
    retried = sum(
        1 for answer in answers if answer.headers and "," in answer.headers.get("X-Upstream", "")
    )
    after_kill = answers[KILL_AFTER + RUSH_CLIENTS :]  # the ones in flight at the kill aside
    nodes_after = _per_node(cluster, after_kill)
    passed = (
        bool(killed_at)
        and statuses == {302: KILL_REGISTRATIONS}
        and _seats_match(facts, KILL_SEATS)
        and facts["confirmed"] + facts["waiting"] == KILL_REGISTRATIONS
        and nodes_after[node2.name] == 0
    )
    bookings = facts["confirmed"] + facts["waiting"]
    return passed, (
        f"{KILL_REGISTRATIONS} registrations from {RUSH_CLIENTS} clients, node 2 killed after "
        f"{KILL_AFTER} answers, in {seconds:.1f} s: {errors} errors "
        f"{_other_statuses(statuses)}, {retried} sent on to node 1 by nginx; "
        f"{facts['confirmed_seats']} of {KILL_SEATS} seats confirmed, {facts['waiting']} "
        f"waiting, {bookings} bookings for {KILL_REGISTRATIONS} answers; counter "
        f"{facts['seats_taken']} = confirmed {facts['confirmed_seats']}; after the kill: "
        f"{_nodes_text(nodes_after)}"
    )


def _check_emails(cluster):
    deadline = time.monotonic() + 60
    while True:
        facts = cluster.facts()["outbox"]
        if not (set(facts["statuses"]) - {"sent"}) or time.monotonic() > deadline:
            break
        time.sleep(1)
    time.sleep(1)  # a late second delivery would arrive now
    expected = collections.Counter(facts["to"])
    delivered = collections.Counter(cluster.deliveries.received)
    twice = sum(1 for address, n in delivered.items() if n > expected.get(address, 0))
    missing = sum(1 for address, n in expected.items() if delivered.get(address, 0) < n)
    per_worker = [_sent_by(cluster.folder / f"outbox worker {n}.log") for n in (1, 2)]
    passed = (
        facts["statuses"] == {"sent": sum(expected.values())}
        and delivered == expected
        and all(per_worker)
    )
    return passed, (
        f"{sum(expected.values())} emails queued, {len(cluster.deliveries.received)} "
        f"delivered: {twice} addresses got one twice, {missing} missing; statuses "
        f"{facts['statuses']}; sent by worker 1: {per_worker[0]}, worker 2: {per_worker[1]}"
    )


def _sent_by(log):
    return sum(int(n) for n in re.findall(r"Outbox: (\d+) sent", log.read_text()))


def _checks_table(checks):
    lines = [
        "\nElbe Day cluster proof · nginx → 2 gunicorn nodes × "
        f"{WORKERS_PER_NODE} workers · PostgreSQL · Redis · S3 (moto) · 2 outbox workers",
    ]
    for check in checks:
        lines.append(f"\n{check.number}. {'pass' if check.passed else 'FAIL'}  {check.title}")
        lines.extend(textwrap.wrap(check.figures, 92, initial_indent=" " * 9,
                                   subsequent_indent=" " * 9))  # fmt: skip
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------
# The benchmark
# ----------------------------------------------------------------------------------------


def _bench(cluster, args):
    from tqdm import tqdm

    scale = min(int(size) for size in args.sizes.split(","))
    base = f"http://127.0.0.1:{cluster.port}"
    with tqdm(total=len(PAGES) + 3, unit="step", dynamic_ncols=True) as bar:
        bar.set_description(f"two nodes, size {scale}: generating data")
        data = _generate(cluster.env, scale, args.rush_capacity, bar)
        bar.update(1)
        ceremony = _upcoming_ceremony(base)
        pages = []
        for name, path in PAGES:
            bar.set_description(f"two nodes: {name}")
            pages.append(
                {
                    "name": name,
                    "path": path,
                    **_measure(base + path.format(ceremony=ceremony), args),
                }
            )
            bar.update(1)
        bar.set_description("two nodes: pages during a rush")
        during = _pages_during_rush(base, ceremony, args)
        bar.update(1)
        bar.set_description("two nodes: registration rush")
        rush = _rush(base, cluster.env, args)
        bar.update(1)
    health = pages[0]["rps"] or 1
    for page in pages:
        page["ratio"] = round(page["rps"] / health, 3)
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": "postgresql",
        "cores": os.cpu_count(),
        "connections": args.connections,
        "duration": args.duration,
        "nodes": len(cluster.nodes),
        "workers_per_node": WORKERS_PER_NODE,
        "scale": scale,
        "data": data,
        "pages": pages,
        "pages_during_rush": during,
        "rush": rush,
    }
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"cluster-{stamp}.json"
    path.write_text(json.dumps(result, indent=2))
    print(_bench_table(result, _one_node(scale)))
    print(f"\nResults: {path.relative_to(ROOT)}")
    return 0


def _one_node(scale):
    """The pages and rush of the newest one-node run on PostgreSQL (bench.run), if any."""
    runs = sorted(RESULTS.glob("bench-postgresql-*.json"))
    if not runs:
        return None
    result = json.loads(runs[-1].read_text())
    run = next((run for run in result["runs"] if run["scale"] == scale), None)
    return run and {**run, "when": result["when"]}


def _bench_table(result, one):
    lines = [
        f"\nElbe Day benchmark, two nodes · nginx → {result['nodes']} gunicorn nodes × "
        f"{result['workers_per_node']} workers · PostgreSQL · Redis · {result['cores']} cores · "
        f"wrk {result['connections']} connections × {result['duration']} s · size "
        f"{result['scale']}×",
    ]
    if one:
        lines.append(
            f"beside the one-node run of {one['when']} (gunicorn {one['workers']} workers, "
            "no load balancer)"
        )
    else:
        lines.append("(no one-node run on PostgreSQL in bench/results/ to compare with)")
    one_pages = {page["name"]: page for page in one["pages"]} if one else {}
    lines.append("ratio: a page's req/s ÷ the health check's in the same run")
    lines.append(
        f"{'page':<16}{'1 node req/s':>14}{'ratio':>7}{'2 nodes req/s':>15}{'ratio':>7}"
        f"{'p99 ms':>8}{'errors':>8}"
    )
    for page in result["pages"]:
        single = one_pages.get(page["name"], {})
        lines.append(
            f"{page['name']:<16}{single.get('rps', 0):>14.0f}"
            f"{single.get('health_ratio', single.get('ratio', 0)):>7.2f}"
            f"{page['rps']:>15.0f}{page['ratio']:>7.2f}{page['p99_ms']:>8.1f}{page['errors']:>8}"
        )
    rush = result["rush"]
    single_rush = one["rush"] if one else {}
    lines.append(
        f"registration rush: 2 nodes {rush['confirmed_per_second']} confirmed/s "
        f"(1 node {single_rush.get('confirmed_per_second', '–')}), {rush['errors']} errors, "
        f"seats {rush['seats_taken']}/{rush['capacity']}, counter matches: "
        f"{rush['counter_matches']}, categories over quota: {rush['categories_over_quota']}"
    )
    single_during = {page["name"]: page for page in one.get("pages_during_rush", [])} if one else {}
    for page in result["pages_during_rush"]:
        single = single_during.get(page["name"], {})
        lines.append(
            f"{page['name']} during a rush: 2 nodes {page['rps']:.0f} req/s, "
            f"{page['ratio']:.2f}× its {page['quiet_rps']:.0f} without (1 node "
            f"{single.get('rps', 0):.0f}, {single.get('ratio', 0):.2f}×); "
            f"{page['registrations_per_second']:.0f} registrations/s meanwhile, "
            f"{page['errors'] + page['registration_errors']} errors"
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------
# In a subprocess with Django set up (the nodes' settings)
# ----------------------------------------------------------------------------------------


def _setup_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elbeday.settings")
    django.setup()


def _seed():
    """The proof's content: a memorial site, three ceremonies with one seat category
    each, and an editor (password from CLUSTER_EDITOR_PASSWORD)."""
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from elbeday import roles
    from events.models import Ceremony, SeatCategory, Series
    from memorials.models import MemorialSite

    now = timezone.now()
    summary = "Where the patrols met on the Elbe."
    site = MemorialSite.objects.create(
        name_en="Cluster memorial", slug="cluster-memorial", kind=MemorialSite.Kind.choices[0][0],
        summary_en=summary, town_en="Torgau", country="DE", latitude=51.56, longitude=13.0,
        location_precision="town", is_published=True,
    )  # fmt: skip
    series = Series.objects.create(
        name_en="Cluster Day", slug="cluster-day", commemorated_year=1945
    )
    for number, (slug, capacity) in enumerate(
        [(RUSH, RUSH_SEATS), (KILL_RUSH, KILL_SEATS), (SEATS, SEATS_CAPACITY)]
    ):
        start = now + datetime.timedelta(days=60 + number)
        ceremony = Ceremony.objects.create(
            series=series, title_en=f"Ceremony {slug}", slug=slug,
            summary_en="A ceremony of the cluster proof.", start=start,
            end=start + datetime.timedelta(hours=2), status=Ceremony.Status.PUBLISHED,
            venue_site=site, registration_opens=now - datetime.timedelta(days=1),
            registration_closes=start - datetime.timedelta(hours=1),
        )  # fmt: skip
        SeatCategory.objects.create(
            ceremony=ceremony, name_en="Public", capacity=capacity, max_party_size=1
        )
    editor = get_user_model().objects.create_user(
        username=EDITOR, password=os.environ["CLUSTER_EDITOR_PASSWORD"], is_staff=True
    )
    editor.groups.add(Group.objects.get(name=roles.EDITORS))
    print(json.dumps({"site": site.pk, "slug": site.slug, "summary": summary}))


def _print_facts(slugs):
    """What the database says about the ceremonies and the outbox, as JSON."""
    _setup_django()
    from django.db.models import Count, Sum

    from events.models import SeatCategory
    from registrations.models import OutgoingEmail, Registration

    ceremonies = {}
    for slug in slugs:
        category = SeatCategory.objects.get(ceremony__slug=slug)
        registrations = Registration.objects.filter(ceremony__slug=slug)
        counts = dict(registrations.values_list("status").annotate(n=Count("pk")))
        seats = registrations.filter(status=Registration.Status.CONFIRMED).aggregate(
            seats=Sum("party_size")
        )["seats"]
        ceremonies[slug] = {
            "capacity": category.capacity,
            "seats_taken": category.seats_taken,
            "confirmed": counts.get(Registration.Status.CONFIRMED, 0),
            "confirmed_seats": seats or 0,
            "waiting": counts.get(Registration.Status.WAITING, 0),
        }
    statuses = dict(OutgoingEmail.objects.values_list("status").annotate(n=Count("pk")))
    to = list(OutgoingEmail.objects.values_list("to", flat=True))
    print(json.dumps({"ceremonies": ceremonies, "outbox": {"statuses": statuses, "to": to}}))


if __name__ == "__main__":
    sys.exit(main())
