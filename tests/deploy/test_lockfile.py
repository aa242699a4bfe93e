"""Installs are reproducible: the venv holds exactly the lock's pins, and the locks match
pyproject.toml (a dependency added without `make lock` fails here, not on another machine)."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from types import ModuleType

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DEV_LOCK = ROOT / "requirements-dev.lock"
RUNTIME_LOCK = ROOT / "requirements.lock"
BENCH_LOCK = ROOT / "requirements-bench.lock"


def _lockfile() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lockfile", ROOT / "deploy" / "lockfile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lockfile = _lockfile()


def _declared() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    return runtime, [Requirement(r) for r in project["optional-dependencies"]["dev"]]


def test_the_environment_holds_exactly_the_locked_versions() -> None:
    locked = lockfile.pins(DEV_LOCK.read_text())
    assert lockfile.differences(locked, lockfile.installed()) == []


def test_a_missing_changed_or_unlocked_package_is_reported() -> None:
    locked = {"aiokafka": "0.14.0", "orjson": "3.11.0"}
    present = {"aiokafka": "0.13.0", "requests": "2.32.0", "pip": "25.0", "fengqiao": "0.1.0"}
    assert lockfile.differences(locked, present) == [
        "aiokafka: locked 0.14.0, installed 0.13.0",
        "orjson: locked 3.11.0, installed nothing",
        "requests: installed 2.32.0, not in the lock",
    ]


def test_markers_leave_out_what_this_platform_does_not_install() -> None:
    text = (
        "colorama==0.4.6 ; sys_platform == 'nt-never' \\\n    --hash=sha256:00\n"
        "orjson==3.11.0 \\\n    --hash=sha256:11 \\\n    --hash=sha256:22\n    # via fengqiao\n"
    )
    assert lockfile.pins(text) == {"orjson": "3.11.0"}


def test_every_declared_dependency_is_locked_within_its_range() -> None:
    runtime, dev = _declared()
    for lock, declared in ((RUNTIME_LOCK, runtime), (DEV_LOCK, runtime + dev)):
        every = {canonicalize_name(r.name): r for r in lockfile.requirements(lock.read_text())}
        for requirement in declared:
            pinned = every.get(canonicalize_name(requirement.name))
            assert pinned is not None, f"{requirement.name} is not in {lock.name}: run make lock"
            (pin,) = pinned.specifier
            assert requirement.specifier.contains(pin.version, prereleases=True), (
                f"{lock.name} pins {pinned}, outside {requirement}: run make lock"
            )


def test_the_image_gets_the_same_runtime_versions_as_the_tests() -> None:
    dev = {canonicalize_name(r.name): str(r) for r in lockfile.requirements(DEV_LOCK.read_text())}
    for requirement in lockfile.requirements(RUNTIME_LOCK.read_text()):
        assert dev[canonicalize_name(requirement.name)] == str(requirement)


def test_the_peer_benchmark_gets_the_same_versions_as_the_tests() -> None:
    """bench/peers.py runs eventsourcing beside the project's own packages: any package both
    locks name is pinned alike (`make lock` compiles the bench lock within the dev lock)."""
    dev = {canonicalize_name(r.name): str(r) for r in lockfile.requirements(DEV_LOCK.read_text())}
    bench = lockfile.requirements(BENCH_LOCK.read_text())
    assert "eventsourcing==9.5.6" in {str(r) for r in bench}
    for requirement in bench:
        assert dev.get(canonicalize_name(requirement.name), str(requirement)) == str(requirement)


def test_every_pin_carries_hashes_and_the_image_requires_them() -> None:
    for lock in (DEV_LOCK, RUNTIME_LOCK, BENCH_LOCK):
        entries = lock.read_text().replace("\\\n", " ").splitlines()
        pinned = [line for line in entries if "==" in line and not line.startswith("#")]
        assert pinned and all("--hash=sha256:" in line for line in pinned)
    dockerfile = (ROOT / "deploy" / "k8s" / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
