"""`make run` as a newcomer meets it: started in a process group of its own, as a terminal
starts a command, on a free port and a throwaway SQLite database; stopped as a terminal's
Ctrl-C does (SIGINT to the whole group) or as a process manager does (SIGTERM to make),
after which nothing it started may be left running."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_in_group(pgid):
    """The command lines of the processes still in process group `pgid`, from `ps`
    (`-ww`: whole lines; with COLUMNS set in the environment, as it is by the time the
    suite gets here, ps cuts them to that width)."""
    listing = subprocess.run(
        ["ps", "-ww", "-eo", "pgid=,args="], capture_output=True, text=True, check=True
    ).stdout
    rows = (line.strip().partition(" ") for line in listing.splitlines())
    return [args for pgid_text, _space, args in rows if pgid_text == str(pgid)]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One database and media folder for the module's runs: the first run migrates and
    loads the demo, the later ones find them done."""
    return tmp_path_factory.mktemp("make-run")


class MakeRun:
    def __init__(self, workdir, port):
        self.port = port
        self.log_path = workdir / f"make-run-{port}.log"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DJANGO_DEBUG", "DJANGO_SITE_URL", "CACHE_URL", "MAKEFLAGS"}
        }
        env.update(
            DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
            MEDIA_ROOT=str(workdir / "media"),
            DJANGO_SUPERUSER_PASSWORD="make-run-test-password",
        )
        with self.log_path.open("w") as log:
            # -o: never reinstall the virtual environment from here; PY: this interpreter.
            self.process = subprocess.Popen(
                [
                    *("make", "-o", ".venv/.runtime", "run"),
                    *("HOST=127.0.0.1", f"PORT={port}", f"PY={sys.executable}"),
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, as in a terminal
            )

    @property
    def log(self):
        return self.log_path.read_text()

    def wait_until_serving(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                time.sleep(0.3)
                continue
            # Listed once the site answers: a listing taken before could miss a process
            # that was still starting (seen on a loaded machine).
            running = processes_in_group(self.process.pid)
            if any("send_outbox" in args for args in running) and any(
                f"runserver 127.0.0.1:{self.port}" in args for args in running
            ):
                return running
            time.sleep(0.3)
        raise AssertionError(f"make run did not start serving:\n{self.log}")

    def wait_for_exit(self, timeout=20):
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill_leftovers(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def make_run(workdir):
    runs = []

    def start(port=None):
        runs.append(MakeRun(workdir, port or free_port()))
        return runs[-1]

    yield start
    for run in runs:
        run.kill_leftovers()


def test_make_run_ctrl_c_stops_the_server_and_the_email_worker(make_run):
    run = make_run()
    running = run.wait_until_serving()

    os.killpg(run.process.pid, signal.SIGINT)
    status = run.wait_for_exit()

    assert [
        any(f"runserver 127.0.0.1:{run.port}" in args for args in running),
        any("send_outbox --loop" in args for args in running),
    ] == [True, True]
    assert status is not None, run.log
    assert processes_in_group(run.process.pid) == []
    assert "Outbox worker stopped." in run.log
    # Links in emails and QR codes follow the port.
    assert f"Links in emails and QR codes point to http://127.0.0.1:{run.port} " in run.log


def test_make_run_stopped_with_sigterm_to_make_alone_leaves_nothing_running(make_run):
    """A process manager or an editor's "stop" button signals make only; make passes
    SIGTERM on to the one command of the recipe, which must stop its children."""
    run = make_run()
    run.wait_until_serving()

    os.kill(run.process.pid, signal.SIGTERM)
    status = run.wait_for_exit()

    assert status is not None, run.log
    assert processes_in_group(run.process.pid) == []
    assert "Outbox worker stopped." in run.log


def test_make_run_on_a_port_in_use_says_which_port_to_use_before_migrating(make_run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = make_run(port)
        status = run.wait_for_exit()

    assert status not in (None, 0)
    assert f"port {port} is in use: make run PORT=" in run.log
    assert "manage.py migrate" not in run.log
