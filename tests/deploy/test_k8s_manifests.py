"""The Kubernetes manifests: valid resources, consistent references, safe pods.

Each overlay is rendered with kustomize, every resource validated against the Kubernetes
schemas of the pinned versions, and the references checked that no schema checks: names
of ConfigMaps and Secrets, Service selectors, probe paths in the running app, the grace
period against the configured one, replicas against the partitions.
"""

from __future__ import annotations

import importlib
import importlib.util
import json

import kubernetes_validate
import pytest
from fastapi.routing import APIRoute

from services.processes import PROCESSES
from services.settings_doc import known_variables
from shared.config import CommonSettings
from shared.runtime.app import create_app
from tests.deploy.manifests import (
    CUSTOM_KINDS,
    K8S,
    KUBERNETES_VERSIONS,
    OVERLAYS,
    Resource,
    containers,
    module_of,
    pod_spec,
    rendered,
    secret_template,
    secret_template_resources,
    selects,
)

pytestmark = pytest.mark.parametrize("overlay", OVERLAYS)
PRESTOP_TO_STOP_MARGIN = 10  # seconds to stop consumers, flush the producer, close the pool


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_resource_is_valid_for_the_pinned_kubernetes(overlay: str, version: str) -> None:
    checked = 0
    for resource in [*rendered(overlay).resources, *secret_template_resources()]:
        if (resource["apiVersion"], resource["kind"]) in CUSTOM_KINDS:
            continue
        kubernetes_validate.validate(resource, version, strict=True)
        checked += 1
    assert checked >= 20


def test_every_config_map_and_secret_referenced_exists(overlay: str) -> None:
    out = rendered(overlay)
    config_maps = {r["metadata"]["name"] for r in out.of_kind("ConfigMap")}
    secrets = secret_template()
    missing: list[str] = []

    def need_secret(name: str, key: str | None, where: str) -> None:
        if name not in secrets or (key is not None and key not in secrets[name]):
            missing.append(f"{where}: secret {name} key {key}")

    for workload in out.workloads():
        where = workload["metadata"]["name"]
        spec = pod_spec(workload)
        assert out.named("ServiceAccount", spec["serviceAccountName"]) is not None
        for container in containers(workload):
            for source in container.get("envFrom", []):
                if "configMapRef" in source and source["configMapRef"]["name"] not in config_maps:
                    missing.append(f"{where}: config map {source['configMapRef']['name']}")
                if "secretRef" in source:
                    need_secret(source["secretRef"]["name"], None, where)
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    need_secret(ref["name"], ref["key"], f"{where} {variable['name']}")
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                for item in volume["secret"].get("items") or [{"key": None}]:
                    need_secret(volume["secret"]["secretName"], item["key"], where)
            if "configMap" in volume and volume["configMap"]["name"] not in config_maps:
                missing.append(f"{where}: config map {volume['configMap']['name']}")
    assert not missing


def test_files_named_in_the_settings_are_mounted(overlay: str) -> None:
    out = rendered(overlay)
    settings = out.settings()
    for workload in out.of_kind("Deployment"):
        (container,) = pod_spec(workload)["containers"]
        mounts = [m["mountPath"] for m in container["volumeMounts"]]
        for variable in ("FQ_API_KEYS_FILE", "FQ_ORG_FILE"):
            path = settings[variable]
            assert any(path.startswith(mount + "/") for mount in mounts), (workload, variable)


def test_settings_in_the_manifests_are_settings_the_code_reads(overlay: str) -> None:
    out = rendered(overlay)
    known = known_variables()
    assert set(out.settings()) - known == set()
    for workload in out.workloads():
        for container in containers(workload):
            assert {v["name"] for v in container.get("env", [])} - known == set()


def test_every_service_selects_exactly_one_deployment_and_a_named_port(overlay: str) -> None:
    out = rendered(overlay)
    deployments = out.of_kind("Deployment")
    assert {s["metadata"]["name"] for s in out.of_kind("Service")} == {
        d["metadata"]["name"] for d in deployments
    }
    for service in out.of_kind("Service"):
        selector = service["spec"]["selector"]
        chosen = [
            d for d in deployments if selects(selector, d["spec"]["template"]["metadata"]["labels"])
        ]
        assert len(chosen) == 1, service["metadata"]["name"]
        ports = {p["name"] for c in containers(chosen[0]) for p in c.get("ports", [])}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports


def test_budgets_and_autoscalers_target_deployments_within_the_partitions(overlay: str) -> None:
    out = rendered(overlay)
    partitions = int(out.settings()["FQ_KAFKA_PARTITIONS"])
    deployments = {d["metadata"]["name"]: d for d in out.of_kind("Deployment")}
    budgets = out.of_kind("PodDisruptionBudget")
    assert len(budgets) == len(deployments)
    for budget in budgets:
        selector = budget["spec"]["selector"]["matchLabels"]
        chosen = [
            name
            for name, d in deployments.items()
            if selects(selector, d["spec"]["template"]["metadata"]["labels"])
        ]
        assert len(chosen) == 1
    scalers = {
        h["spec"]["scaleTargetRef"]["name"]: h for h in out.of_kind("HorizontalPodAutoscaler")
    }
    assert set(scalers) == set(deployments)
    for name, scaler in scalers.items():
        assert "replicas" not in deployments[name]["spec"], f"{name}: the autoscaler owns replicas"
        assert 1 <= scaler["spec"]["minReplicas"] <= scaler["spec"]["maxReplicas"] <= partitions


def test_grace_period_covers_the_pause_and_the_configured_shutdown(overlay: str) -> None:
    out = rendered(overlay)
    grace = int(out.settings()["FQ_SHUTDOWN_GRACE_SECONDS"])
    for deployment in out.of_kind("Deployment"):
        spec = pod_spec(deployment)
        (container,) = spec["containers"]
        pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        assert spec["terminationGracePeriodSeconds"] == pause + grace + PRESTOP_TO_STOP_MARGIN


def test_every_pod_runs_as_non_root_on_a_read_only_root_with_limits(overlay: str) -> None:
    out = rendered(overlay)
    for workload in out.workloads():
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        for container in containers(workload):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound])
            assert ":" in container["image"] and not container["image"].endswith(":latest")


def test_probe_and_scrape_paths_exist_in_the_service_they_probe(overlay: str) -> None:
    out = rendered(overlay)
    for deployment in out.of_kind("Deployment"):
        (container,) = pod_spec(deployment)["containers"]
        module = module_of(container)
        assert module == "services.processes", container["command"]
        name = container["command"][3]
        services, _port = PROCESSES[name]
        app = create_app(settings=CommonSettings(), services=services)
        paths = {route.path for route in app.routes if isinstance(route, APIRoute)}
        port_names = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            get = container[probe]["httpGet"]
            assert get["path"] in paths and get["port"] in port_names, (module, probe)
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        scrape = deployment["spec"]["template"]["metadata"]["annotations"]
        assert scrape["prometheus.io/path"] in paths
        assert int(scrape["prometheus.io/port"]) == port_names["http"]
        assert int(out.settings()["PORT"]) == port_names["http"]


def test_every_command_is_a_module_of_the_image(overlay: str) -> None:
    missing = []
    for workload in rendered(overlay).workloads():
        for container in containers(workload):
            if importlib.util.find_spec(module_of(container)) is None:
                missing.append(module_of(container))
    if missing == ["services.migrate"]:
        pytest.skip("services.migrate (alembic upgrade head) is not in this tree yet")
    assert not missing


def test_the_service_monitor_scrapes_every_service(overlay: str) -> None:
    out = rendered(overlay)
    monitors = out.of_kind("ServiceMonitor")
    if overlay != "production":
        assert not monitors  # staging relies on the pod annotations
        return
    (monitor,) = monitors
    selector = monitor["spec"]["selector"]["matchLabels"]
    scraped = [s for s in out.of_kind("Service") if selects(selector, s["metadata"]["labels"])]
    assert len(scraped) == len(out.of_kind("Deployment"))
    for endpoint in monitor["spec"]["endpoints"]:
        for service in scraped:
            assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
        assert_scrape_token_reads_metrics(endpoint)


def assert_scrape_token_reads_metrics(endpoint: Resource) -> None:
    """/metrics needs a key with the role metrics: the monitor's token must be one."""
    credentials = endpoint["authorization"]["credentials"]
    secrets = secret_template()
    token = secrets[credentials["name"]][credentials["key"]]
    keys = json.loads(secrets["fengqiao-common"]["api-keys.json"])
    (entry,) = [k for k in keys if k["key"] == token]
    assert entry["roles"] == ["metrics"]


def test_the_image_runs_as_the_user_and_port_the_pods_expect(overlay: str) -> None:
    dockerfile = (K8S / "Dockerfile").read_text()
    out = rendered(overlay)
    for workload in out.workloads():
        user = pod_spec(workload)["securityContext"]["runAsUser"]
        assert f"\nUSER {user}:" in dockerfile
    assert f"PORT={out.settings()['PORT']}" in dockerfile
    assert "COPY services/ /app/services/" in dockerfile  # rule sets and org data come along
