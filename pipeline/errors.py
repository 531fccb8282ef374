"""Error codes shared by every entry point (process, batch, watch).

A code is stable: downstream systems and the archivists' failed/ folder key on it.
The message says, in plain words, what is wrong with the file and what to do.
"""

from __future__ import annotations

from enum import Enum


class ErrorCode(str, Enum):
    E_NOT_FOUND = "E_NOT_FOUND"
    E_EMPTY = "E_EMPTY"
    E_UNSUPPORTED = "E_UNSUPPORTED"
    E_TRUNCATED = "E_TRUNCATED"
    E_CORRUPT = "E_CORRUPT"
    E_ENCRYPTED = "E_ENCRYPTED"
    E_NO_PAGES = "E_NO_PAGES"
    E_TOO_LARGE = "E_TOO_LARGE"
    E_TOO_MANY_PAGES = "E_TOO_MANY_PAGES"
    E_OCR_TIMEOUT = "E_OCR_TIMEOUT"
    E_RENDER_TIMEOUT = "E_RENDER_TIMEOUT"
    E_OCR_FAILED = "E_OCR_FAILED"
    E_MISSING_DEPENDENCY = "E_MISSING_DEPENDENCY"
    E_OUTPUT = "E_OUTPUT"
    E_INTERNAL = "E_INTERNAL"


DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.E_NOT_FOUND: "the file does not exist or cannot be read",
    ErrorCode.E_EMPTY: "the file is empty (0 bytes)",
    ErrorCode.E_UNSUPPORTED: "not a PDF, TIFF, PNG or JPEG file",
    ErrorCode.E_TRUNCATED: "the file is cut short (incomplete copy or download)",
    ErrorCode.E_CORRUPT: "the file is damaged and cannot be decoded",
    ErrorCode.E_ENCRYPTED: "the PDF is protected by a password",
    ErrorCode.E_NO_PAGES: "the document has no pages",
    ErrorCode.E_TOO_LARGE: "a page is larger than the pixel limit (possible decompression bomb)",
    ErrorCode.E_TOO_MANY_PAGES: "the document has more pages than the page limit",
    ErrorCode.E_OCR_TIMEOUT: "text recognition took longer than the per-page time limit",
    ErrorCode.E_RENDER_TIMEOUT: "rendering a PDF page took longer than the per-page time limit",
    ErrorCode.E_OCR_FAILED: "the text recognition engine failed on a page",
    ErrorCode.E_MISSING_DEPENDENCY: "a required program is not installed",
    ErrorCode.E_OUTPUT: "the output could not be written",
    ErrorCode.E_INTERNAL: "an unexpected internal error (a bug: please report it)",
}


class SohoaError(Exception):
    """A failure with a stable code, the stage it happened in and an archivist-readable message."""

    def __init__(self, code: ErrorCode, message: str | None = None, *, stage: str = "", hint: str = ""):
        self.code = ErrorCode(code)
        self.message = message or DESCRIPTIONS[self.code]
        self.stage = stage
        self.hint = hint
        super().__init__(f"{self.code.value}: {self.message}")

    def __reduce__(self):
        """Pickle by attributes: errors raised in worker processes must arrive intact (the default
        pickling re-calls __init__ with the formatted message, which fails and breaks the whole pool)."""
        return (_rebuild, (type(self), self.args, self.__dict__.copy()))

    def one_line(self, path: str = "") -> str:
        where = f"{path}: " if path else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.message} [{self.code.value}]{hint}"


class MissingDependency(SohoaError):
    """A system program (tesseract, its Vietnamese model, poppler) is missing: exit 3 with an install hint."""

    def __init__(self, message: str, hint: str):
        super().__init__(ErrorCode.E_MISSING_DEPENDENCY, message, stage="setup", hint=hint)


def _rebuild(cls: type, args: tuple, state: dict) -> SohoaError:
    error = Exception.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error
