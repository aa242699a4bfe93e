"""With transactions, the Kafka log's relay leaves an unpublished row to the member that
replaces a crashed reactor for longer than that member takes to join and produce it."""

from __future__ import annotations

from shared.log.kafka_config import KafkaConfig


def test_the_relay_waits_out_a_crashed_reactors_transaction_and_its_replacement() -> None:
    plain = KafkaConfig(bootstrap="b", database_url="d")
    assert plain.relay_after_s == plain.relay_interval_s == 5.0
    assert plain.isolation_level == "read_uncommitted"
    transactional = KafkaConfig(bootstrap="b", database_url="d", transactions=True)
    # 5 s relay interval + 10 s session + 30 s rebalance + 30 s transaction timeout
    assert transactional.relay_after_s == 75.0
    assert transactional.isolation_level == "read_committed"
