"""Event types by explicit, versioned name, and the upcasting of old stored JSON.

Every event class is registered under a name such as `intake.proposal-submitted.v1`; the name,
never the Python class name, is what is stored and published. When a payload changes shape, the
old name stays readable through an upcaster: a small function from the old JSON to the new.
"""

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from shared.adapters.eventstore import RecordedEvent
from shared.kernel.errors import UnknownEventType

Json = dict[str, Any]
Upcaster = Callable[[Json], Json]


class Event(BaseModel):
    """A fact that happened: immutable plain data."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    type_name: ClassVar[str]


E = TypeVar("E", bound=type[Event])


class EventRegistry:
    def __init__(self) -> None:
        self._types: dict[str, type[Event]] = {}
        self._upcasters: dict[str, tuple[str, Upcaster]] = {}
        self._downcasters: dict[str, list[tuple[str, Upcaster]]] = {}

    def register(self, type_name: str) -> Callable[[E], E]:
        """Class decorator: store and read this class under `type_name`."""

        def decorate(cls: E) -> E:
            known = self._types.get(type_name)
            if known is not None and known is not cls:
                raise ValueError(f"event type {type_name!r} is registered twice")
            cls.type_name = type_name
            self._types[type_name] = cls
            return cls

        return decorate

    def upcast(self, old_type: str, new_type: str) -> Callable[[Upcaster], Upcaster]:
        """Function decorator: JSON stored as `old_type` is read as `new_type` after this change."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._upcasters[old_type] = (new_type, fn)
            return fn

        return decorate

    def downcast(self, new_type: str, old_type: str) -> Callable[[Upcaster], Upcaster]:
        """Function decorator: while consumers move, `new_type` is also published as `old_type`, its
        JSON made by this function (the same event id, so a consumer taking both takes it once)."""

        def decorate(fn: Upcaster) -> Upcaster:
            self._downcasters.setdefault(new_type, []).append((old_type, fn))
            return fn

        return decorate

    def downcasts(self, type_name: str) -> list[tuple[str, Upcaster]]:
        """The older types `type_name` is also published as, each with its function."""
        return list(self._downcasters.get(type_name, []))

    def include(self, other: "EventRegistry") -> None:
        for name, cls in other._types.items():
            self.register(name)(cls)
        self._upcasters.update(other._upcasters)
        for name, casts in other._downcasters.items():
            self._downcasters.setdefault(name, []).extend(casts)

    def is_current(self, type_name: str) -> bool:
        """Registered, and not read as a newer type."""
        return type_name in self._types and type_name not in self._upcasters

    def knows(self, type_name: str) -> bool:
        return type_name in self._types or type_name in self._upcasters

    @property
    def type_names(self) -> list[str]:
        return sorted(self._types)

    @property
    def classes(self) -> list[type[Event]]:
        """The registered classes, by type name."""
        return [self._types[name] for name in self.type_names]

    @property
    def current_classes(self) -> list[type[Event]]:
        """The registered classes that are not older versions of another."""
        return [self._types[name] for name in self.type_names if self.is_current(name)]

    def class_of(self, type_name: str) -> type[Event]:
        cls = self._types.get(type_name)
        if cls is None:
            raise UnknownEventType(type_name)
        return cls

    def older_names(self, type_name: str) -> list[str]:
        """The names whose stored JSON is read as `type_name` through upcasters (older versions)."""
        older = []
        for name in sorted(self._upcasters):
            seen, current = {name}, name
            while current in self._upcasters:
                current = self._upcasters[current][0]
                if current in seen:
                    break
                seen.add(current)
            if current == type_name:
                older.append(name)
        return older

    def encode(self, event: Event) -> tuple[str, Json]:
        return event.type_name, event.model_dump(mode="json")

    def decode(self, type_name: str, data: Json) -> Event:
        """The event for stored JSON, upcast to the current type; unknown types are an error."""
        seen: set[str] = set()
        while type_name in self._upcasters and type_name not in seen:
            seen.add(type_name)
            type_name, fn = self._upcasters[type_name]
            data = fn(data)
        cls = self._types.get(type_name)
        if cls is None:
            raise UnknownEventType(type_name)
        return cls.model_validate(data)

    def decode_recorded(self, recorded: RecordedEvent) -> Event:
        return self.decode(recorded.type, recorded.data)
