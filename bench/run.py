#!/usr/bin/env python
"""Run every benchmark module in bench/ and record the figures in docs/benchmarks.md.

Each `bench/*_bench.py` has `run() -> list[dict]`, run in a fresh interpreter of its own; a measurement dict has at least
`name` and `seconds`, and usually `baseline` (what the same process measured as the
floor or the naive way), `ratio`, `target` and `passed`. Timings live here, never in
unit tests. `make bench` runs this under `.ci/services.py`, so DATABASE_URL points at a
throwaway PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, bool):
        return "yes" if value else "**NO**"
    return "" if value is None else str(value)


def main(selected: list[str]) -> int:
    import django

    django.setup()
    modules = sorted(p.stem for p in (ROOT / "bench").glob("*_bench.py"))
    if selected:
        modules = [m for m in modules if any(s in m for s in selected)]
    sections, failed = [], False
    for name in modules:
        print(f"==> {name}", flush=True)
        try:
            rows = _run_in_own_process(name)
        except Exception:
            traceback.print_exc()
            failed = True
            sections.append(f"## {name}\n\nFailed:\n\n```\n{traceback.format_exc()}\n```\n")
            continue
        keys = [
            "name",
            "seconds",
            "baseline",
            "baseline_seconds",
            "ratio",
            "target",
            "passed",
            "note",
        ]
        extra = sorted({k for r in rows for k in r} - set(keys))
        columns = [k for k in keys + extra if any(k in r for r in rows)]
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for row in rows:
            lines.append("| " + " | ".join(fmt(row.get(c)) for c in columns) + " |")
            print(
                "   " + ", ".join(f"{c}={fmt(row.get(c))}" for c in columns if c in row), flush=True
            )
        sections.append(f"## {name}\n\n" + "\n".join(lines) + "\n")
    from django.db import connection

    header = (
        "# Benchmarks\n\n"
        f"Measured by `make bench` on {dt.date.today().isoformat()}: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, database "
        f"{connection.vendor}. Ratios compare against a baseline run in the same process, so "
        "they hold across machines better than the seconds do.\n\n"
    )
    # A partial run (`bench/run.py plans`) keeps the other modules' last recorded sections.
    target = ROOT / "docs" / "benchmarks.md"
    recorded = _recorded_sections(target) if selected else {}
    for section in sections:
        recorded[section.split("\n", 1)[0]] = section
    notes = ROOT / "docs" / "benchmarks-notes.md"
    body = "\n".join(recorded[key] for key in sorted(recorded)) if selected else "\n".join(sections)
    target.write_text(header + body + ("\n" + notes.read_text() if notes.exists() else ""))
    print("wrote docs/benchmarks.md")
    return 1 if failed else 0


def _run_in_own_process(name: str) -> list[dict]:
    """One module's ``run()`` in a fresh interpreter: what an earlier module left in memory
    (a heap the garbage collector scans, caches) must not slow the next one down."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, __file__, "--module", name, "--out", out.name], check=True)
        return json.loads(Path(out.name).read_text())


def _run_one(name: str, out: str) -> int:
    import django

    django.setup()
    rows = importlib.import_module(f"bench.{name}").run()
    Path(out).write_text(json.dumps(rows, default=float))
    return 0


def _recorded_sections(path: Path) -> dict[str, str]:
    """The `## module` sections of an existing benchmarks.md, keyed by their heading line."""
    if not path.exists():
        return {}
    text = path.read_text().split("\n# Notes", 1)[0]
    sections = {}
    for chunk in text.split("\n## ")[1:]:
        section = "## " + chunk.rstrip() + "\n"
        sections[section.split("\n", 1)[0]] = section
    return sections


if __name__ == "__main__":
    if sys.argv[1:2] == ["--module"]:
        sys.exit(_run_one(sys.argv[2], sys.argv[4]))
    sys.exit(main(sys.argv[1:]))
