"""The operations guide names every setting, metric, consumer group and topic the code has."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import services
from services import settings_doc
from shared.log.kafka_config import KafkaConfig

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
SERVICES = ("intake", "triage", "escalation", "notify")


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _import_services() -> None:
    for name in SERVICES:
        importlib.import_module(f"services.{name}.main")
    for module in pkgutil.walk_packages(services.__path__, "services."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def test_every_setting_has_a_meaning() -> None:
    assert settings_doc.undocumented() == []


def test_the_settings_table_is_the_one_the_code_gives() -> None:
    document = _guide()
    assert settings_doc.with_table(document) == document, (
        "run: python -m services.settings_doc --write docs/operations.md"
    )
    assert settings_doc.main(["--check", str(GUIDE)]) == 0


def test_every_metric_is_in_the_guide() -> None:
    _import_services()
    names = {
        family.name
        for family in REGISTRY.collect()
        if family.name.startswith("fq_")  # counters drop their _total in the family name
    }
    assert len(names) >= 12
    document = _guide()
    missing = [n for n in names if not re.search(rf"`{re.escape(n)}(_total)?`", document)]
    assert missing == []


def test_every_consumer_group_is_in_the_guide() -> None:
    _import_services()
    groups = {
        cls.group
        for module_name, module in list(sys.modules.items())
        if module_name.startswith("services.")
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module_name and isinstance(getattr(cls, "group", None), str)
    }
    assert {"projection.cases", "triage", "escalation", "notify"} <= groups
    document = _guide()
    assert [g for g in sorted(groups) if f"| `{g}` |" not in document] == []


def test_the_topics_are_in_the_guide_with_their_retention() -> None:
    """The event topic keeps everything; the dead-letter topic what the code's default says
    (in days), beside the creation commands that set the same."""
    config = KafkaConfig(bootstrap="unused", database_url="unused")
    document = _guide()

    def row(topic: str) -> str:
        return next(line for line in document.splitlines() if line.startswith(f"| `{topic}`"))

    assert "infinite (`retention.ms=-1`)" in row(config.topic)
    days = config.dead_letter_retention_ms // 86_400_000
    assert f"| {days} days (`FQ_KAFKA_DEAD_LETTER_RETENTION_MS`" in row(config.dead_letter_topic)
    create = f"--topic {config.dead_letter_topic} \\\n  --partitions 1 --replication-factor 3"
    assert f"{create} --config retention.ms={config.dead_letter_retention_ms} " in document


def test_the_alert_rules_parse_and_query_metrics_that_exist() -> None:
    _import_services()
    families = {family.name for family in REGISTRY.collect() if family.name.startswith("fq_")}
    blocks = re.findall(r"```yaml\n(.*?)```", _guide(), re.S)
    (alerts,) = [block for block in blocks if block.startswith("groups:")]
    rules = yaml.safe_load(alerts)["groups"][0]["rules"]
    assert len(rules) >= 8
    for rule in rules:
        for used in re.findall(r"\bfq_[a-z_]+", rule["expr"]):
            assert re.sub(r"_(total|bucket|sum|count)$", "", used) in families, rule["alert"]
