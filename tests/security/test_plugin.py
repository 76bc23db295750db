"""The canary watch fails a run whose test output shows a canary, in one process and when
pytest-xdist spreads the run over workers (as ``make test`` does)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LEAKY = """
from tests.security.plugin import plant


def test_shows_what_it_planted():
    print(plant("test.leaky_field"))
"""

CLEAN = """
from tests.security.plugin import plant


def test_keeps_what_it_planted_to_itself():
    assert plant("test.quiet_field")
"""


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """Runs the given test files in a separate pytest process with the canary watch."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    # Only the plugins the run needs: loading every installed one costs seconds per process.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeconftest('pytest_plugins = ["tests.security.plugin"]')

    def go(*args: str, **files: str) -> pytest.RunResult:
        pytester.makepyfile(**files)
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "xdist", *args)

    return go


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one process", "two workers"])
def test_a_canary_in_test_output_fails_the_run(run, workers):
    result = run(*workers, test_leaky=LEAKY, test_clean=CLEAN)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        ["*LEAK: output of test_leaky.py::test_shows_what_it_planted*test.leaky_field*"]
    )
    assert "test.quiet_field" not in result.stdout.str()


def test_a_run_without_leaks_passes_on_workers(run):
    result = run("-n", "2", test_clean=CLEAN)
    assert result.ret == pytest.ExitCode.OK
    assert "LEAK" not in result.stdout.str()
