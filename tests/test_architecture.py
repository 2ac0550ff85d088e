"""The package's shape, checked from the source with ``ast``: layers, cycles, sizes, public names.

Layers import only downward (``../shared/DESIGN.md``)::

    base (errors, sources, dropped, _format, _output, _lazy) < reference < inputs < rules < analysis
    < render < cli

``ess_geo/__init__.py`` re-exports the public API flat for notebook users and may import anything.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ess_geo"

LAYERS = ["base", "reference", "inputs", "rules", "analysis", "render", "cli"]
BASE_MODULES = {"errors", "sources", "dropped", "_format", "_output", "_lazy"}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
#: A function longer than MAX_FUNCTION_LINES carries this comment on its ``def`` line, with a reason.
LONG_MARK = "# long:"


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. "ess_geo.rules.criteria"
    path: Path
    tree: ast.Module
    lines: list[str]

    @property
    def layer(self) -> str | None:
        parts = self.name.split(".")
        if len(parts) == 1 or parts[1] in ("__main__",):
            return None  # the flat re-export and the entry point
        if parts[1] in BASE_MODULES:
            return "base"
        if parts[1] in LAYERS:
            return parts[1]
        return "unplaced"


def _modules() -> list[Module]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        text = path.read_text(encoding="utf-8")
        out.append(Module(".".join(parts), path, ast.parse(text), text.splitlines()))
    return out


MODULES = _modules()
BY_NAME = {m.name: m for m in MODULES}


def _layer_of(target: str) -> str | None:
    for name in (target, target.rsplit(".", 1)[0]):
        if name in BY_NAME:
            return BY_NAME[name].layer
    return None


def _imports(module: Module) -> Iterator[tuple[ast.stmt, str, list[str], bool]]:
    """(node, imported module, imported names, inside a function) for every ess_geo import."""
    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.stmt, str, list[str], bool]]:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module:
                yield child, child.module, [a.name for a in child.names], in_function
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    yield child, alias.name, [], in_function
            yield from walk(child, inside)
    yield from walk(module.tree, False)


def _resolve(module: str, names: list[str]) -> list[str]:
    """Modules an import statement loads: ``from ess_geo.rules import criteria`` → ess_geo.rules.criteria."""
    targets = [module]
    targets += [f"{module}.{n}" for n in names if f"{module}.{n}" in BY_NAME]
    return targets


def test_every_module_belongs_to_a_layer():
    unplaced = [m.name for m in MODULES if m.layer == "unplaced"]
    assert not unplaced, f"modules outside the layers {LAYERS}: {unplaced}"


def test_layers_import_only_downward():
    wrong = []
    for m in MODULES:
        if m.layer is None:
            continue
        for node, target, names, _ in _imports(m):
            if not target.startswith("ess_geo"):
                continue
            for t in _resolve(target, names):
                layer = _layer_of(t)
                if layer is not None and LAYERS.index(layer) > LAYERS.index(m.layer):
                    wrong.append(f"{m.name}:{node.lineno} ({m.layer}) imports {t} ({layer})")
    assert not wrong, "upward imports:\n" + "\n".join(wrong)


def test_no_import_cycle():
    graph: dict[str, set[str]] = {m.name: set() for m in MODULES}
    for m in MODULES:
        if m.layer is None:
            continue
        for _, target, names, _ in _imports(m):
            for t in _resolve(target, names):
                if t in BY_NAME and t != m.name and not m.name.startswith(t + "."):
                    graph[m.name].add(t)
    seen: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in seen:
                visit(nxt, [*stack, nxt])
        seen[node] = 2

    for name in sorted(graph):
        if name not in seen:
            visit(name, [name])
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_no_private_name_imported_across_modules():
    wrong = []
    for m in MODULES:
        for node, target, names, _ in _imports(m):
            if target.startswith("ess_geo"):
                wrong += [f"{m.name}:{node.lineno} imports {target}.{n}" for n in names if n.startswith("_")]
    assert not wrong, "private names imported across modules (make them public in their home):\n" + "\n".join(wrong)


def test_imports_inside_functions_only_defer_heavy_libraries():
    wrong = []
    for m in MODULES:
        for node, target, _, in_function in _imports(m):
            if not in_function:
                continue
            first_line = m.lines[node.lineno - 1]
            if target.startswith("ess_geo") or "#" not in first_line:
                wrong.append(f"{m.name}:{node.lineno}: {first_line.strip()}")
    assert not wrong, (
        "imports inside functions (allowed only to defer a heavy third-party library, with a comment saying so):\n"
        + "\n".join(wrong)
    )


def test_module_and_function_sizes():
    wrong = []
    for m in MODULES:
        if len(m.lines) > MAX_MODULE_LINES:
            wrong.append(f"{m.name}: {len(m.lines)} lines > {MAX_MODULE_LINES}")
        for node in ast.walk(m.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                signature = "\n".join(m.lines[node.lineno - 1:node.body[0].lineno - 1])
                if n > MAX_FUNCTION_LINES and LONG_MARK not in signature:
                    wrong.append(f"{m.name}.{node.name}: {n} lines > {MAX_FUNCTION_LINES}")
    assert not wrong, "too long (split by what it does, or mark '# long: reason'):\n" + "\n".join(wrong)


@pytest.mark.parametrize("module", [m for m in MODULES if not m.name.rsplit(".", 1)[-1].startswith("_")
                                    and m.name.count(".") >= 1 and m.path.name != "__main__.py"],
                         ids=lambda m: m.name)
def test_public_modules_declare_all(module: Module):
    has_all = any(
        isinstance(node, ast.Assign | ast.AnnAssign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))
        for node in module.tree.body
    )
    assert has_all, f"{module.name} has no __all__"
    assert ast.get_docstring(module.tree), f"{module.name} has no module docstring saying what it owns"


def test_every_public_submodule_is_listed_in_its_layer():
    """A layer's ``__all__`` names each public submodule, so ``ess_geo.<layer>.<module>`` resolves after ``import ess_geo``."""
    wrong = []
    for layer in ("reference", "inputs", "rules", "analysis", "render"):
        package = importlib.import_module(f"ess_geo.{layer}")
        folder = Path(package.__file__).parent
        modules = {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")}
        wrong += [f"ess_geo.{layer}.{m}" for m in sorted(modules - set(package.__all__))]
    assert not wrong, "submodules missing from their layer's __all__:\n" + "\n".join(wrong)
