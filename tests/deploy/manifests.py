"""Render the kustomize overlays and look resources up in what they render."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
OVERLAYS = ("staging", "production")
SECRET_TEMPLATE = K8S / "secret.template.yaml"
# The oldest Kubernetes the manifests must be valid for (the preStop sleep action needs
# 1.30+), and the newest schema kubernetes-validate ships at the pinned version.
KUBERNETES_VERSIONS = ("1.31.0", "1.35.0")
# Custom resources: no schema in kubernetes-validate; their own tests check them.
CUSTOM_KINDS = {("monitoring.coreos.com/v1", "ServiceMonitor")}

Resource = dict[str, Any]


def _kustomize() -> list[str]:
    """`kubectl kustomize` (kustomize is built into kubectl); the machine image ships it."""
    kubectl = shutil.which("kubectl")
    if kubectl is not None:
        return [kubectl, "kustomize"]
    if os.environ.get("CI") or os.environ.get("FQ_REQUIRE_INTEGRATION") == "1":
        pytest.fail("kubectl is needed to render deploy/k8s (kubectl kustomize)")
    pytest.skip("kubectl is not installed: cannot render the kustomize overlays")


@functools.cache
def _render(overlay: str) -> tuple[Resource, ...]:
    done = subprocess.run(
        [*_kustomize(), str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"kustomize build of {overlay} failed:\n{done.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


@dataclass(frozen=True)
class Rendered:
    overlay: str
    resources: tuple[Resource, ...]

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r["kind"] == kind]

    def named(self, kind: str, name: str) -> Resource | None:
        return next((r for r in self.of_kind(kind) if r["metadata"]["name"] == name), None)

    def settings(self) -> dict[str, str]:
        (config,) = [
            r for r in self.of_kind("ConfigMap") if r["metadata"]["name"].startswith("fengqiao-")
        ]
        data: dict[str, str] = config["data"]
        return data

    def workloads(self) -> list[Resource]:
        """Every Deployment and Job: each holds a pod template."""
        return self.of_kind("Deployment") + self.of_kind("Job")


def rendered(overlay: str) -> Rendered:
    return Rendered(overlay, _render(overlay))


def secret_template() -> dict[str, dict[str, str]]:
    """The template Secrets: name -> their keys and placeholder values."""
    docs = [doc for doc in yaml.safe_load_all(SECRET_TEMPLATE.read_text()) if doc]
    return {doc["metadata"]["name"]: doc["stringData"] for doc in docs}


def secret_template_resources() -> list[Resource]:
    return [doc for doc in yaml.safe_load_all(SECRET_TEMPLATE.read_text()) if doc]


def pod_spec(workload: Resource) -> Resource:
    spec: Resource = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: Resource) -> Iterator[Resource]:
    spec = pod_spec(workload)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def module_of(container: Resource) -> str:
    """The module a container runs: ``python -m <module> ...``."""
    command = container["command"]
    assert command[:2] == ["python", "-m"], f"{container['name']}: not `python -m`: {command}"
    module: str = command[2]
    return module
