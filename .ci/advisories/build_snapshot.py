"""Build the offline advisory snapshot that `.ci/dependency_audit.py` checks pins against.

pip-audit cannot reach an advisory database from the portal's build machines, so the facts
it would fetch are kept in the repository: every entry of the PyPA advisory database — id,
package, aliases, affected ranges, explicitly listed versions when there is no range, fixed
versions — plus the source commit and its date, one advisory a line. Derived facts only,
not the YAML files.

Refresh (on a machine that can clone GitHub):
    git clone --bare https://github.com/pypa/advisory-database /tmp/advisory-database
    .venv/bin/python .ci/advisories/build_snapshot.py /tmp/advisory-database
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name

HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "pypi-advisories.json"


def git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={repo}", *args], check=True, capture_output=True, text=True
    ).stdout


def installed_packages() -> list[str]:
    return sorted({canonicalize_name(d.metadata["Name"]) for d in metadata.distributions()})


def advisory_facts(doc: dict, package: str) -> dict | None:
    ranges, versions, fixed = [], [], []
    for affected in doc.get("affected") or []:
        pkg = affected.get("package") or {}
        if pkg.get("ecosystem") != "PyPI" or canonicalize_name(pkg.get("name", "")) != package:
            continue
        for rng in affected.get("ranges") or []:
            if rng.get("type") != "ECOSYSTEM":
                continue
            events = [{k: str(v) for k, v in e.items()} for e in rng.get("events") or []]
            ranges.append(events)
            fixed += [e["fixed"] for e in events if "fixed" in e]
        if not affected.get("ranges"):
            versions += [str(v) for v in affected.get("versions") or []]
    if not ranges and not versions:
        return None
    return {
        "id": doc["id"],
        "package": package,
        "aliases": sorted(doc.get("aliases") or []),
        "withdrawn": bool(doc.get("withdrawn")),
        "ranges": ranges,
        "versions": versions,
        "fixed": fixed,
    }


def read_blobs(repo: str, specs: list[str]) -> list[bytes]:
    """Contents of `rev:path` objects through one `git cat-file --batch`."""
    done = subprocess.run(
        ["git", f"--git-dir={repo}", "cat-file", "--batch"],
        input="".join(f"{spec}\n" for spec in specs).encode(),
        capture_output=True,
        check=True,
    )
    out, blobs, at = done.stdout, [], 0
    for _ in specs:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        blobs.append(out[header_end + 1 : header_end + 1 + size])
        at = header_end + 1 + size + 1
    return blobs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir", help="a clone (bare or not) of pypa/advisory-database")
    parser.add_argument("--rev", default="HEAD")
    args = parser.parse_args()
    commit, date = git(args.git_dir, "log", "-1", "--format=%H %cI", args.rev).split()
    paths = [
        p
        for p in git(args.git_dir, "ls-tree", "-r", "--name-only", args.rev, "vulns").split()
        if p.endswith((".yaml", ".yml"))
    ]
    advisories = []
    for path, blob in zip(
        paths, read_blobs(args.git_dir, [f"{args.rev}:{p}" for p in paths]), strict=True
    ):
        facts = advisory_facts(yaml.safe_load(blob), canonicalize_name(Path(path).parent.name))
        if facts:
            advisories.append(facts)
    snapshot = {
        "source": "https://github.com/pypa/advisory-database",
        "source_commit": commit,
        "source_date": date,
        "collected_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        # Every package of the database: one absent from it had no advisory on that date.
        "complete": True,
        "installed_when_built": installed_packages(),
        "advisories": advisories,
    }
    lines = [json.dumps(a, ensure_ascii=False, sort_keys=True) for a in advisories]
    head = {k: v for k, v in snapshot.items() if k != "advisories"}
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    text += ',\n "advisories": [\n' + ",\n".join(lines) + "\n ]\n}\n"
    json.loads(text)  # the hand-made layout (one advisory a line) is valid JSON
    SNAPSHOT.write_text(text)
    print(f"{len(advisories)} advisories from {len(paths)} files -> {SNAPSHOT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
