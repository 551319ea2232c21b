"""The benchmark's own parts that decide what it reports: whose CPU time it counts, the
budget table's pass or miss, which of its repeated measurements counts, the pace of its
paced rush, and the profile it writes (timings themselves belong in `make bench`, never
in a test)."""

import argparse
import asyncio
import functools
import http.server
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from unittest import mock

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from bench import instructions, pace, run
from bench.profile import Get, Register, _profile
from registrations.models import Registration
from tests.factories import MemorialSiteFactory, SeatCategoryFactory


@pytest.fixture
def busy_child():
    """A child process that has done some work, waiting until told to end."""
    child = subprocess.Popen(
        [sys.executable, "-c", "sum(range(3_000_000)); print('done', flush=True); input()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline() == "done\n"
        yield child
    finally:
        child.communicate("\n", timeout=10)


def test_worker_cpu_counts_the_masters_children_only(busy_child):
    seconds = run._worker_cpu(os.getpid())

    assert seconds[busy_child.pid] > 0
    assert run._worker_cpu(busy_child.pid) == {}


def test_process_cpu_finds_processes_by_name_and_parent(busy_child):
    name = Path(f"/proc/{busy_child.pid}/comm").read_text().strip()

    found = run._process_cpu(lambda seen, ppid: seen == name and ppid == os.getpid())

    assert list(found) == [busy_child.pid] and found[busy_child.pid] > 0
    assert run._process_cpu(lambda seen, ppid: seen == "no such program") == {}


def test_cpu_per_request_leaves_out_a_worker_replaced_meanwhile():
    before = {1: 10.0, 2: 5.0}
    after = {1: 10.5, 3: 0.2}  # worker 2 ended, worker 3 started
    assert run._cpu_ms(before, after, requests=100) == 5.0
    assert run._cpu_ms(before, after, requests=0) is None


def _run(**changes):
    figures = {
        "scale": 1,
        "cache": "redis",
        "reference": {"rps": 2500, "cpu_ms": 0.3},
        "pages": [
            {"name": "health check", "rps": 2000, "ratio": 0.8, "cpu_ms": 0.5},
            {
                "name": "home",
                "rps": 1000,
                "ratio": 0.4,
                "cpu_ms": 1.0,
                "uncached": {"rps": 150, "cpu_ms": 11.4},
            },
        ],
        "file_cache_pages": [
            {"name": "health check", "rps": 2100, "ratio": 0.84},
            {"name": "home", "rps": 1600, "ratio": 0.64},
        ],
        "pages_during_rush": [{"name": "ceremony page", "ratio": 0.6}],
        "registrations": {"cpu_ms": 2.5},
        "staff_pages": [{"name": "dashboard", "cpu_ms": 50.0}],
    }
    return {**figures, **changes}


def test_budget_table_says_pass_or_miss_for_each_goal(monkeypatch):
    monkeypatch.setitem(run.STAFF_CPU_MS, "dashboard", 40)
    assert run._budgets(_run()) == [
        ("registration POST (confirmed), CPU", "2.50 ms", "≤ 3 ms", True),
        ("home, uncached, CPU", "11.40 ms", "≤ 4 ms", False),
        ("home, Redis cache, req/s ÷ hello world", "0.40×", "≥ 0.6×", False),
        ("home, file cache, req/s ÷ hello world", "0.64×", "≥ 0.6×", True),
        ("ceremony page during a rush, req/s ÷ alone", "0.60×", "≥ 0.5×", True),
        ("dashboard (staff), CPU", "50.00 ms", "≤ 40 ms", False),
    ]
    table = run._budget_table({"runs": [_run()]})
    assert "Budget at size 1× (3 of 6 met)" in table
    assert table.count("MISS") == 3


def test_registration_form_page_has_the_uncached_pages_budget():
    """The form's page is never kept in the page cache: its CPU has the budget of a page
    rendered afresh, after the uncached pages' lines."""
    form = {"rps": 250, "p50_ms": 60.0, "p99_ms": 80.0, "errors": 0, "cpu_ms": 7.3}
    lines = run._budgets(_run(registration_form=form))

    assert lines[2] == ("registration form page, CPU", "7.30 ms", "≤ 4 ms", False)
    assert lines[:2] + lines[3:] == run._budgets(_run())
    assert run._budgets(_run(registration_form={**form, "cpu_ms": 3.9}))[2][3] is True


def test_budget_table_without_redis_has_the_file_cache_alone():
    whats = [what for what, *_rest in run._budgets(_run(cache="file", file_cache_pages=None))]
    assert [what for what in whats if "cache," in what] == ["home, file cache, req/s ÷ hello world"]


def test_staff_budgets_apply_at_200000_registrations_only(monkeypatch):
    monkeypatch.setitem(run.STAFF_CPU_MS, "dashboard", 40)
    whats = [what for what, *_rest in run._budgets(_run(scale=10))]
    assert "dashboard (staff), CPU" not in whats
    assert "home, uncached, CPU" in whats


def test_paced_rush_is_information_and_no_budget_line():
    paced = [{"name": "ceremony page", "ratio": 0.1, "pace": 150}]
    assert run._budgets(_run(pages_during_paced_rush=paced)) == run._budgets(_run())


def test_rush_ratio_is_the_median_of_pairs_measured_back_to_back(monkeypatch):
    # The machine slows down while it is measured: alone, the page answers 4,000, then
    # 2,000, then 3,000 requests a second; during the rush about half as many.
    alone, during = iter([4000, 2000, 3000]), iter([2000, 1100, 1400])
    measured = []

    def measure(url, args, **kwargs):
        measured.append("alone")
        return {"rps": next(alone)}

    def during_rush(base, url, args, rush_args, rate, label):
        measured.append("rush")
        page = {"rps": next(during), "p50_ms": 5.0, "p99_ms": 20.0, "errors": 0}
        return page, {"rps": 250.0, "errors": 0}

    monkeypatch.setattr(run, "_measure", measure)
    monkeypatch.setattr(run, "_during_rush", during_rush)
    args = argparse.Namespace(duration=5, connections=16)

    [page] = run._pages_during_rush(
        "http://site", "a-ceremony", args, names=("ceremony page",), repeats=3
    )

    assert measured == ["alone", "rush"] * 3
    assert page["ratios"] == [0.5, 0.55, 0.467]
    # The pair with the median ratio, both of its figures: not the page's first rate
    # alone against its last during the rush.
    assert (page["ratio"], page["quiet_rps"], page["rps"]) == (0.5, 4000, 2000)
    assert run._during_rush_line(page).endswith("ratios 0.50, 0.55, 0.47")


def test_cached_page_ratio_is_over_the_hello_world_measured_just_before_it(monkeypatch):
    # The machine slows down while the pages are measured: the hello world answers 6,000
    # requests a second before the health check and 4,000 before the home page.
    rates = iter([6000, 3000, 4000, 2600])  # hello world, health check, hello world, home
    measured = []

    class Server:
        def __init__(self, pid):
            self.pid = pid

    def start_server(env, port, workers, app="elbeday.wsgi", ready="/health/"):
        return Server(2 if app.startswith("bench.hello") else 1)

    def measure(url, args, *, master=None, **kwargs):
        measured.append("hello" if master == 2 else url.removeprefix("http://site"))
        return {"rps": next(rates), "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0, "cpu_ms": 0.4}

    monkeypatch.setattr(run, "PAGES", run.PAGES[:2])
    monkeypatch.setattr(run, "_start_server", start_server)
    monkeypatch.setattr(run, "_stop", lambda server: None)
    monkeypatch.setattr(run, "_measure", measure)
    monkeypatch.setattr(run, "_weight", lambda url: {"bytes": 1024})
    args = argparse.Namespace(duration=5, connections=16, port=8765, workers=5)

    pages = run._cached_pages({}, args, "http://site", "a-ceremony", mock.Mock(), 1, "Redis")

    assert measured == ["hello", "/health/", "hello", "/en/"]
    reference = {"rps": 6000}  # the run's own hello world, measured minutes before
    assert [run._cache_ratio(page, reference) for page in pages] == [0.5, 0.65]
    # Results of an older run, without a hello world beside each page.
    assert run._cache_ratio({"rps": 3000}, reference) == 0.5


def test_registration_cpu_is_the_median_each_beside_the_hello_world(monkeypatch):
    cpu = iter([0.30, 4.0, 0.40, 3.0, 0.35, 3.5])  # hello world, POSTs, hello world, ...
    database = iter([1.0, 0.5, 0.8])  # PostgreSQL's, beside each POST measurement
    measured = []

    def measure(url, args, **kwargs):
        measured.append("hello" if url == "http://hello/" else "POST")
        result = {"rps": 100.0, "p50_ms": 5.0, "p99_ms": 9.0, "errors": 0, "cpu_ms": next(cpu)}
        if kwargs.get("database"):
            result["database_cpu_ms"] = next(database)
        return result

    monkeypatch.setattr(run, "_measure", measure)
    monkeypatch.setattr(run, "_rush_script", lambda base, slug, name: ("http://site/form", name))
    args = argparse.Namespace(duration=5, connections=16)

    confirmed = run._registrations(
        "http://site", args, master=1, hello=("http://hello/", 2), repeats=3, database=True
    )

    assert measured == ["hello", "POST"] * 3
    assert (confirmed["cpu_ms"], confirmed["hello_cpu_ms"]) == (3.5, 0.35)
    assert confirmed["cpu_ms_runs"] == [3.0, 3.5, 4.0]
    assert confirmed["hello_cpu_ms_runs"] == [0.40, 0.35, 0.30]
    # PostgreSQL's beside the median POST measurement, the third.
    assert confirmed["database_cpu_ms"] == 0.8
    assert run._registrations_lines(confirmed)[1:] == [
        "  and PostgreSQL's CPU on this machine: 0.80 ms per POST",
        "  CPU per POST, median of 3: 3.00, 3.50, 4.00 ms; "
        "Django's hello world just before each: 0.40, 0.35, 0.30 ms",
    ]
    assert run._budgets(_run(registrations=confirmed))[0] == (
        "registration POST (confirmed), CPU",
        "3.50 ms",
        "≤ 3 ms",
        False,
    )


class _SlowRegistrations(http.server.ThreadingHTTPServer):
    """Answers each POST with a redirect after half a second, noting what it held and how
    many POSTs had come by the time it answered the first."""

    def __init__(self):
        self.posts, self.before_first_answer = [], None

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(handler):
                body = handler.rfile.read(int(handler.headers["Content-Length"]))
                self.posts.append((handler.headers["Cookie"], urllib.parse.parse_qs(body)))
                time.sleep(0.5)
                if self.before_first_answer is None:
                    self.before_first_answer = len(self.posts)
                handler.send_response(302)
                handler.send_header("Location", "/booking/")
                handler.end_headers()

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def test_paced_rush_keeps_its_pace_however_slow_the_answers():
    server = _SlowRegistrations()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    args = argparse.Namespace(
        url=f"http://127.0.0.1:{server.server_port}/en/ceremonies/a/register/",
        rate=20,
        seconds=1,
        token="form-token",
        cookie="cookie-secret",
        category="7",
        prefix="paced",
    )
    try:
        result = asyncio.run(pace._rush(args))
    finally:
        server.shutdown()

    # One POST every 50 ms, not one after each answer: about ten had come when the first
    # was answered (a client waiting for its answers would have sent one).
    assert (result["sent"], result["registered"], result["errors"]) == (20, 20, 0)
    assert server.before_first_answer >= 5
    # Each for another person, with the form's token and cookie.
    fields = [fields for _cookie, fields in server.posts]
    assert len({f[b"email"][0] for f in fields}) == 20
    assert len({f[b"submission_key"][0] for f in fields}) == 20
    assert {(f[b"csrfmiddlewaretoken"][0], f[b"category"][0]) for f in fields} == {
        (b"form-token", b"7")
    }
    assert {cookie for cookie, _fields in server.posts} == {"csrftoken=cookie-secret"}


@pytest.mark.django_db
def test_profile_lists_the_top_functions_of_a_request(settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    text = _profile("health-check", Get("/health/"), 3, "LocMemCache")
    lines = text.splitlines()
    assert lines[0] == "health-check: GET /health/"
    assert lines[1].startswith("3 requests profiled")
    header = f"{'calls':>8}{'cum ms':>10}{'own ms':>10}  function"
    start = lines.index(header) + 1
    by_cumulative = lines[start : start + 25]
    assert all(line.strip() for line in by_cumulative)
    assert any(
        "django/core/handlers/base.py:" in line and line.endswith(" get_response")
        for line in by_cumulative
    )
    assert lines[start + 26] == "Top 25 functions by own time, per request:"
    assert len(lines) == start + 25 + 3 + 25


@pytest.mark.django_db
def test_profile_of_a_registration_posts_the_form_as_a_browser_does(settings):
    """Encoded as a browser sends a form without files: the profile shows what a
    registration costs, not the test client's multipart parser."""
    settings.ALLOWED_HOSTS = ["localhost"]
    category = SeatCategoryFactory(capacity=100)

    text = _profile("registration-post", Register(category.ceremony.slug), 2, "LocMemCache")

    assert Registration.objects.filter(category=category).count() == 5
    assert "registrations/views.py:" in text
    assert "multipartparser" not in text


def test_instructions_are_read_from_what_callgrind_writes():
    output = "==4242== Events    : Ir\n==4242== Collected : 3260992433\n==4242== \n"
    assert instructions.collected(output) == 3260992433
    with pytest.raises(RuntimeError, match="Traceback"):
        instructions.collected("Traceback (most recent call last):\n", 1)


def test_instructions_are_counted_with_one_hash_seed_unless_one_is_given(monkeypatch):
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    assert instructions._environment()["PYTHONHASHSEED"] == "0"
    monkeypatch.setenv("PYTHONHASHSEED", "7")
    assert instructions._environment()["PYTHONHASHSEED"] == "7"


@pytest.mark.django_db
def test_instructions_count_registrations_through_the_deployed_application(settings, request):
    """The counted process registers (confirmed, one person each) through the WSGI
    application gunicorn runs, with the CSRF check as in production."""
    from elbeday.wsgi import Handler

    settings.ALLOWED_HOSTS = ["localhost"]
    category = SeatCategoryFactory(capacity=100)
    client = instructions.WSGIClient(Handler())
    # As Django's test client does: the test's transaction outlives each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
        request.addfinalizer(functools.partial(signal.connect, close_old_connections))

    register = instructions.Registering(client, category.ceremony.slug)
    register()
    register()

    assert "csrftoken" in client.cookies
    assert (
        list(Registration.objects.filter(category=category).values_list("status", flat=True))
        == [Registration.Status.CONFIRMED] * 2
    )
    with pytest.raises(RuntimeError, match="404"):
        instructions.Registering(client, "no-such-ceremony")


@pytest.mark.django_db
def test_instructions_count_pages_through_the_deployed_application(settings, request):
    """The counted process asks for a public page as a browser does, and stops at an
    answer that is not the page."""
    from elbeday.wsgi import Handler

    settings.ALLOWED_HOSTS = ["localhost"]
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
        request.addfinalizer(functools.partial(signal.connect, close_old_connections))
    client = instructions.WSGIClient(Handler())
    MemorialSiteFactory(name_en="Torgau bridge")

    instructions.Getting(client, "/en/memorials/")()
    status, body = client.request("GET", "/en/memorials/")

    assert status == 200
    assert "Torgau bridge" in body.decode()
    with pytest.raises(RuntimeError, match="404"):
        instructions.Getting(client, "/en/memorials/no-such-site/")()


def test_instructions_count_the_registration_form_page_after_the_public_pages():
    """`--pages` counts every public page of bench.run rendered afresh, then the form's
    page of the ceremony that the POSTs register for."""
    names = [name for name, _path in instructions.COUNTED_PAGES]

    assert names == [f"{name}, uncached" for name, _path in run.PAGES] + ["registration form page"]
    assert instructions.COUNTED_PAGES[-1][1] == f"/en/ceremonies/{run.RUSH_SLUGS[1]}/register/"
