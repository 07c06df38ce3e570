"""Engine: the transcript: every byte the console sent, appended to a file, secrets masked."""

from __future__ import annotations

import codecs
import threading
from pathlib import Path

from .masking import Secrets

# An unterminated line is written once it is this long, to bound memory; the last TAIL
# characters wait for the next chunk, so that a secret is never cut in two by a write.
LONG_LINE = 65536
TAIL = 4096


class Transcript:
    """Line-buffered: what is written has been masked as a whole (see LONG_LINE)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._file = open(self.path, "a", encoding="utf-8", newline="")  # noqa: SIM115
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._secrets = Secrets()
        self._lock = threading.Lock()

    def set_secrets(self, secrets: Secrets) -> None:
        self._secrets = secrets

    def write(self, data: bytes) -> None:
        with self._lock:
            # Masked as a whole each time: what was masked already stays masked, and a secret
            # that began in the pending tail is found once its end arrives.
            text = self._secrets.stream(self._pending + self._decoder.decode(data))
            cut = text.rfind("\n") + 1
            if cut == 0 and len(text) > LONG_LINE:
                cut = len(text) - max(TAIL, 4 * self._secrets.longest)
            self._pending = text[cut:]
            if cut:
                self._file.write(text[:cut])
                self._file.flush()

    def note(self, line: str) -> None:
        """An event of ours (connect, power action), marked so it is not taken for output."""
        with self._lock:
            self._file.write(f"\n[serial-console] {self._secrets.text(line)}\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._pending:
                self._file.write(self._secrets.stream(self._pending))
                self._pending = ""
            self._file.close()
