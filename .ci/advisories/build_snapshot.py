"""Build the offline advisory snapshot that `.ci/dependency_audit.py` checks pins against.

pip-audit cannot reach an advisory database from the portal's build machines, so the facts
it would fetch are kept in the repository: for every package installed in .venv (the pins of
requirements*.txt and their transitive dependencies), the PyPA advisory database's entries —
id, aliases, affected ranges, explicitly listed versions when there is no range, fixed
versions — plus the source commit and its date. Derived facts only, not the YAML files.

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir", help="a clone (bare or not) of pypa/advisory-database")
    parser.add_argument("--rev", default="HEAD")
    args = parser.parse_args()
    commit, date = git(args.git_dir, "log", "-1", "--format=%H %cI", args.rev).split()
    listed = {
        Path(p).name
        for p in git(args.git_dir, "ls-tree", "--name-only", f"{args.rev}:vulns").split()
    }
    packages = installed_packages()
    advisories = []
    for package in packages:
        if package not in listed:
            continue
        for name in git(
            args.git_dir, "ls-tree", "--name-only", f"{args.rev}:vulns/{package}"
        ).split():
            doc = yaml.safe_load(git(args.git_dir, "show", f"{args.rev}:vulns/{package}/{name}"))
            facts = advisory_facts(doc, package)
            if facts:
                advisories.append(facts)
    snapshot = {
        "source": "https://github.com/pypa/advisory-database",
        "source_commit": commit,
        "source_date": date,
        "collected_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "packages_covered": packages,
        "advisories": advisories,
    }
    SNAPSHOT.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1) + "\n")
    print(
        f"{len(advisories)} advisories for {len(packages)} packages -> {SNAPSHOT}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
