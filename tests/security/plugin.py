"""Session-wide watch for leaked canaries, and the security suite's closing figures.

Registered from ``tests/conftest.py`` so it sees the whole test run, not only the security
tests: every log record the application emits, and every captured log, stdout and stderr
section of every test, is scanned for the canary values planted so far. A canary found
anywhere fails the run at the end, even if every test passed.

Other tests may plant their own canaries with :func:`plant` (e.g. in a WebSocket payload
test) and scan any text with :func:`leaks_in`.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest

PREFIX = "CANARY-"
_TOKEN = re.compile(PREFIX + r"[0-9a-f]{32}")


@dataclass
class SecurityReport:
    canaries: dict[str, str] = field(default_factory=dict)  # value -> where it was planted
    leaks: list[str] = field(default_factory=list)
    figures: dict[str, Counter[str]] = field(default_factory=dict)

    def count(self, section: str, **figures: int) -> None:
        self.figures.setdefault(section, Counter()).update(figures)


REPORT = SecurityReport()
_WORKER_OUTPUT = "security_report"


def plant(where: str) -> str:
    """A new unique canary value, remembered with a description of where it is planted.

    ``where`` names the place (model.field, category), never the value of anything real.
    """
    value = f"{PREFIX}{uuid.uuid4().hex}"
    REPORT.canaries[value] = where
    return value


def leaks_in(text: str | bytes) -> list[str]:
    """Where each planted canary found in ``text`` was planted (empty when none is)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if PREFIX not in text:
        return []
    return [REPORT.canaries[t] for t in _TOKEN.findall(text) if t in REPORT.canaries]


class _CanaryLogHandler(logging.Handler):
    """Looks at every record the application logs, at the level it is configured to log."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            text = str(record.msg)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        text += "\n" + (record.exc_text or "") + "\n" + (record.stack_info or "")
        for where in leaks_in(text):
            REPORT.leaks.append(f"log record of {record.name!r} contains the canary of {where}")


_HANDLER = _CanaryLogHandler()


def _watch_logs() -> None:
    """(Re)attach the handler: Django's logging setup replaces the root logger's handlers."""
    root = logging.getLogger()
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)


def pytest_configure(config: pytest.Config) -> None:
    _watch_logs()


def pytest_collection_finish(session: pytest.Session) -> None:
    _watch_logs()


def pytest_runtest_setup(item: pytest.Item) -> None:
    _watch_logs()


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.getLogger().removeHandler(_HANDLER)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    texts = [content for _, content in report.sections]
    if report.longrepr is not None:
        texts.append(report.longreprtext)
    for text in texts:
        for where in leaks_in(text):
            REPORT.leaks.append(f"output of {report.nodeid} contains the canary of {where}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _is_controller(session.config):
        REPORT.count(
            "logs", records_scanned=_HANDLER.records, canaries_planted=len(REPORT.canaries)
        )
    if hasattr(session.config, "workeroutput"):
        # A pytest-xdist worker: its figures and leaks travel to the controller, which
        # reports them and fails the run.
        session.config.workeroutput[_WORKER_OUTPUT] = {
            "figures": {section: dict(figures) for section, figures in REPORT.figures.items()},
            "leaks": REPORT.leaks,
        }
    if REPORT.leaks and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _is_controller(config: pytest.Config) -> bool:
    """The pytest-xdist controller, which runs no test of its own."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """A pytest-xdist worker finished: add its figures and leaks to the run's."""
    output = getattr(node, "workeroutput", {}).get(_WORKER_OUTPUT)
    if output is None:
        return
    for section, figures in output["figures"].items():
        REPORT.count(section, **figures)
    REPORT.leaks.extend(output["leaks"])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if set(REPORT.figures) <= {"logs"} and not REPORT.figures.get("logs", {}).get(
        "canaries_planted"
    ):
        return  # no security test ran
    terminalreporter.section("security verification")
    for section, figures in sorted(REPORT.figures.items()):
        shown = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in sorted(figures.items()))
        terminalreporter.write_line(f"{section}: {shown}")
    for leak in sorted(set(REPORT.leaks)):
        terminalreporter.write_line(f"LEAK: {leak}", red=True)
    if REPORT.leaks:
        terminalreporter.write_line(
            f"{len(set(REPORT.leaks))} canary leak(s) in logs or test output: the run fails.",
            red=True,
        )
