"""The benchmarks' databases: each run starts from an empty one of its own."""

import os
import sys
import urllib.parse
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def is_postgresql(url):
    return url.startswith(("postgres://", "postgresql://"))


def fresh_database_url(label, url=None):
    """The address of a new, empty database for the benchmark `label`: on the PostgreSQL
    server of `url` (DATABASE_URL by default), `<its database>_<label>`, dropped and made
    again; otherwise the SQLite file bench/results/<label>.sqlite3, deleted first with its
    WAL files."""
    url = os.environ.get("DATABASE_URL", "") if url is None else url
    if not is_postgresql(url):
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{label}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'elbeday'}_{label}"
    import psycopg

    try:
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        sys.exit(f"PostgreSQL at {parts.hostname}:{parts.port or 5432}: {error}".strip())
    return parts._replace(path=f"/{name}").geturl()
