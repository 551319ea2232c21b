"""The demo content (`manage.py load_demo`) for the tests that read it.

Loading it draws and processes a placeholder photo for every memorial site, which takes
seconds; so a module of demo tests loads it once and shares it (the `demo` fixture in
tests/conftest.py), and each test of the module gets its own copy to change.
"""

import dataclasses
import io
from pathlib import Path

from django.core.management import call_command


def load_demo():
    """Runs `manage.py load_demo`; returns what it printed."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@dataclasses.dataclass(frozen=True)
class LoadedDemo:
    """The demo as a module's tests share it: what the (first) load printed, and the
    folder the demo's photos were written to."""

    output: str
    media_root: Path
