"""A feedback link is the credential: its uses are limited per token, and the links that lead
nowhere per client address, so that tokens cannot be tried one after another."""

from fastapi.testclient import TestClient

from shared.web.ratelimit import GUESSES, LINK_USE
from tests.unit.feedback.test_api import deliver, link_token, liu_alone, open_form, registered, reply_issued


def test_links_that_lead_nowhere_are_refused_from_that_address_after_ten(client: TestClient) -> None:
    for guess in range(GUESSES.burst):
        assert client.get(f"/feedback/forms/{guess:064x}").status_code == 404

    refused = client.get(f"/feedback/forms/{GUESSES.burst:064x}")

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    assert client.post(f"/feedback/forms/{0:064x}", json={"satisfaction": "满意"}).status_code == 429


def test_a_real_link_is_refused_after_too_many_uses_and_its_uses_are_not_guesses(client: TestClient) -> None:
    deliver(client, registered(liu_alone()))
    deliver(client, reply_issued())
    token = link_token("wuhai-60", 1, "liu-jianfeng")
    assert open_form(client, token).status_code == 200
    used = 1
    while used < LINK_USE.burst:
        assert client.get(f"/feedback/forms/{token}").status_code == 200
        used += 1

    refused = client.get(f"/feedback/forms/{token}")

    assert refused.status_code == 429
    assert refused.json()["retry_after"] == int(refused.headers["retry-after"])
    assert client.get(f"/feedback/forms/{1:064x}").status_code == 404
