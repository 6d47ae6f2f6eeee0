"""`make audit`: bandit and the offline dependency audit fail when their promise breaks."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANDIT = Path(sys.executable).parent / "bandit"
PACKAGES = ["vpr_portal", "schools", "results", "plans", "observers"]


def _load_audit_module():
    spec = importlib.util.spec_from_file_location(
        "dependency_audit", ROOT / ".ci/dependency_audit.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["dependency_audit"] = module
    spec.loader.exec_module(module)
    return module


audit = _load_audit_module()
SNAPSHOT = ROOT / ".ci/advisories/pypi-advisories.json"


def _bandit(*targets: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BANDIT), "-c", str(ROOT / "pyproject.toml"), "-r", *targets,
         "--severity-level", "medium", "-q", "-f", "json"],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_bandit_finds_no_medium_or_high_issue_in_the_project():
    run = _bandit(*PACKAGES)
    report = json.loads(run.stdout)
    assert report["results"] == [], [
        f"{r['filename']}:{r['line_number']} {r['test_id']}" for r in report["results"]
    ]
    assert run.returncode == 0
    assert report["metrics"]["_totals"]["loc"] > 10_000  # it did scan the project


def test_bandit_with_the_project_config_still_flags_a_planted_issue(tmp_path):
    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from django.utils.safestring import mark_safe\n\n\n"
        "def show(text):\n    return mark_safe(text)\n"
    )
    run = _bandit("planted", cwd=tmp_path)
    assert run.returncode == 1
    assert {r["test_id"] for r in json.loads(run.stdout)["results"]} >= {"B308"}


def test_every_nosec_comment_names_the_check_and_says_why():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if "# nosec" in line:
                    comment = line.split("# nosec", 1)[1]
                    assert comment.lstrip().startswith("B"), f"{path}:{number} names no check"
                    assert "# why:" in comment, f"{path}:{number} gives no reason"


def test_the_snapshot_is_dated_sourced_and_complete():
    snapshot = json.loads(SNAPSHOT.read_text())
    assert len(snapshot["source_commit"]) == 40
    dt.datetime.fromisoformat(snapshot["source_date"])
    assert snapshot["complete"] is True and len(snapshot["advisories"]) > 2000
    packages = {a["package"] for a in snapshot["advisories"]}
    assert {"django", "pillow", "urllib3", "celery", "openpyxl"} <= packages
    pins = audit.read_pins(audit.DEFAULT_REQUIREMENTS)
    assert pins["django"] == "5.2.19" and len(pins) > 30


def test_the_current_pins_match_no_advisory_of_the_snapshot():
    snapshot = json.loads(SNAPSHOT.read_text())
    assert audit.audit(audit.read_pins(audit.DEFAULT_REQUIREMENTS), snapshot) == []


def test_a_known_vulnerable_django_pin_is_flagged(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Django==4.2.0\nPillow==9.0.0\n")
    snapshot = json.loads(SNAPSHOT.read_text())
    findings = audit.audit(audit.read_pins([requirements]), snapshot)
    ids = {f.advisory for f in findings if f.package == "django"}
    aliases = {a for f in findings for a in f.aliases}
    assert "PYSEC-2024-70" in ids  # CVE-2024-42005, fixed in 4.2.15
    assert "CVE-2024-42005" in aliases
    assert any(f.package == "pillow" for f in findings)
    exit_code = audit.main(["-r", str(requirements), "--max-age-days", "100000"])
    assert exit_code == 1


def test_a_pin_just_past_the_fix_is_not_flagged_by_that_advisory():
    advisory = next(
        a for a in json.loads(SNAPSHOT.read_text())["advisories"] if a["id"] == "PYSEC-2024-70"
    )
    assert audit.is_affected("4.2.14", advisory)
    assert not audit.is_affected("4.2.15", advisory)
    assert audit.is_affected("5.0.7", advisory)
    assert not audit.is_affected("5.0.8", advisory)
    assert not audit.is_affected("5.2.19", advisory)


def test_an_empty_snapshot_fails_the_audit(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({
        "source_commit": "0" * 40, "source_date": dt.datetime.now(dt.UTC).isoformat(),
        "complete": True, "advisories": [],
    }))  # fmt: skip
    with pytest.raises(audit.AuditError, match="empty"):
        audit.load_snapshot(empty, max_age_days=400)
    assert audit.main(["--snapshot", str(empty)]) == 1


def test_a_snapshot_older_than_400_days_fails_the_audit(tmp_path):
    snapshot = json.loads(SNAPSHOT.read_text())
    source = dt.datetime.fromisoformat(snapshot["source_date"]).date()
    audit.load_snapshot(SNAPSHOT, max_age_days=400, today=source + dt.timedelta(days=400))
    with pytest.raises(audit.AuditError, match="days old"):
        audit.load_snapshot(SNAPSHOT, max_age_days=400, today=source + dt.timedelta(days=401))


def test_a_partial_snapshot_not_built_for_a_pin_fails_the_audit(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Django==5.2.19\nsome-package-nobody-audited==1.0\n")
    full = json.loads(SNAPSHOT.read_text())
    partial = {
        **full,
        "complete": False,
        "packages_covered": ["django"],
        "advisories": [a for a in full["advisories"] if a["package"] == "django"],
    }
    with pytest.raises(audit.AuditError, match="not built for: some-package-nobody-audited"):
        audit.audit(audit.read_pins([requirements]), partial)


def test_an_unpinned_requirement_fails_the_audit(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Django>=4.2\n")
    with pytest.raises(audit.AuditError, match="not pinned"):
        audit.read_pins([requirements])


def test_docs_security_says_which_advisories_were_checked_and_when():
    snapshot = json.loads(SNAPSHOT.read_text())
    text = (ROOT / "docs" / "security.md").read_text()
    assert snapshot["source_commit"][:12] in text
    assert snapshot["source_date"][:10] in text
    assert f"{len(snapshot['advisories'])} advisories" in text
