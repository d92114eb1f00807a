"""Deterministic ids: the same command or message always yields the same event ids."""

from uuid import UUID, uuid5

NAMESPACE = UUID("6f0f3f4e-2d1c-5b8a-9e47-0c1d2e3f4a5b")


def event_id(cause_id: UUID | str, index: int) -> UUID:
    """The id of the index-th event caused by a command or message with this id."""
    return uuid5(NAMESPACE, f"{cause_id}/{index}")


def derived_id(*parts: object) -> UUID:
    """A stable id made from its parts, for things such as scheduler ticks."""
    return uuid5(NAMESPACE, "/".join(str(p) for p in parts))
