"""The instructions of a registration POST (and of each public page rendered afresh),
counted by valgrind's callgrind: a figure that does not move with the machine's pace, to
compare two commits where CPU time cannot (on a shared 2-core machine the hello world's
CPU time moved from 0.24 to 0.33 ms between two runs, and the registration POST's by as
much; a change of a few percent is lost in that).

It runs this module twice under callgrind, in a process of its own that sends
registrations (confirmed, each for another person, as a browser sends the form) through
the site's WSGI application (`elbeday.wsgi`, with debug off, as gunicorn's workers do,
without the server): once with the warm-up alone (20 POSTs), once with `--count` more;
the difference divided by `--count` is what one POST costs, without Django's setup and
the warm-up. Both runs go at once, one per core. The instructions include the database
driver's and the cache client's; not the database's, Redis's or the kernel's; nor the
garbage collector's, which is off in the counted process: its full collections come every
few hundred requests, so one of the two runs would have one more than the other. Both
runs hash strings with the same seed (PYTHONHASHSEED, 0 unless it is set): dicts and sets
are laid out by it, and processes seeded at random count up to 1% apart.
Python's own bytecode and C code count alike, so the figure follows CPU time closely, but
not exactly (a cache miss costs time, not instructions; and the crypto of a signed link
is counted in valgrind's plainer code, not in the CPU's own instructions for it).

It uses the benchmark's database as `bench.run` leaves it (`bench.profile` says how to
point at it), and changes it: each registration POST adds a registration to the
generated ceremony `bench-rush-pages`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/elbeday_bench DJANGO_DEBUG=false \\
        DJANGO_SECRET_KEY=profile DJANGO_ALLOWED_HOSTS=localhost \\
        DJANGO_SECURE_SSL_REDIRECT=false .venv/bin/python -m bench.instructions

With `--pages COUNT`, it then counts each public page of `bench.run` the same way,
rendered afresh (the page cache off, the template fragments and the content from the
shared cache, as on a page-cache miss), COUNT requests each, and the registration form's
page.

Run it on two checkouts with the same database and compare the lines. Before the two
counted runs start, a process that is not counted sends the same requests twice and so
fills the shared cache: the two runs going at once had raced to render and store the same
fragments, and whichever lost read them instead, so the public pages' counts moved by up
to 80% between two runs of the same code (the memorial page 7.94 M, then 6.48 M; filled
first, 6.46-6.50 M in four runs).
"""

import argparse
import gc
import gzip
import io
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from wsgiref.util import setup_testing_defaults

from bench.profile import registration_form
from bench.run import PAGES, PYTHON, REGISTRATION_FORM, RESULTS, ROOT, RUSH_SLUGS, _manage

WARM_UP = 20
# The public pages of bench.run, then the registration form's page (never cached), shown
# for the ceremony that the POSTs register for: its seats do not change meanwhile, as on
# bench.run's line for it.
COUNTED_PAGES = [
    *((f"{name}, uncached", path) for name, path in PAGES),
    ("registration form page", REGISTRATION_FORM.format(slug=RUSH_SLUGS[1])),
]
_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.M)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--count", type=int, default=300, help="POSTs counted")
    parser.add_argument(
        "--pages",
        type=int,
        default=0,
        metavar="COUNT",
        help="then count each public page rendered afresh, COUNT requests each",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _send(args.child, args.path)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind).")
    per_post = instructions(args.count)
    print(
        f"registration POST (confirmed): {per_post / 1e6:.2f} M instructions "
        f"(callgrind; {args.count} counted after {WARM_UP})"
    )
    for name, path in COUNTED_PAGES if args.pages else ():
        per_page = instructions(args.pages, path)
        print(
            f"{name}: {per_page / 1e6:.2f} M instructions "
            f"(callgrind; {args.pages} counted after {WARM_UP})"
        )


def instructions(count, path=None):
    """Instructions of one POST (or, with `path`, one GET of that page rendered afresh):
    (the warm-up and `count` more) - (the warm-up alone)."""
    env = _environment()
    if path is not None:
        env["PAGE_CACHE_SECONDS"] = "0"
    # This checkout's static files, as the pages name them (bench.run collects them too).
    _manage(env, "collectstatic", "--no-input", "-v0")
    # The shared cache filled first, by a process that is not counted (see above).
    subprocess.run(_child(2, path), cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    runs = [
        subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                *_child(requests, path),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for requests in (WARM_UP, WARM_UP + count)
    ]
    try:
        totals = [collected(run.communicate()[1], run.returncode) for run in runs]
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
                run.wait()
    return (totals[1] - totals[0]) / count


def _child(requests, path):
    return [PYTHON, "-m", "bench.instructions", "--child", str(requests)] + (
        ["--path", path] if path is not None else []
    )


def collected(valgrind_output, returncode=0):
    """The instructions callgrind counted, from what it wrote on stderr."""
    found = _COLLECTED.search(valgrind_output)
    if returncode or found is None:
        raise RuntimeError(f"the counted run failed:\n{valgrind_output[-2000:]}")
    return int(found.group(1))


def _environment():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "elbeday.settings", "PYTHONPATH": str(ROOT)}
    # As bench.run's site: the static files collected where it collects them, and no rate
    # limit stopping the registrations.
    env.setdefault("STATIC_ROOT", str(RESULTS / "static"))
    env.setdefault("MEDIA_ROOT", str(RESULTS / "media"))
    env.update(REGISTRATION_RATE_PER_IP="", REGISTRATION_RATE_PER_EMAIL="")
    # One seed for Python's string hashes, which the layout of every dict and set follows:
    # seeded at random, each process counts a little differently (6.73 and 6.76 M for the
    # same code, against 6.78 M twice with the seed 0; seeds 0 to 3 gave 6.85-6.88 M for
    # the code before it).
    env.setdefault("PYTHONHASHSEED", "0")
    return env


class WSGIClient:
    """Requests straight through a WSGI application, with the cookies it sets."""

    def __init__(self, application, host="localhost"):
        self.application, self.host, self.cookies = application, host, {}

    def request(self, method, path, body=b"", **headers):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "HTTP_HOST": self.host,
            "HTTP_ACCEPT_ENCODING": "gzip",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        setup_testing_defaults(environ)
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        environ.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
        if "HTTP_CONTENT_TYPE" in environ:
            environ["CONTENT_TYPE"] = environ.pop("HTTP_CONTENT_TYPE")
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = response_headers

        answered = self.application(environ, start_response)
        try:
            body = b"".join(answered)
        finally:
            # As a server does: the end of the request (Django's request_finished).
            getattr(answered, "close", lambda: None)()
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                cookie, _rest = value.split(";", 1)
                key, _equals, cookie_value = cookie.partition("=")
                self.cookies[key.strip()] = cookie_value
        if dict(answer["headers"]).get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return answer["status"], body


class Getting:
    """GETs of one page, as a browser sends them."""

    def __init__(self, client, path):
        self.client, self.path = client, path

    def __call__(self):
        status, _body = self.client.request("GET", self.path)
        if status != 200:
            raise RuntimeError(f"GET {self.path}: {status}")


class Registering:
    """Registration POSTs, confirmed, each for another person, as a browser sends them."""

    def __init__(self, client, slug):
        self.client, self.path = client, f"/en/ceremonies/{slug}/register/"
        status, body = client.request("GET", self.path)
        if status != 200:
            raise RuntimeError(f"GET {self.path}: {status}")
        self.html = body.decode()

    def __call__(self):
        status, _body = self.client.request(
            "POST",
            self.path,
            urllib.parse.urlencode(registration_form(self.html, "counted")).encode(),
            content_type="application/x-www-form-urlencoded",
            referer=f"http://{self.client.host}{self.path}",
        )
        if status != 302:
            raise RuntimeError(f"POST {self.path}: {status}")


def _send(requests, path=None):
    gc.disable()  # see above
    from elbeday.wsgi import application

    client = WSGIClient(application)
    if path is None:
        send = Registering(client, RUSH_SLUGS[1])
    else:
        from bench.profile import _upcoming_ceremony

        send = Getting(client, path.format(ceremony=_upcoming_ceremony()))
    for _number in range(requests):
        send()


if __name__ == "__main__":
    main()
