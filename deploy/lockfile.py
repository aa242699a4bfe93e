"""Compare the packages installed in this Python with the pins of a hashed lockfile.

`python deploy/lockfile.py requirements-dev.lock` prints every package that is missing, at
another version, or installed without being locked, and exits 1 if there is any; with
`--prune` it first uninstalls the unlocked ones (what `make venv` does after a lock change).
The installer's own tools (pip, setuptools, wheel) and the project itself are not compared
unless the lock pins them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "fengqiao"
INSTALLER = frozenset({"pip", "setuptools", "wheel"})


def requirements(lock_text: str) -> list[Requirement]:
    """Every `name==version ; marker` line of a lock, hashes and comments left out."""
    joined = lock_text.replace("\\\n", " ")
    lines = (line.split(" --hash=")[0].split("#")[0].strip() for line in joined.splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def pins(lock_text: str) -> dict[str, str]:
    """The locked version of each package that applies to this interpreter and platform."""
    pinned: dict[str, str] = {}
    for requirement in requirements(lock_text):
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        (spec,) = requirement.specifier
        if spec.operator != "==":
            raise ValueError(f"{requirement} is not pinned with ==")
        pinned[canonicalize_name(requirement.name)] = spec.version
    return pinned


def installed() -> dict[str, str]:
    """Name and version of every distribution importlib.metadata finds on sys.path."""
    found = (dist for dist in metadata.distributions() if dist.metadata["Name"])
    return {canonicalize_name(dist.metadata["Name"]): dist.version for dist in found}


def unlocked(locked: dict[str, str], present: dict[str, str]) -> list[str]:
    """Installed packages the lock does not name (the installer and the project aside)."""
    ignored = ({PROJECT} | INSTALLER) - locked.keys()
    return sorted(set(present) - set(locked) - ignored)


def differences(locked: dict[str, str], present: dict[str, str]) -> list[str]:
    """One line per package whose installed version is not the locked one."""
    lines = [
        f"{name}: locked {version}, installed {present.get(name, 'nothing')}"
        for name, version in sorted(locked.items())
        if present.get(name) != version
    ]
    return lines + [
        f"{name}: installed {present[name]}, not in the lock" for name in unlocked(locked, present)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lock", type=Path)
    parser.add_argument("--prune", action="store_true", help="uninstall unlocked packages")
    args = parser.parse_args()
    locked = pins(args.lock.read_text(encoding="utf-8"))
    extra = unlocked(locked, installed())
    if args.prune and extra:
        pip = [sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes"]
        subprocess.run([*pip, *extra], check=True)
    problems = differences(locked, installed())
    for line in problems:
        print(f"{args.lock}: {line}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
