"""Signed integration events: the issuer signs, a consumer acts only on a signature it trusts over an
event its source may issue, and production refuses development keys."""

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the lock
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from runtime.catalog import CATALOG
from runtime.event_keys import new, private_pem, retire, trust_toml
from runtime.topology import PUBLISHERS, queue_name
from services.allocation.contracts import AssignmentAcknowledgedV1
from services.reply.config import ReplySettings
from services.reply.contracts import AnswerV1, ReplyIssuedV1, RoundOpenedV1
from shared.adapters.bus import Malformed
from shared.adapters.bus.inprocess import InProcessBus
from shared.adapters.eventstore import EventStore
from shared.kernel.cloudevents import CloudEvent
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.signatures import (
    KEY_ID,
    SIGNATURE,
    Issuer,
    Issuers,
    Reason,
    Refused,
    TrustedKeys,
    Verifier,
    development_key,
    key_id,
    load_private_key,
)
from shared.settings import ServiceSettings
from shared.testing.waiting import eventually
from shared.web.asyncapi import envelope_schema
from tests import forgeries
from tests.unit.observability.platform import own_store, running
from tests.unit.observability.test_metrics import sample
from tests.unit.reply.messages import jiazheng_allocated, jiazheng_registered

DEVELOPMENT = Verifier(TrustedKeys.of_development(), Issuers(PUBLISHERS))
INTAKE, REPLY_SHANGWU = Issuer.development("intake"), Issuer.development("reply_shangwu")
ISSUED_AT = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)


def envelope(event: IntegrationEvent, issuer: Issuer, message_id: str = "0c2a6f4e-60") -> CloudEvent:
    return CloudEvent(
        id=message_id,
        source=issuer.source,
        type=event.type_name,
        subject="intake-proposal-wuhai-2025-60",
        time=datetime(2025, 3, 20, 8, 0, tzinfo=UTC),
        data=event.model_dump(mode="json"),
        correlationid="wuhai-60-submission",
    )


def received(event: CloudEvent) -> dict[str, Any]:
    """The JSON object a consumer parses from the message's body."""
    loaded: dict[str, Any] = json.loads(event.to_message(event.type).body)
    return loaded


def reply_issued(lead_unit: str) -> ReplyIssuedV1:
    """市商务局's reply to 乌海 第60号 (seed 001)."""
    return ReplyIssuedV1(
        proposal_id="wuhai-2025-60",
        round=1,
        lead_unit=lead_unit,
        lead_units=[lead_unit],
        document_no="乌商务发〔2025〕18号",
        result_class="A",
        answers=[AnswerV1(item=1, text="已将家政服务纳入智慧社区平台。")],
        signer="王建军",
        contact_person="李慧",
        contact_phone="0473-3998123",
        issued_at=ISSUED_AT,
    )


def refusal(verifier: Verifier, attributes: dict[str, Any]) -> Reason:
    with pytest.raises(Refused) as refused:
        verifier.verify(attributes)
    return refused.value.reason


# --- Signing and verifying ------------------------------------------------------------------------


def test_an_event_signed_by_its_issuer_verifies_as_it_is_received() -> None:
    signed = INTAKE.sign(envelope(jiazheng_registered(), INTAKE))
    attributes = received(signed)
    assert attributes[KEY_ID] == INTAKE.kid
    assert isinstance(attributes[SIGNATURE], str) and "=" not in attributes[SIGNATURE]
    DEVELOPMENT.verify(attributes)


def test_the_signature_is_over_the_canonical_form_not_the_bytes_sent() -> None:
    attributes = received(INTAKE.sign(envelope(jiazheng_registered(), INTAKE)))
    reordered = dict(reversed(list(attributes.items())))
    reordered["data"] = dict(reversed(list(attributes["data"].items())))
    DEVELOPMENT.verify(reordered)


def test_development_keys_are_the_same_in_every_process_and_differ_by_source() -> None:
    assert INTAKE.kid == "B0ODT_BiySfmNkHcexY4_dkhYpCA7scCA6Sp3hQYW9E"  # derived, in this process as in any
    assert INTAKE.kid != REPLY_SHANGWU.kid
    assert INTAKE.is_development and not Issuer("intake", Ed25519PrivateKey.generate()).is_development


def test_a_key_id_is_the_rfc_7638_thumbprint_of_the_key() -> None:
    # RFC 8037, appendix A.3: the thumbprint of its example Ed25519 key.
    public = Ed25519PrivateKey.from_private_bytes(
        bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    ).public_key()
    assert key_id(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


# --- Each refusal ----------------------------------------------------------------------------------


def test_an_unsigned_event_is_refused() -> None:
    assert refusal(DEVELOPMENT, received(envelope(jiazheng_registered(), INTAKE))) == "unsigned"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda a: a["data"].update(number="61"),
        lambda a: a.update(source="/proposals/intake", subject="intake-proposal-wuhai-2025-61"),
        lambda a: a.update(time="2025-03-21T08:00:00Z"),
        lambda a: a.update(signature=a["signature"][:-4] + "AAAA"),
        lambda a: a.update(signature="not base64url!"),
    ],
    ids=["data", "subject", "time", "signature", "garbage"],
)
def test_an_event_changed_after_signing_has_a_bad_signature(tamper: Any) -> None:
    attributes = received(INTAKE.sign(envelope(jiazheng_registered(), INTAKE)))
    tamper(attributes)
    assert refusal(DEVELOPMENT, attributes) == "bad-signature"


def test_a_source_that_is_not_one_of_ours_is_unknown() -> None:
    attributes = received(
        INTAKE.sign(envelope(jiazheng_registered(), INTAKE).model_copy(update={"source": "reply-shangwu"}))
    )
    assert refusal(DEVELOPMENT, attributes) == "unknown-source"


def test_a_source_missing_from_the_trust_file_is_unknown(tmp_path: Path) -> None:
    trust = tmp_path / "trust.toml"
    trust.write_text(trust_toml({"intake": [development_key("intake").public_key()]}))
    verifier = Verifier(TrustedKeys.load(trust), Issuers(PUBLISHERS))
    attributes = received(REPLY_SHANGWU.sign(envelope(reply_issued("shangwu"), REPLY_SHANGWU)))
    assert refusal(verifier, attributes) == "unknown-source"


def test_a_key_the_source_is_not_trusted_with_is_unknown(tmp_path: Path) -> None:
    stranger = Issuer("intake", Ed25519PrivateKey.generate())
    attributes = received(stranger.sign(envelope(jiazheng_registered(), stranger)))
    assert refusal(DEVELOPMENT, attributes) == "unknown-key"
    trust = tmp_path / "trust.toml"
    trust.write_text(trust_toml({"intake": [development_key("intake").public_key()]}))
    assert refusal(Verifier(TrustedKeys.load(trust), Issuers(PUBLISHERS)), attributes) == "unknown-key"


def test_the_forgery_of_a_registration_by_reply_shangwu_is_refused_though_well_signed() -> None:
    """The issue's forgery: 立案 of intake, issued by 市商务局's reply instance with its own key."""
    forged = REPLY_SHANGWU.sign(envelope(jiazheng_registered(), REPLY_SHANGWU))
    assert forged.type == "intake.proposal-registered.v1" and forged.source == "/proposals/reply_shangwu"
    assert refusal(DEVELOPMENT, received(forged)) == "type-not-allowed"


def test_a_service_issues_only_its_own_contract() -> None:
    reply = Issuer.development("reply")
    assert (
        refusal(DEVELOPMENT, received(reply.sign(envelope(jiazheng_allocated(), reply))))
        == "type-not-allowed"
    )
    views = Issuer.development("views")
    assert (
        refusal(DEVELOPMENT, received(views.sign(envelope(jiazheng_registered(), views))))
        == "type-not-allowed"
    )
    DEVELOPMENT.verify(received(reply.sign(envelope(reply_issued("minzheng"), reply))))


def test_an_agency_instance_issues_only_what_is_addressed_to_its_own_unit() -> None:
    DEVELOPMENT.verify(received(REPLY_SHANGWU.sign(envelope(reply_issued("shangwu"), REPLY_SHANGWU))))
    for event in (
        reply_issued("minzheng"),
        RoundOpenedV1(
            proposal_id="wuhai-2025-60",
            round=1,
            lead_units=["shangwu"],
            due=date(2025, 6, 10),
            opened_at=ISSUED_AT,
        ),
    ):
        signed = REPLY_SHANGWU.sign(envelope(event, REPLY_SHANGWU))
        assert refusal(DEVELOPMENT, received(signed)) == "type-not-allowed", event.type_name
    minzheng = Issuer.development("allocation_minzheng")
    acknowledged = AssignmentAcknowledgedV1(
        proposal_id="zhongwei-2021-12", unit="minzheng", by="孙雪斌", acknowledged_at=ISSUED_AT
    )
    DEVELOPMENT.verify(received(minzheng.sign(envelope(acknowledged, minzheng))))


def test_a_unit_id_with_a_hyphen_matches_its_store_name() -> None:
    office = Issuer.development("reply_cppcc_office")
    DEVELOPMENT.verify(received(office.sign(envelope(reply_issued("cppcc-office"), office))))


def test_an_agency_event_whose_data_does_not_fit_its_contract_is_malformed() -> None:
    broken = envelope(reply_issued("shangwu"), REPLY_SHANGWU).model_copy(
        update={"data": {"lead_unit": "shangwu"}}
    )
    with pytest.raises(Malformed) as malformed:
        DEVELOPMENT.verify(received(REPLY_SHANGWU.sign(broken)))
    assert not isinstance(malformed.value, Refused)


# --- Trust files and rotation --------------------------------------------------------------------


def test_both_keys_of_a_rotation_are_trusted_until_the_old_one_is_retired(tmp_path: Path) -> None:
    old_kid = new("reply_shangwu", tmp_path)
    old = Issuer("reply_shangwu", load_private_key(str(tmp_path / "reply_shangwu.pem")))
    new_kid = new("reply_shangwu", tmp_path)
    assert (tmp_path / f"reply_shangwu.{old_kid}.pem").exists()
    current = Issuer("reply_shangwu", load_private_key(str(tmp_path / "reply_shangwu.pem")))
    assert (old.kid, current.kid) == (old_kid, new_kid)
    trusted = Verifier(TrustedKeys.load(tmp_path / "trust.toml"), Issuers(PUBLISHERS))
    for issuer in (old, current):
        trusted.verify(received(issuer.sign(envelope(reply_issued("shangwu"), issuer))))

    retire("reply_shangwu", old_kid, tmp_path)
    trusted = Verifier(TrustedKeys.load(tmp_path / "trust.toml"), Issuers(PUBLISHERS))
    trusted.verify(received(current.sign(envelope(reply_issued("shangwu"), current))))
    assert refusal(trusted, received(old.sign(envelope(reply_issued("shangwu"), old)))) == "unknown-key"
    assert not (tmp_path / f"reply_shangwu.{old_kid}.pem").exists()


def test_a_trust_file_whose_kid_is_not_the_keys_thumbprint_is_refused(tmp_path: Path) -> None:
    trust = tmp_path / "trust.toml"
    text = trust_toml({"intake": [development_key("intake").public_key()]})
    trust.write_text(text.replace(INTAKE.kid, "intake-2025"))
    with pytest.raises(ValueError, match="thumbprint"):
        TrustedKeys.load(trust)


# --- Settings ------------------------------------------------------------------------------------

PRODUCTION: dict[str, Any] = {
    "app_env": "production",
    "token_jwks": "http://views:8005/.well-known/jwks.json",
    "eventstore_url": "postgresql://reply_shangwu@postgres/proposals?schema=reply_shangwu",
    "bus_url": "amqp://reply-shangwu@rabbitmq/proposals",
    "readstore_url": "redis://reply_shangwu:9f2c4e7a@redis:6379/0",
}


def test_outside_production_an_instance_signs_and_trusts_with_development_keys() -> None:
    settings = ReplySettings(app_env="test", unit_id="shangwu")
    assert settings.event_issuer().source == "/proposals/reply_shangwu"
    assert settings.event_issuer().is_development
    assert settings.trusted_keys().development


def test_production_refuses_to_sign_without_a_key_or_with_a_development_key() -> None:
    with pytest.raises(ValueError, match="EVENT_SIGNING_KEY must be set in production"):
        ReplySettings(**PRODUCTION, unit_id="shangwu").event_issuer()
    development = SecretStr(private_pem(development_key("reply_shangwu")).decode())
    with pytest.raises(ValueError, match="development key of reply_shangwu"):
        ReplySettings(**PRODUCTION, unit_id="shangwu", event_signing_key=development).event_issuer()


def test_production_signs_with_the_key_it_is_given_as_text_or_file(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    (tmp_path / "reply_shangwu.pem").write_bytes(private_pem(key))
    for given in (private_pem(key).decode(), str(tmp_path / "reply_shangwu.pem")):
        settings = ReplySettings(**PRODUCTION, unit_id="shangwu", event_signing_key=SecretStr(given))
        assert settings.event_issuer().kid == key_id(key.public_key())


def test_production_refuses_to_verify_without_a_trust_file_or_with_a_development_key(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="EVENT_TRUST must name the trust file"):
        ServiceSettings(**PRODUCTION, service_name="views").trusted_keys()
    trust = tmp_path / "trust.toml"
    trust.write_text(
        trust_toml(
            {"intake": [Ed25519PrivateKey.generate().public_key(), development_key("intake").public_key()]}
        )
    )
    with pytest.raises(ValueError, match="development key of intake"):
        ServiceSettings(**PRODUCTION, service_name="views", event_trust=trust).trusted_keys()
    assert (
        ServiceSettings(app_env="test", service_name="views", event_trust=trust).trusted_keys().keys["intake"]
    )


# --- The consumers, in one process on the in-process bus (the embedded run) ------------------------


async def test_in_process_the_consumers_refuse_the_forgeries_and_record_the_genuine_registration() -> None:
    bus = InProcessBus()
    apps = {
        name: CATALOG[name].create(CATALOG[name].settings(), own_store(bus)) for name in forgeries.CONSUMERS
    }
    stranger = Issuer("intake", Ed25519PrivateKey.generate())
    sent = forgeries.messages(INTAKE, REPLY_SHANGWU, stranger, run="embedded")
    refused = forgeries.expected_reasons(sent)
    async with running(apps["allocation"]), running(apps["reply"]), running(apps["feedback"]):
        for each in sent:
            await bus.publish(each.message)
        for name, app in apps.items():
            queue = queue_name(app.state.settings.bus_exchange, name)

            async def dead_lettered(queue: str = queue) -> bool:
                return len(await bus.dead_letters(queue)) == len(refused)

            async def genuine_recorded(store: EventStore = app.state.infra.events) -> bool:
                return "embedded-60" in await forgeries.causes(store)

            await eventually(dead_lettered)
            await eventually(genuine_recorded)
            assert not set(refused) & await forgeries.causes(app.state.infra.events), name
            letters = forgeries.reasons(await bus.dead_letters(queue))
            assert {i: reason.split(":")[0] for i, reason in letters.items()} == refused, name
            for reason in refused.values():
                assert sample(app, "consumer_refused_messages_total", reason=reason) == 1, (name, reason)


def test_the_published_envelope_schema_requires_the_signature_and_its_key_id() -> None:
    signed = INTAKE.sign(envelope(jiazheng_registered(), INTAKE)).attributes()
    jsonschema.validate(signed, envelope_schema())
    for attribute in (SIGNATURE, KEY_ID):
        with pytest.raises(jsonschema.ValidationError, match=attribute):
            jsonschema.validate({k: v for k, v in signed.items() if k != attribute}, envelope_schema())
