"""The shapes of what endpoints answer, so that OpenAPI documents every answer.

`Schema`: exactly the fields it names; a key it does not name is an error, not silently dropped.
`Sparse`: the same, but a field is in the JSON only when it was given (a key that some states have
and others lack); a field given as None is answered as null.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, RootModel, StringConstraints, model_serializer

from shared.rules.policy import LONG_TEXT, SHORT_TEXT


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sparse(Schema):
    # A lambda: the return annotation of a function would replace the model's schema in OpenAPI.
    _given_only = model_serializer(mode="wrap")(
        lambda self, handler: {k: v for k, v in handler(self).items() if k in self.model_fields_set}
    )


class Health(Schema):
    status: str
    service: str


class Readiness(Sparse):
    status: str
    """ready, or not ready (answered with 503)."""
    service: str
    dependencies: dict[str, str]
    """Each dependency (events, bus, views, …): ok, or what is wrong with it."""
    workers: dict[str, str]
    """Each background worker: running, finished, or failing with its error."""
    dead_letters: dict[str, int] | None = None
    """The messages dead-lettered on the service's queue, when it consumes one and the bus answers."""


class Json(RootModel[str | int | float | bool | None | list["Json"] | dict[str, "Json"]]):
    """Any JSON value: the parts of a document that follow a standard of their own (a JSON Schema,
    an AsyncAPI binding)."""


JsonObject = dict[str, Json]


ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT)]
"""A title, a name, a number or an id in a request: never longer, whatever a policy allows (the
policies set the real limits, `[<kind>.limits]`, checked once the jurisdiction is known)."""
LongText = Annotated[str, StringConstraints(max_length=LONG_TEXT)]
"""An item, an answer, an opinion, a reason or a note in a request: never longer."""
MANY = 200
"""The most entries of any list in a request (items, proposers, answers, tasks, staff, units)."""
