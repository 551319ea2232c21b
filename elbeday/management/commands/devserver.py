"""`make run`'s server: Django's development server and the email worker, started as the
children of this one process, which stops both however it ends.

A shell recipe cannot do this reliably: `make` sends SIGTERM only to the shell, which
runs its traps only once the foreground server has exited, so a `make` told to stop waits
for ever and anything that then kills it leaves the worker behind, one more each time.
Here the children ignore Ctrl-C and hang-ups and are stopped by this process alone: once,
with SIGTERM (the worker finishes the email in hand), and at once on a second Ctrl-C. On
Linux they also get SIGTERM should this process die, and this process when `make` dies.
"""

import ctypes
import ctypes.util
import errno
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Seconds the children get to stop after SIGTERM before they are killed: the worker may
# be in the middle of an email (EMAIL_TIMEOUT bounds each step of a send).
STOP_TIMEOUT = 15
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent():
    """Linux: have the kernel send SIGTERM to this process when its parent dies (a `make`
    killed, a closed terminal), so that nothing outlives it. Elsewhere: nothing."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _prepare_child():
    """Runs in each child before it starts: Ctrl-C and hang-ups are for the supervisor,
    which passes on one SIGTERM; the worker would otherwise stop at once on the second
    signal, in the middle of an email."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    _die_with_parent()


def port_in_use(host, port):
    """Whether something already listens on host:port (tried as runserver binds it)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise CommandError(f"{host} is not an address this machine has: {error}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise CommandError(f"Cannot listen on {host}:{port}: {error}") from None
    return False


def free_port_after(host, port):
    """The next port after `port` that is free, for the hint."""
    for candidate in range(port + 1, min(port + 100, 65536)):
        if not port_in_use(host, candidate):
            return candidate
    return port + 1


class Command(BaseCommand):
    help = (
        "Serve the site for development (runserver) with the email worker beside it, and "
        "stop both together on Ctrl-C or SIGTERM. `make run` uses it."
    )
    # Before `migrate`, with no database yet: runserver does the checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--check-port",
            action="store_true",
            help="Only say whether the port is free (exit status 1 if not), then stop.",
        )

    def handle(self, *args, addrport, check_port, **options):
        host, _colon, port = addrport.rpartition(":")
        host = host.strip("[]") or "127.0.0.1"
        if not port.isdigit():
            raise CommandError(f"Give the address as host:port, not {addrport!r}.")
        port = int(port)
        if port_in_use(host, port):
            raise CommandError(
                f"port {port} is in use: make run PORT={free_port_after(host, port)} "
                "(or stop what is listening on it)"
            )
        if check_port:
            return
        self.stdout.write(
            f"Links in emails and QR codes point to {settings.SITE_URL} (DJANGO_SITE_URL)."
        )
        self.stdout.flush()
        raise SystemExit(self.serve(addrport))

    def serve(self, addrport):
        """Run the children until one ends or a stop signal comes; stop the others; return
        the exit status."""
        received = []
        for number in STOP_SIGNALS:
            signal.signal(number, lambda signum, frame: received.append(signum))
        _die_with_parent()
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        children = []
        try:
            for command in (["send_outbox", "--loop"], ["runserver", addrport]):
                children.append(subprocess.Popen([*manage, *command], preexec_fn=_prepare_child))
            while not received and all(child.poll() is None for child in children):
                time.sleep(0.2)
        finally:
            self._stop(children, received)
        if received:
            return 128 + received[0]
        return next((child.returncode for child in children if child.returncode), 0)

    def _stop(self, children, received):
        running = [child for child in children if child.poll() is None]
        if not running:
            return
        self.stderr.write("Stopping the server and the email worker (Ctrl-C again: at once).")
        signals_before = len(received)
        for child in running:
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while any(child.poll() is None for child in running):
            if len(received) > signals_before or time.monotonic() > deadline:
                for child in running:
                    if child.poll() is None:
                        child.kill()
            time.sleep(0.1)
