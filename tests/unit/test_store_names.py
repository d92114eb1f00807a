"""Each service, and each agency's own instance of one, is named by a store of its own."""

import pytest
from pydantic import ValidationError

from services.reply.config import ReplySettings
from services.views.config import ViewsSettings
from shared.settings import ServiceSettings


def test_a_service_keeps_its_events_and_keys_under_its_own_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENTSTORE_URL", raising=False)
    monkeypatch.delenv("READSTORE_PREFIX", raising=False)
    views = ViewsSettings()
    assert views.store_name == "views"
    assert views.eventstore_url == "sqlite:///var/views.sqlite3"
    assert views.readstore_prefix == "pp:views"


def test_an_agency_instance_has_a_store_of_its_own_beside_the_central_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EVENTSTORE_URL", raising=False)
    monkeypatch.delenv("READSTORE_PREFIX", raising=False)
    shangwu = ReplySettings(unit_id="shangwu")
    assert shangwu.service_name == "reply"
    assert shangwu.store_name == "reply_shangwu"
    assert shangwu.eventstore_url == "sqlite:///var/reply_shangwu.sqlite3"
    assert shangwu.readstore_prefix == "pp:reply_shangwu"
    assert ReplySettings(unit_id="cppcc-office").store_name == "reply_cppcc_office"


def test_the_url_names_the_store_or_the_service_where_it_says_so() -> None:
    settings = ReplySettings(
        unit_id="weijian",
        eventstore_url="postgresql://{store}@db/proposals?schema={store}",
        readstore_prefix="pp:{service}:{store}",
    )
    assert settings.eventstore_url == "postgresql://reply_weijian@db/proposals?schema=reply_weijian"
    assert settings.readstore_prefix == "pp:reply:reply_weijian"


def test_a_name_that_cannot_name_a_schema_or_a_stream_prefix_is_refused() -> None:
    with pytest.raises(ValidationError, match="store name"):
        ServiceSettings(service_name="Reply")
    with pytest.raises(ValidationError, match="store name"):
        ReplySettings(unit_id="市商务局")
