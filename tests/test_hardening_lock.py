"""Issue 10, item 14: every package, transitive ones too, is locked with hashes and used so."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _pins(path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


def _entries(path) -> list[tuple[str, str, list[str]]]:
    """(name, version, hashes) of every package entry of a pip-compile lock file."""
    entries = []
    for block in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        match = PIN.match(block)
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            entries.append((_name(match.group(1)), match.group(2), hashes))
    return entries


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_the_lock_holds_every_pin_with_hashes(requirements, lock) -> None:
    entries = _entries(ROOT / lock)
    locked = {name: version for name, version, _ in entries}
    assert len(entries) > 20  # transitive packages, not only the top-level ones
    assert [name for name, _, hashes in entries if not hashes] == []
    wanted = _pins(ROOT / requirements)
    if requirements == "requirements-dev.txt":
        wanted |= _pins(ROOT / "requirements.txt")
    assert {n: locked.get(n) for n in wanted} == wanted


def test_the_dev_lock_installs_the_same_runtime_packages() -> None:
    runtime = {n: v for n, v, _ in _entries(ROOT / "requirements.lock")}
    dev = {n: v for n, v, _ in _entries(ROOT / "requirements-dev.lock")}
    assert {n: dev.get(n) for n in runtime} == runtime


def test_make_installs_from_the_locks_with_hashes_required() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in makefile
    assert "--require-hashes -r requirements-dev.lock" in makefile


@pytest.mark.parametrize(
    "name",
    ["requirements.txt", "requirements-dev.txt", "requirements.lock", "requirements-dev.lock"],
)
def test_no_requirement_file_names_a_package_index(name) -> None:
    text = (ROOT / name).read_text()
    assert "://" not in text
    assert not re.search(r"^\s*(-i|--index-url|--extra-index-url|--find-links|-f)\b", text, re.M)
