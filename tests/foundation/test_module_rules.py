"""Rules of the layout, read from the source: no module imports another module's private
name (a helper two modules share gets a public name, or moves), and every view is thin."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {"tests", "migrations", ".venv", "bench", "static", "staticfiles", "var", "docs", ".ci"}
MAX_VIEW_LINES = 30


def _project_modules() -> dict[str, Path]:
    modules = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if set(relative.parts) & SKIPPED or relative.parts[0].startswith("."):
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imported_names(name: str, path: Path, tree: ast.Module):
    """(module, name) of every ``from … import name`` in the module, relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[: len(up) - (node.level - 1)] if node.level > 1 else up
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                yield base, alias.name


def test_no_module_imports_a_private_name_of_another_module():
    modules = _project_modules()
    crossings = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for base, imported in _imported_names(name, path, tree):
            private = imported.startswith("_") and not imported.startswith("__")
            if private and base in modules and base != name:
                crossings.append(f"{name} imports {base}.{imported}")
    assert crossings == []


def test_every_view_fits_in_thirty_lines():
    long_views = []
    for name, path in _project_modules().items():
        if path.name != "views.py" and "views" not in path.relative_to(ROOT).parts:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef
            ) and not node.name.startswith("_"):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_VIEW_LINES:
                    long_views.append(f"{name}.{node.name} ({length} lines)")
    assert long_views == []
