"""The transcript: every byte the console sent, appended to a file, with secrets masked."""

from __future__ import annotations

import codecs
import threading
from pathlib import Path


class Transcript:
    """Line-buffered so a secret is always masked whole, never split across two writes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._file = open(self.path, "a", encoding="utf-8", newline="")  # noqa: SIM115
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def set_secrets(self, secrets: tuple[str, ...]) -> None:
        self._secrets = secrets

    def write(self, data: bytes) -> None:
        with self._lock:
            text = self._pending + self._decoder.decode(data)
            cut = text.rfind("\n") + 1
            # A very long unterminated line is written anyway, to bound memory.
            if cut == 0 and len(text) > 65536:
                cut = len(text)
            self._pending = text[cut:]
            if cut:
                self._file.write(self._mask(text[:cut]))
                self._file.flush()

    def note(self, line: str) -> None:
        """An event of ours (connect, power action), marked so it is not taken for output."""
        with self._lock:
            self._file.write(f"\n[serial-console] {self._mask(line)}\n")
            self._file.flush()

    def _mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "*" * len(secret))
        return text

    def close(self) -> None:
        with self._lock:
            if self._pending:
                self._file.write(self._mask(self._pending))
                self._pending = ""
            self._file.close()
