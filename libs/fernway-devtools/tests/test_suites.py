"""`make test`'s runner: every suite runs, failures are shown whole, the exit code says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from fernway_devtools import suites


def fake_suite(root: Path, name: str, code: int) -> Path:
    """A directory whose `.venv/bin/pytest` prints its name and working directory, then exits."""
    directory = root / name
    pytest_bin = directory / ".venv" / "bin" / "pytest"
    pytest_bin.parent.mkdir(parents=True)
    pytest_bin.write_text(
        f'#!/bin/sh\necho "{name} ran in $(pwd) with $*; tmp $TMPDIR"\nexit {code}\n'
    )
    pytest_bin.chmod(0o755)
    return directory


def test_every_suite_runs_and_a_failure_fails_the_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # directories relative to where make runs, as in the Makefile
    dirs = [fake_suite(Path(), n, c) for n, c in (("a", 0), ("b", 3), ("c", 0))]
    assert suites.main([str(d) for d in dirs]) == 1
    out = capsys.readouterr().out
    for name in "abc":
        assert f"{name} ran in {tmp_path / name} with -q -p no:cacheprovider --durations=25;" in out
    assert f"== tests: {dirs[1]} FAILED (exit 3)" in out
    assert f"FAILED: {dirs[1]}" in out
    assert "2/3 suites passed" in out


def test_reverse_runs_from_the_last(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dirs = [fake_suite(tmp_path, n, 0) for n in ("first", "second")]
    assert suites.main(["--reverse", "--jobs", "1", *map(str, dirs)]) == 0
    out = capsys.readouterr().out
    assert "2 suites, 1 at a time" in out
    assert out.index("second ran in") < out.index("first ran in")


def test_each_suite_gets_its_own_scratch_dir_removed_afterwards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = [fake_suite(tmp_path, n, 0) for n in ("one", "two")]
    scratch = tmp_path / "ram"
    scratch.mkdir()
    assert suites.main(["--scratch", str(scratch), *map(str, dirs)]) == 0
    out = capsys.readouterr().out
    tmpdirs = [line.split("; tmp ")[1] for line in out.splitlines() if "; tmp " in line]
    assert len(set(tmpdirs)) == 2
    assert all(Path(t).is_relative_to(scratch) for t in tmpdirs)
    assert list(scratch.iterdir()) == []  # removed when the suites are done


def test_scratch_goes_to_a_ram_disk_with_room_else_to_the_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert suites.scratch_root((tmp_path,)) == tmp_path
    assert suites.scratch_root((tmp_path / "missing",)) == Path(suites.tempfile.gettempdir())
    monkeypatch.setattr(suites, "MIN_FREE_BYTES", 1 << 62)  # more room than any disk has
    assert suites.scratch_root((tmp_path,)) == Path(suites.tempfile.gettempdir())
