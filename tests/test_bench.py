"""The benchmark's own parts that decide what it reports: whose CPU time it counts, the
budget table's pass or miss, and the profile it writes (timings themselves belong in
`make bench`, never in a test)."""

import os
import subprocess
import sys

import pytest

from bench import run
from bench.profile import Get, _profile

# A child that does some work, says so, and waits until told to end.
BUSY_CHILD = "sum(range(3_000_000)); print('done', flush=True); input()"


def test_worker_cpu_counts_the_masters_children_only():
    child = subprocess.Popen(
        [sys.executable, "-c", BUSY_CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline() == "done\n"
        seconds = run._worker_cpu(os.getpid())
        assert seconds[child.pid] > 0
        assert run._worker_cpu(child.pid) == {}
    finally:
        child.communicate("\n", timeout=10)


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


def test_budget_table_without_redis_has_the_file_cache_alone():
    whats = [what for what, *_rest in run._budgets(_run(cache="file", file_cache_pages=None))]
    assert [what for what in whats if "cache," in what] == ["home, file cache, req/s ÷ hello world"]


def test_staff_budgets_apply_at_200000_registrations_only(monkeypatch):
    monkeypatch.setitem(run.STAFF_CPU_MS, "dashboard", 40)
    whats = [what for what, *_rest in run._budgets(_run(scale=10))]
    assert "dashboard (staff), CPU" not in whats
    assert "home, uncached, CPU" in whats


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
