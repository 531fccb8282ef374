#!/usr/bin/env python3
"""A stand-in for the `tesseract` program that misbehaves on purpose (pass it as SOHOA_TESSERACT_CMD).

It runs the real tesseract and passes its output through, except when FAULTY_TESSERACT says:

    mark       (default) a page whose text contains "TREO" never returns (hangs);
               a page whose text contains "SẬP" (or "SAP") dies of a segmentation fault.
    no-vie     `--list-langs` does not list the Vietnamese model.
    no-model   `--list-langs` lists it, but loading it fails (a broken or partial install).

The marker is read by the real engine, so the fault follows the page wherever the pipeline
sends it (any worker, any order). Standard library only: it runs under any python3.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata

REAL = os.environ.get("FAULTY_TESSERACT_REAL") or shutil.which("tesseract") or "/usr/bin/tesseract"
MODE = os.environ.get("FAULTY_TESSERACT", "mark")
NO_MODEL = (
    "Error opening data file /usr/share/tesseract-ocr/5/tessdata/vie.traineddata\n"
    "Please make sure the TESSDATA_PREFIX environment variable is set to your \"tessdata\" directory.\n"
    "Failed loading language 'vie'\n"
    "Tesseract couldn't load any languages!\n"
    "Could not initialize tesseract.\n"
)


def main(argv: list[str]) -> int:
    if "--list-langs" in argv:
        out = subprocess.run([REAL, *argv], capture_output=True, text=True)
        listing = out.stdout
        if MODE == "no-vie":
            listing = "".join(ln for ln in listing.splitlines(keepends=True) if ln.strip() != "vie")
        sys.stdout.write(listing)
        sys.stderr.write(out.stderr)
        return out.returncode
    if len(argv) < 2 or argv[0].startswith("-"):  # --version, --help …
        return subprocess.run([REAL, *argv]).returncode
    if MODE == "no-model" and "vie" in argv:
        sys.stderr.write(NO_MODEL)
        return 1
    code = subprocess.run([REAL, *argv]).returncode
    if code != 0 or MODE != "mark":
        return code
    text = _output_text(argv[1])
    if "TREO" in text:
        while True:  # hang until killed
            time.sleep(60)
    if "SẬP" in text or "SAP" in text:
        sys.stderr.write("Segmentation fault (core dumped)\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGSEGV)
    return code


def _output_text(base: str) -> str:
    """Everything tesseract wrote next to `base` (.txt, .tsv, .hocr …), upper-cased NFC."""
    chunks = []
    for path in glob.glob(glob.escape(base) + ".*"):
        with open(path, encoding="utf-8", errors="replace") as fh:
            chunks.append(fh.read())
    return unicodedata.normalize("NFC", " ".join(chunks)).upper()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
