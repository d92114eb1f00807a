"""Who consumes what: every consuming queue of the platform and the integration events it takes.

Every service declares all of these at start, so no event is published before its queue exists,
whichever service starts first. RabbitMQ definitions for deployment are written from this too.
"""

CONSUMES: dict[str, list[str]] = {
    "allocation": ["intake.proposal-registered.v1", "intake.proposal-ended.v1"],
    "reply": [
        "intake.proposal-registered.v1",
        "allocation.proposal-allocated.v1",
        "feedback.rehandling-requested.v1",
    ],
    "feedback": ["intake.proposal-registered.v1", "reply.reply-issued.v1"],
}


def queue_name(exchange: str, service: str) -> str:
    return f"{exchange}.{service}"


def routing_keys(service: str) -> list[str]:
    return [f"{type_name}.#" for type_name in CONSUMES.get(service, [])]


def all_queues(exchange: str) -> dict[str, list[str]]:
    return {queue_name(exchange, service): routing_keys(service) for service in CONSUMES}
