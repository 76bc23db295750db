"""Results are named by day; a later run the same day does not overwrite an earlier one."""

from pathlib import Path

from bench.run import _free_name


def test_a_later_run_the_same_day_gets_the_next_name(tmp_path: Path):
    assert _free_name(tmp_path, "2026-11-24") == "2026-11-24"
    (tmp_path / "2026-11-24.json").write_text("{}")
    assert _free_name(tmp_path, "2026-11-24") == "2026-11-24-2"
    (tmp_path / "2026-11-24-2.json").write_text("{}")
    assert _free_name(tmp_path, "2026-11-24") == "2026-11-24-3"
    assert _free_name(tmp_path, "2026-11-25") == "2026-11-25"
