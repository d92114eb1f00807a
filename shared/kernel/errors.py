"""Errors of the kernel that callers are expected to handle."""


class WrongExpectedVersion(Exception):
    """The stream is not at the version the caller expected (HTTP maps this to 409)."""

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream!r} is at version {actual}, expected {expected}")
        self.stream = stream
        self.expected = expected
        self.actual = actual


class UnknownEventType(Exception):
    """A stored or received event has a type the registry does not know."""

    def __init__(self, type_name: str) -> None:
        super().__init__(f"unknown event type {type_name!r}")
        self.type_name = type_name


class Unroutable(Exception):
    """A published message reached no queue."""

    def __init__(self, routing_key: str) -> None:
        super().__init__(f"message with routing key {routing_key!r} reached no queue")
        self.routing_key = routing_key


class PublishTimeout(Exception):
    """The broker did not confirm a publish in time."""
