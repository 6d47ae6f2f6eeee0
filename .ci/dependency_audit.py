"""Offline dependency audit: every pinned version against a dated advisory snapshot.

pip-audit needs an advisory service these machines cannot reach, so the advisories live in
`.ci/advisories/pypi-advisories.json` (built by `.ci/advisories/build_snapshot.py` from the
PyPA advisory database, commit and date recorded inside). This script fails (exit 1) when:
  * a pin of the requirements files (or, with --installed, a package installed in the running
    interpreter) falls in an advisory's affected range or list;
  * the snapshot is empty, or is a partial one that does not cover a pinned package;
  * the snapshot's source is older than --max-age-days (default 400).
It never passes because it audited nothing: it prints how many pins it checked against how
many advisories.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SNAPSHOT = ROOT / ".ci" / "advisories" / "pypi-advisories.json"
DEFAULT_REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]

    def __str__(self) -> str:
        also = f" ({', '.join(self.aliases)})" if self.aliases else ""
        fix = f"; fixed in {', '.join(self.fixed)}" if self.fixed else "; no fixed version"
        return f"{self.package}=={self.version}: {self.advisory}{also}{fix}"


class AuditError(Exception):
    """The audit could not be trusted (empty, stale or incomplete snapshot)."""


def read_pins(paths: list[Path], seen: set[Path] | None = None) -> dict[str, str]:
    """name -> pinned version from requirements files (following `-r other.txt`)."""
    seen = set() if seen is None else seen
    pins: dict[str, str] = {}
    for path in paths:
        path = path.resolve()
        if path in seen:
            continue
        seen.add(path)
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith(("-r ", "--requirement ")):
                pins.update(read_pins([path.parent / line.split(maxsplit=1)[1]], seen))
                continue
            match = PIN.match(line)
            if match:
                pins[canonicalize_name(match.group(1))] = match.group(2)
            elif line and not line.startswith(("#", "-")):
                raise AuditError(f"{path.name}: not pinned with ==: {line!r}")
    return pins


# The installers themselves, which `pip freeze` leaves out too: they build the virtualenv and
# are not imported by the portal (docs/security.md says what the snapshot says about them).
BUILD_TOOLS = frozenset({"pip", "setuptools", "wheel"})


def installed_pins() -> dict[str, str]:
    from importlib import metadata

    return {
        canonicalize_name(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if canonicalize_name(d.metadata["Name"]) not in BUILD_TOOLS
    }


def _in_range(version: Version, events: list[dict[str, str]]) -> bool:
    """OSV ECOSYSTEM events, read as consecutive introduced → fixed/last_affected intervals."""
    lower: Version | None = None
    for event in events:
        if "introduced" in event:
            lower = Version("0") if event["introduced"] == "0" else Version(event["introduced"])
        elif lower is not None and "fixed" in event:
            if lower <= version < Version(event["fixed"]):
                return True
            lower = None
        elif lower is not None and "last_affected" in event:
            if lower <= version <= Version(event["last_affected"]):
                return True
            lower = None
    return lower is not None and version >= lower


def is_affected(version: str, advisory: dict) -> bool:
    if advisory.get("withdrawn"):
        return False
    if version in advisory.get("versions", []):
        return True
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    try:
        return any(_in_range(parsed, events) for events in advisory.get("ranges", []))
    except InvalidVersion:
        return False


def load_snapshot(path: Path, *, max_age_days: int, today: dt.date | None = None) -> dict:
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    if not snapshot.get("advisories"):
        raise AuditError(f"{path}: the advisory snapshot is empty — it would audit nothing")
    source_date = dt.datetime.fromisoformat(snapshot["source_date"]).date()
    age = ((today or dt.datetime.now(dt.UTC).date()) - source_date).days
    if age > max_age_days:
        raise AuditError(
            f"{path}: advisories as of {source_date} are {age} days old (limit {max_age_days});"
            " refresh them with .ci/advisories/build_snapshot.py"
        )
    return snapshot


def audit(pins: dict[str, str], snapshot: dict) -> list[Finding]:
    # A complete snapshot holds the whole database: a package absent from it had no advisory.
    # A partial one (built for some packages only) must have been built for every pin.
    covered = {canonicalize_name(p) for p in snapshot.get("packages_covered", [])}
    missing = [] if snapshot.get("complete") is True else sorted(set(pins) - covered)
    if missing:
        raise AuditError(
            "the advisory snapshot was not built for: "
            + ", ".join(missing)
            + " — rebuild it with .ci/advisories/build_snapshot.py"
        )
    by_package: dict[str, list[dict]] = {}
    for advisory in snapshot["advisories"]:
        by_package.setdefault(canonicalize_name(advisory["package"]), []).append(advisory)
    findings = []
    for package, version in sorted(pins.items()):
        for advisory in by_package.get(package, []):
            if is_affected(version, advisory):
                findings.append(
                    Finding(
                        package,
                        version,
                        advisory["id"],
                        tuple(advisory.get("aliases", [])),
                        tuple(advisory.get("fixed", [])),
                    )
                )
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Offline dependency audit")
    parser.add_argument("-r", "--requirement", action="append", type=Path, dest="requirements")
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    parser.add_argument("--max-age-days", type=int, default=400)
    parser.add_argument(
        "--installed", action="store_true", help="also audit what is installed (transitive deps)"
    )
    args = parser.parse_args(argv)
    try:
        pins = read_pins(args.requirements or DEFAULT_REQUIREMENTS)
        if args.installed:
            pins = {**installed_pins(), **pins}
        snapshot = load_snapshot(args.snapshot, max_age_days=args.max_age_days)
        findings = audit(pins, snapshot)
    except AuditError as exc:
        print(f"dependency audit: FAILED: {exc}", file=sys.stderr)
        return 1
    print(
        f"dependency audit: {len(pins)} packages checked against {len(snapshot['advisories'])}"
        f" advisories (PyPA advisory database {snapshot['source_commit'][:12]},"
        f" {snapshot['source_date'][:10]})"
    )
    for finding in findings:
        print(f"  VULNERABLE {finding}", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
