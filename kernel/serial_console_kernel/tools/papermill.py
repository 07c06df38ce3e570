"""papermill support: parameters become `%env` lines the runbooks read (`target` becomes
SERIAL_CONSOLE_TARGET).  papermill imports this through its `papermill.engine` entry point,
which is the only hook it loads by itself; the engine is its ordinary nbclient engine."""

from __future__ import annotations

from papermill.engines import NBClientEngine
from papermill.translators import Translator, papermill_translators


class SerialConsoleTranslator(Translator):
    @classmethod
    def translate_raw_str(cls, val: object) -> str:
        return str(val)

    @classmethod
    def translate_escaped_str(cls, str_val: object) -> str:
        return str(str_val)

    @classmethod
    def comment(cls, cmt_str: str) -> str:
        return f"%echo {cmt_str}".strip()

    @classmethod
    def assign(cls, name: str, str_val: object) -> str:
        variable = name if name.isupper() else "SERIAL_CONSOLE_" + name.upper()
        return f"%env {variable}={str_val}"


class SerialConsoleEngine(NBClientEngine):
    """papermill's own engine, registered under our name so that this module is imported."""


papermill_translators.register("serial-console", SerialConsoleTranslator)
