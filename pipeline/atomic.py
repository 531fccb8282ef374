"""Crash-safe file operations: the one place sohoa writes or moves a file that must never be half there.

A reader (an archivist, a downstream tool, a restarted sohoa) sees either the old state or the new one,
never a torn file: data goes to a temp file in the same folder, is fsynced, renamed over the target,
and the folder itself is fsynced so the rename survives a power cut.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator


def fsync_dir(folder: Path) -> None:
    """Persist the folder's entries (renames, creations). No-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def replacing(path: Path, mode: str = "w") -> Iterator[IO]:
    """A file handle whose content replaces `path` atomically when the block ends without error.

    For outputs too big to build in memory first (records.jsonl of a large batch)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically (temp file, fsync, rename, fsync folder)."""
    with replacing(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def write_text(path: Path, text: str) -> Path:
    """UTF-8 text, atomically."""
    return write_bytes(path, text.encode("utf-8"))


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temp files a killed writer left in `folder`. Only call while holding the folder's lock."""
    removed = []
    for p in Path(folder).glob(".*.tmp"):
        if p.is_file():
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def free_path(folder: Path, name: str, taken: set[str] | frozenset[str] = frozenset()) -> Path:
    """`folder/name`, or `folder/stem (2).ext`, `(3)` … — the first name not on disk and not in `taken`."""
    candidate = Path(folder) / name
    stem, suffix = _split(name)
    n = 2
    while candidate.exists() or candidate.name in taken:
        candidate = Path(folder) / f"{stem} ({n}){suffix}"
        n += 1
    return candidate


def move(src: Path, dst: Path) -> Path:
    """Rename `src` to `dst` (same file system) and persist both folders. Refuses to overwrite."""
    src, dst = Path(src), Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        raise FileExistsError(dst)
    os.rename(src, dst)
    fsync_dir(dst.parent)
    if src.parent != dst.parent:
        fsync_dir(src.parent)
    return dst


def move_free(src: Path, folder: Path, name: str | None = None) -> Path:
    """Move `src` into `folder` under its own name (or `name`), choosing a free name; retries on a race."""
    for _ in range(100):
        dst = free_path(folder, name or Path(src).name)
        try:
            return move(src, dst)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free name for {src} in {folder}")


def _split(name: str) -> tuple[str, str]:
    """('scan.final', '.pdf') for 'scan.final.pdf'; dotfiles and names without a suffix keep it all as stem."""
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:]
