"""What a composition root hands to its endpoints: objects kept by their type, each fetched by a
typed FastAPI dependency, e.g. `Service = Annotated[ReplyService, Depends(provided(ReplyService))]`."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Request

T = TypeVar("T")


class Provided:
    """One object of each type; asked for a type, the object of that type or of a subtype."""

    def __init__(self, *objects: object) -> None:
        self._objects: dict[type, object] = {}
        for found in objects:
            if type(found) in self._objects:
                raise ValueError(f"two objects of type {type(found).__name__} are provided")
            self._objects[type(found)] = found

    def get(self, kind: type[T]) -> T:
        for found in self._objects.values():
            if isinstance(found, kind):
                return found
        raise LookupError(f"the composition root provides no {kind.__name__}")


def provided(kind: type[T]) -> Callable[[Request], Awaitable[T]]:
    """The dependency answering the app's object of type `kind` (on the event loop, not a thread)."""

    async def dependency(request: Request) -> T:
        objects: Provided = request.app.state.parts.provided
        return objects.get(kind)

    dependency.__name__ = f"provided_{kind.__name__}"
    return dependency
