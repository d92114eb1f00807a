"""The poison message is published on a key that several services consume, as they declare it."""

from chaos.broker import POISON_ROUTING_KEY, poisoned_queues


def test_the_poison_is_expected_in_the_queue_of_every_service_that_consumes_its_key() -> None:
    queues = poisoned_queues("proposals.events")
    assert POISON_ROUTING_KEY.startswith("intake.proposal-registered.")
    assert {"proposals.events.allocation", "proposals.events.feedback"} <= set(queues)
    assert "proposals.events.intake" not in queues
