"""The package's layers: a module imports from its own layer or a lower one, never a higher one
(imports for type hints alone do not count)."""

from __future__ import annotations

import ast
from pathlib import Path

import serial_console_kernel

PACKAGE = Path(serial_console_kernel.__file__).parent
# Lowest first.  The simulator is a peer: it may use transports and power for its server.
RANKS = {"errors": 0, "engine": 1, "transports": 1, "power": 2, "simulator": 3, "target": 4,
         "jupyter": 5, "tools": 6, "__main__": 7, "__init__": 0}
# The sim: transport drives the in-process simulator, a fake beside its driver (as labgrid keeps
# them); it imports it only when a sim: target is opened.
ALLOWED = {("transports", "simulator")}


def runtime_imports(path: Path) -> list[tuple[int, str]]:
    """(line, layer) of every relative import outside `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text())
    type_only = {id(node) for block in ast.walk(tree)
                 if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING"
                 for node in ast.walk(block)}
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = parts[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level and id(node) not in type_only:
            base = package[:len(package) - (node.level - 1)]
            target = [*base, *(node.module.split(".") if node.module else [])]
            found.append((node.lineno, target[0] if target else "__init__"))
    return found


def test_no_module_imports_from_a_higher_layer():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        layer = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for line, imported in runtime_imports(path):
            if RANKS[imported] > RANKS[layer] and (layer, imported) not in ALLOWED:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} ({layer}) imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_every_layer_says_what_it_is():
    for folder in ("engine", "transports", "power", "jupyter", "tools"):
        doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text())) or ""
        assert doc.lower().startswith(f"{folder} layer"), folder
