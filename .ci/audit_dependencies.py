"""Known vulnerabilities in the locked dependencies (issue 10, point 7).

Runs ``pip-audit`` on requirements.lock and, when frontend/package-lock.json exists,
``npm audit --omit=dev`` in frontend/. Fails on any Python advisory (the PyPI service gives
no severity) and on npm advisories of high or critical severity, unless the advisory is in
.ci/audit-allowlist.toml with a reason and an expiry date that has not passed. An expired or
malformed entry fails the run too.

When an advisory service cannot be reached, or answers for none of the packages, the run
says NOT AUDITED in capitals and goes on; with AUDIT_REQUIRED=1 it fails instead.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = ROOT / ".ci" / "audit-allowlist.toml"
NPM_FAILING = {"high", "critical"}


def load_allowlist(today: datetime.date) -> tuple[set[str], list[str]]:
    """Allowed advisory ids, and the problems with the file (expired or incomplete entries)."""
    if not ALLOWLIST.exists():
        return set(), []
    entries = tomllib.loads(ALLOWLIST.read_text()).get("allow", [])
    allowed, problems = set(), []
    for entry in entries:
        ident = str(entry.get("id", "")).strip()
        reason = str(entry.get("reason", "")).strip()
        expires = entry.get("expires")
        if not ident or not reason or not isinstance(expires, datetime.date):
            problems.append(f"allow-list entry {ident or '?'}: needs id, reason and expires")
        elif expires < today:
            problems.append(f"allow-list entry {ident} expired on {expires}: review it")
        else:
            allowed.add(ident)
    return allowed, problems


def audit_python(allowed: set[str]) -> tuple[list[str], bool]:
    """Advisories not allowed, and whether the service answered for the packages."""
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "pip-audit"),
            "--requirement",
            str(ROOT / "requirements.lock"),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr.strip()[-2000:])
        return [], False
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    found = [
        f"python {d['name']} {d.get('version', '')}: {v['id']} "
        f"(fixed in: {', '.join(v.get('fix_versions', [])) or 'no release yet'})"
        for d in dependencies
        for v in d.get("vulns", [])
        if v["id"] not in allowed and not set(v.get("aliases", [])) & allowed
    ]
    print(f"pip-audit: {len(dependencies) - len(skipped)} of {len(dependencies)} packages audited")
    return found, bool(dependencies) and not skipped


def audit_npm(allowed: set[str]) -> tuple[list[str], bool]:
    frontend = ROOT / "frontend"
    if not (frontend / "package-lock.json").exists():
        print("npm audit: no frontend/package-lock.json, nothing to audit")
        return [], True
    result = subprocess.run(
        ["npm", "audit", "--omit=dev", "--json"],
        cwd=frontend,
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        return [], False
    if "vulnerabilities" not in report:
        error = report.get("error", {}) if isinstance(report.get("error"), dict) else {}
        print(f"npm audit: no answer ({error.get('code') or report.get('message') or 'no report'})")
        return [], False
    found = []
    for name, vuln in report["vulnerabilities"].items():
        if vuln.get("severity") not in NPM_FAILING:
            continue
        ids = {
            str(v.get("url", "")).rsplit("/", 1)[-1]
            for v in vuln.get("via", [])
            if isinstance(v, dict)
        } or {name}
        if not ids & allowed and name not in allowed:
            found.append(f"npm {name}: {vuln['severity']} ({', '.join(sorted(ids))})")
    total = report.get("metadata", {}).get("dependencies", {}).get("total", "?")
    print(f"npm audit: {total} packages audited")
    return found, True


def main() -> int:
    allowed, problems = load_allowlist(datetime.date.today())
    python_found, python_answered = audit_python(allowed)
    npm_found, npm_answered = audit_npm(allowed)
    unreachable = [
        name for name, ok in (("pip-audit", python_answered), ("npm audit", npm_answered)) if not ok
    ]
    for name in unreachable:
        print(f"NOT AUDITED: {name}: its advisory service could not be reached or answered")
    for line in problems + python_found + npm_found:
        print(f"FAIL: {line}")
    if problems or python_found or npm_found:
        return 1
    if unreachable and os.environ.get("AUDIT_REQUIRED") == "1":
        return 1
    audited = [
        name for name, ok in (("pip-audit", python_answered), ("npm audit", npm_answered)) if ok
    ]
    print(
        "dependency audit: allow-list valid; "
        + (
            f"no known vulnerability of high severity or above in {' and '.join(audited)}"
            if audited
            else "no advisory service answered, nothing was checked for vulnerabilities"
        )
        + (f"; NOT AUDITED: {', '.join(unreachable)}" if unreachable else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
