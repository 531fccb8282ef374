"""What batch and watch have already done, in one SQLite file (WAL) that survives kill -9.

A document is keyed by its content hash plus a *fingerprint* of everything that shapes its record:
pipeline version, the output-relevant settings, and the model files the run reads. Same key, same
record: skip it. Finished pages of a document in progress are kept too, so a long PDF interrupted
on page 180 resumes at page 181. One process at a time holds the folder's lock (exit 75 otherwise).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from pipeline import __version__
from pipeline.config import Settings
from pipeline.ingest import sha256_file

EXIT_LOCKED = 75

# Settings that change how a run behaves but not what a finished record says: not part of the key.
RUN_ONLY_FIELDS = frozenset({"workers", "ocr_timeout", "max_pages", "max_pixels", "tesseract_cmd"})

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents(
    key TEXT PRIMARY KEY, sha256 TEXT NOT NULL, path TEXT, status TEXT NOT NULL,
    output TEXT, error_code TEXT, error_message TEXT, pages INTEGER, seconds REAL, updated REAL);
CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256);
CREATE TABLE IF NOT EXISTS pages(
    key TEXT NOT NULL, number INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY(key, number));
CREATE TABLE IF NOT EXISTS file_hashes(
    path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha256 TEXT);
CREATE TABLE IF NOT EXISTS claims(
    sha256 TEXT PRIMARY KEY, claim TEXT NOT NULL, output TEXT NOT NULL, status TEXT NOT NULL,
    original_name TEXT, updated REAL);
"""


class LockHeld(RuntimeError):
    """Another sohoa process works on this folder."""


@contextmanager
def folder_lock(lock_path: Path) -> Iterator[Path]:
    """Hold an exclusive advisory lock on `lock_path` for the duration; LockHeld if another process has it.

    POSIX record locks (lockf) die with their process, so a kill -9 never leaves a stale lock behind,
    and unlike flock they are not inherited by forked pool workers, which may outlive a killed parent
    for a moment. They also work over NFS (lockd).
    """
    lock_path = Path(lock_path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            raise LockHeld(f"{lock_path.parent} is in use by another sohoa process (pid {holder or '?'})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield lock_path
    finally:
        os.close(fd)


def settings_hash(settings: Settings) -> str:
    """Stable hash of the settings that shape a record (RUN_ONLY_FIELDS left out)."""
    shaping = {k: v for k, v in sorted(asdict(settings).items()) if k not in RUN_ONLY_FIELDS}
    return hashlib.sha256(json.dumps(shaping, sort_keys=True, default=str).encode()).hexdigest()[:16]


@lru_cache(maxsize=8)
def models_hash(models_dir: Path = MODELS_DIR, lang: str = "vie") -> str:
    """Hash of every file under models/ plus tesseract's traineddata for `lang`: new models, new records."""
    h = hashlib.sha256()
    files = sorted(p for p in Path(models_dir).rglob("*") if p.is_file()) if Path(models_dir).is_dir() else []
    files += _traineddata(lang)
    for p in files:
        h.update(str(p.relative_to(models_dir) if p.is_relative_to(models_dir) else p.name).encode())
        h.update(sha256_file(p).encode())
    return h.hexdigest()[:16]


def _traineddata(lang: str) -> list[Path]:
    roots = [Path(os.environ["TESSDATA_PREFIX"])] if os.environ.get("TESSDATA_PREFIX") else []
    roots += sorted(Path("/usr/share/tesseract-ocr").glob("*/tessdata")) + [Path("/usr/share/tessdata")]
    for root in roots:
        found = [root / f"{part}.traineddata" for part in lang.split("+")]
        if all(p.is_file() for p in found):
            return found
    return []


def fingerprint(settings: Settings, models_dir: Path = MODELS_DIR) -> str:
    """What, besides the file's bytes, decides its record: pipeline version, settings, models."""
    return f"v{__version__}-s{settings_hash(settings)}-m{models_hash(Path(models_dir), settings.lang)}"


@dataclass(frozen=True)
class DocState:
    key: str
    sha256: str
    path: str
    status: str             # running | done | failed
    output: str | None
    error_code: str | None
    error_message: str | None
    pages: int | None
    seconds: float | None


@dataclass(frozen=True)
class Claim:
    """Watch: a file taken from the inbox, by content hash. `claim` is its name in work/."""
    sha256: str
    claim: str
    output: str
    status: str             # processing | done | failed
    original_name: str


class StateDB:
    """Thin, typed access to the state file. Every write commits at once: kill -9 loses nothing done."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "StateDB":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # documents ------------------------------------------------------------------------------------
    def document(self, key: str) -> DocState | None:
        row = self.db.execute(
            "SELECT key, sha256, path, status, output, error_code, error_message, pages, seconds"
            " FROM documents WHERE key=?", (key,)).fetchone()
        return DocState(*row) if row else None

    def mark_running(self, key: str, sha256: str, path: str, output: str) -> None:
        self.db.execute(
            "INSERT INTO documents(key, sha256, path, status, output, updated) VALUES(?,?,?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET path=excluded.path, status='running', output=excluded.output,"
            " updated=excluded.updated", (key, sha256, path, "running", output, time.time()))

    def mark_finished(self, key: str, *, ok: bool, pages: int | None, seconds: float,
                      error_code: str | None = None, error_message: str | None = None) -> None:
        """Done or failed; the page cache of the document is dropped in the same transaction."""
        with self.transaction():
            self.db.execute(
                "UPDATE documents SET status=?, pages=?, seconds=?, error_code=?, error_message=?, updated=?"
                " WHERE key=?", ("done" if ok else "failed", pages, seconds, error_code, error_message,
                                 time.time(), key))
            self.db.execute("DELETE FROM pages WHERE key=?", (key,))

    # pages ----------------------------------------------------------------------------------------
    def save_page(self, key: str, number: int, data: dict) -> None:
        self.db.execute("INSERT OR REPLACE INTO pages(key, number, data) VALUES(?,?,?)",
                        (key, number, json.dumps(data, ensure_ascii=False)))

    def load_pages(self, key: str) -> dict[int, dict]:
        rows = self.db.execute("SELECT number, data FROM pages WHERE key=?", (key,)).fetchall()
        return {n: json.loads(d) for n, d in rows}

    # content hashes, cached by (path, size, mtime) so a nightly rescan does not reread the archive --
    def file_sha256(self, path: Path) -> str:
        st = path.stat()
        key = str(path.resolve())
        row = self.db.execute("SELECT size, mtime_ns, sha256 FROM file_hashes WHERE path=?", (key,)).fetchone()
        if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
            return row[2]
        digest = sha256_file(path)
        self.db.execute("INSERT OR REPLACE INTO file_hashes(path, size, mtime_ns, sha256) VALUES(?,?,?,?)",
                        (key, st.st_size, st.st_mtime_ns, digest))
        return digest

    # watch claims ---------------------------------------------------------------------------------
    def claim(self, sha256: str) -> Claim | None:
        row = self.db.execute("SELECT sha256, claim, output, status, original_name FROM claims WHERE sha256=?",
                              (sha256,)).fetchone()
        return Claim(*row) if row else None

    def claims_in(self, status: str) -> list[Claim]:
        rows = self.db.execute("SELECT sha256, claim, output, status, original_name FROM claims WHERE status=?",
                               (status,)).fetchall()
        return [Claim(*r) for r in rows]

    def outputs_reserved(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT output FROM claims")}

    def put_claim(self, c: Claim) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO claims(sha256, claim, output, status, original_name, updated)"
            " VALUES(?,?,?,?,?,?)", (c.sha256, c.claim, c.output, c.status, c.original_name, time.time()))

    def drop_claim(self, sha256: str) -> None:
        self.db.execute("DELETE FROM claims WHERE sha256=?", (sha256,))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group many small writes into one commit (one fsync instead of one per row)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
