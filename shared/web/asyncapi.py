"""The integration contract as documents, generated from the integration event models.

A JSON Schema per integration event (its `$id` is the versioned type name) and an AsyncAPI 3.0
document of the topic exchange: one channel per event type, addressed by its routing key pattern;
each message is a structured-mode CloudEvents 1.0 envelope whose `data` is the event; one `send`
operation per publishing service and one `receive` per consuming service. `router` serves both.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field
from pydantic.json_schema import models_json_schema

from shared.kernel.contracts import IntegrationEvent, routing_pattern
from shared.web.problems import Problem, problem_doc
from shared.web.schemas import JsonObject
from shared.web.schemas import Schema as Shape

Schema = dict[str, Any]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
AMQP_BINDING_VERSION = "0.3.0"
CONTENT_TYPE = "application/cloudevents+json"
ENVELOPE = "CloudEventsEnvelope"
COMPONENT_REF = "#/components/schemas/{model}"
VHOST = "{jurisdiction}"
"""The virtual host: one per jurisdiction (`runtime/broker.py`), a variable of the server."""


@dataclass(frozen=True)
class Contract:
    schemas: dict[str, Schema]
    """Versioned type name → the JSON Schema of the event (the CloudEvent's `data`)."""
    document: Schema
    """The AsyncAPI 3.0 document."""


def event_schema(event: type[IntegrationEvent]) -> Schema:
    """The JSON Schema of one event, identified by its versioned type name."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": event.type_name,
        **event.model_json_schema(mode="serialization"),
    }


def envelope_schema(type_name: str | None = None, data: Schema | None = None) -> Schema:
    """The CloudEvents 1.0 structured-mode envelope, with `correlationid`, `causationid`, `traceparent`
    and the issuer's signature, `signaturekid` and `signature`."""
    text = {"type": "string", "minLength": 1}
    schema: Schema = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "CloudEvents 1.0 envelope (structured content mode, JSON)",
        "type": "object",
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {**text, "description": "The event id; also the AMQP message_id. Drop repeats by it."},
            "source": {
                **text,
                "format": "uri-reference",
                "description": "/proposals/<store>: the issuing service, or agency instance (reply_shangwu)",
            },
            "type": {**text, "description": "The versioned integration event type"},
            "subject": {**text, "description": "The stream of the event at its source"},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "data": data or {"type": "object"},
            "correlationid": {**text, "description": "Extension: the id of the conversation"},
            "causationid": {**text, "description": "Extension: the command or message that caused it"},
            "traceparent": {
                "type": "string",
                "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                "description": "Distributed-tracing extension: the W3C trace context of the event's append",
            },
            "signaturekid": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_-]{43}$",
                "description": (
                    "Extension: the id of the issuer's Ed25519 key, the RFC 7638 thumbprint of its "
                    "public JWK (base64url); signed with the rest"
                ),
            },
            "signature": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_-]{86}$",
                "description": (
                    "Extension: the issuer's Ed25519 signature (base64url, no padding) over the "
                    "canonical form (RFC 8785, JCS) of this JSON object without `signature`"
                ),
            },
        },
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "time",
            "datacontenttype",
            "data",
            "signaturekid",
            "signature",
        ],
        "propertyNames": {"pattern": "^[a-z0-9]{1,20}$"},
    }
    if type_name is not None:
        schema["properties"]["type"] = {"const": type_name}
    return schema


def build_contract(
    publishers: Mapping[str, Sequence[type[IntegrationEvent]]],
    consumers: Mapping[str, Sequence[str]],
    *,
    exchange: str,
    queue_names: Mapping[str, str],
    title: str,
    version: str,
) -> Contract:
    events = sorted((e for published in publishers.values() for e in published), key=_type)
    schemas = {e.type_name: event_schema(e) for e in events}
    publisher = {e.type_name: service for service, published in publishers.items() for e in published}
    for service, types in consumers.items():
        for name in types:
            if name not in publisher:
                raise ValueError(f"{service} consumes {name}, which no service publishes")
    document: Schema = {
        "asyncapi": "3.0.0",
        "info": {
            "title": title,
            "version": version,
            "description": (
                "The integration events of the platform: CloudEvents 1.0 (structured mode, JSON) "
                f"on the durable topic exchange `{exchange}`. The routing key is the versioned event "
                "type, followed by the unit concerned where an agency must bind to its own events. "
                "Every event is signed by the service instance that issued it (Ed25519, the extension "
                "attributes `signaturekid` and `signature`); verify the signature, and that the type is "
                "one its source issues, before acting on it."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {"rabbitmq": _server(exchange)},
        "channels": {e.type_name: _channel(e, exchange) for e in events},
        "operations": {
            **_sends(publishers),
            **_receives(consumers, queue_names),
        },
        "components": {
            "schemas": {ENVELOPE: _without_dialect(envelope_schema()), **_component_schemas(events)},
            "messages": {e.type_name: _message(e, publisher[e.type_name]) for e in events},
        },
    }
    return Contract(schemas=schemas, document=document)


class AsyncAPIInfo(Shape):
    title: str
    version: str
    description: str


class AsyncAPIComponents(Shape):
    schemas: dict[str, JsonObject]
    messages: dict[str, JsonObject]


class AsyncAPIDocument(Shape):
    """An AsyncAPI 3.0 document (https://www.asyncapi.com/docs/reference/specification/v3.0.0)."""

    asyncapi: str
    info: AsyncAPIInfo
    default_content_type: str = Field(alias="defaultContentType")
    servers: dict[str, JsonObject]
    channels: dict[str, JsonObject]
    operations: dict[str, JsonObject]
    components: AsyncAPIComponents


class JSONSchemaResponse(JSONResponse):
    media_type = "application/schema+json"


def router(contract: Contract) -> APIRouter:
    """`GET /asyncapi.json` and `GET /schemas/{type_name}` (404 problem for an unknown type)."""
    routes = APIRouter(tags=["integration contract"])
    document = AsyncAPIDocument.model_validate(contract.document)

    @routes.get("/asyncapi.json")
    async def asyncapi() -> AsyncAPIDocument:
        """The AsyncAPI 3.0 document of every integration event of the platform."""
        return document

    @routes.get(
        "/schemas/{type_name}",
        response_class=JSONSchemaResponse,
        response_model=JsonObject,
        responses={404: problem_doc("No integration event has this type")},
    )
    async def schema(type_name: str) -> JSONSchemaResponse:
        """The JSON Schema (draft 2020-12) of one integration event's `data`, e.g. `reply.reply-issued.v1`."""
        found = contract.schemas.get(type_name.removesuffix(".json"))
        if found is None:
            raise Problem(
                404,
                "Unknown event type",
                f"no integration event is named {type_name!r}",
                known=sorted(contract.schemas),
            )
        return JSONSchemaResponse(found)

    return routes


def _server(exchange: str) -> Schema:
    return {
        "host": "127.0.0.1:5672",
        "pathname": f"/{VHOST}",
        "variables": {
            "jurisdiction": {
                "description": "The jurisdiction, whose virtual host holds its exchange and queues.",
                "examples": ["wuhai", "jincheng", "zhongwei"],
            }
        },
        "protocol": "amqp",
        "protocolVersion": "0.9.1",
        "title": "RabbitMQ of the development run",
        "description": (
            f"Every integration event is published to the durable topic exchange `{exchange}` with "
            "publisher confirms, `mandatory` and persistent delivery. Each deployment names its own host; "
            "each service and agency instance gets its own broker user, which may publish only the "
            "routing keys of its own contract and read only its own queue."
        ),
    }


def _channel(event: type[IntegrationEvent], exchange: str) -> Schema:
    address, parameters = routing_pattern(event)
    channel: Schema = {
        "address": address,
        "title": event.type_name,
        "summary": _summary(event),
        "messages": {event.type_name: {"$ref": f"#/components/messages/{event.type_name}"}},
    }
    if parameters:
        channel["parameters"] = {
            name: {
                "description": f"The event's `{field}` (a unit id such as `shangwu` or `minzheng`).",
                "location": f"$message.payload#/data/{field}",
            }
            for name, field in parameters.items()
        }
    channel["bindings"] = {
        "amqp": {
            "is": "routingKey",
            "exchange": {
                "name": exchange,
                "type": "topic",
                "durable": True,
                "autoDelete": False,
                "vhost": VHOST,
            },
            "bindingVersion": AMQP_BINDING_VERSION,
        }
    }
    return channel


def _message(event: type[IntegrationEvent], service: str) -> Schema:
    return {
        "name": event.__name__,
        "title": event.type_name,
        "summary": _summary(event),
        "description": (
            f"Published by {service}. Structured-mode CloudEvent: every attribute is in the JSON body; "
            "the AMQP `message_id` is the CloudEvent `id`."
        ),
        "contentType": CONTENT_TYPE,
        "correlationId": {"location": "$message.payload#/correlationid"},
        "payload": {
            "allOf": [
                {"$ref": f"#/components/schemas/{ENVELOPE}"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": event.type_name},
                        "data": {"$ref": COMPONENT_REF.format(model=event.__name__)},
                    },
                },
            ]
        },
        "bindings": {"amqp": {"messageType": event.type_name, "bindingVersion": AMQP_BINDING_VERSION}},
    }


def _sends(publishers: Mapping[str, Sequence[type[IntegrationEvent]]]) -> dict[str, Schema]:
    return {
        f"{service}.send.{e.type_name}": {
            "action": "send",
            "channel": {"$ref": f"#/channels/{e.type_name}"},
            "messages": [{"$ref": f"#/channels/{e.type_name}/messages/{e.type_name}"}],
            "summary": f"{service} publishes {e.type_name} from its gateway (the event store is the outbox).",
            "bindings": {
                "amqp": {"deliveryMode": 2, "mandatory": True, "bindingVersion": AMQP_BINDING_VERSION}
            },
        }
        for service, published in sorted(publishers.items())
        for e in sorted(published, key=_type)
    }


def _receives(consumers: Mapping[str, Sequence[str]], queue_names: Mapping[str, str]) -> dict[str, Schema]:
    return {
        f"{service}.receive.{name}": {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{name}"},
            "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
            "summary": (
                f"{service} consumes {name} from its durable queue `{queue_names[service]}`, "
                f"bound with `{name}.#`, and acks after the effect is committed."
            ),
            "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING_VERSION}},
        }
        for service, types in sorted(consumers.items())
        for name in sorted(types)
    }


def _component_schemas(events: Sequence[type[IntegrationEvent]]) -> dict[str, Schema]:
    _, schemas = models_json_schema([(e, "serialization") for e in events], ref_template=COMPONENT_REF)
    definitions: dict[str, Schema] = schemas.get("$defs", {})
    return dict(sorted(definitions.items()))


def _without_dialect(schema: Schema) -> Schema:
    return {k: v for k, v in schema.items() if k != "$schema"}


def _summary(event: type[IntegrationEvent]) -> str:
    return (event.__doc__ or event.type_name).strip().splitlines()[0]


def _type(event: type[IntegrationEvent]) -> str:
    return event.type_name


def _subclasses(cls: type[IntegrationEvent]) -> Iterator[type[IntegrationEvent]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
