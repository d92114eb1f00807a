"""A small HTTP client of the four services, acting as the office, a unit or a member."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.web.identity import Identity, Role, issue_token
from shared.web.keys import SigningKey

Json = dict[str, Any]


class CommandFailed(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url} → {response.status_code}: {response.text}"
        )
        self.response = response


@dataclass
class Platform:
    urls: dict[str, str]
    """Service name → base URL."""
    key: SigningKey
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=15))

    def token(self, role: Role, subject: str, name: str = "", unit: str | None = None) -> str:
        return issue_token(Identity(subject=subject, role=role, name=name, unit=unit), self.key)

    def as_office(self) -> "Actor":
        return Actor(self, self.token("office", "office-staff", "提案委工作人员"))

    def as_unit(self, unit: str, name: str, role: Role = "unit_staff") -> "Actor":
        return Actor(self, self.token(role, f"{unit}-{name}", name, unit))

    def as_member(self, member_id: str, name: str) -> "Actor":
        return Actor(self, self.token("proposer", member_id, name))

    def close(self) -> None:
        self.http.close()


@dataclass
class Actor:
    platform: Platform
    token: str

    def _headers(self, key: str | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if key:
            headers["Idempotency-Key"] = f"{self.platform.run_id}-{key}"
        return headers

    def post(self, service: str, path: str, body: Json, key: str | None = None) -> Json:
        response = self.platform.http.post(
            self.platform.urls[service] + path, json=body, headers=self._headers(key or str(uuid.uuid4()))
        )
        if response.status_code >= 300:
            raise CommandFailed(response)
        result: Json = response.json()
        return result

    def get(self, service: str, path: str) -> Json:
        response = self.platform.http.get(self.platform.urls[service] + path, headers=self._headers(None))
        if response.status_code >= 300:
            raise CommandFailed(response)
        result: Json = response.json()
        return result

    def download(self, service: str, path: str) -> bytes:
        """The bytes of a document (a PDF or DOCX) the service renders."""
        response = self.platform.http.get(self.platform.urls[service] + path, headers=self._headers(None))
        if response.status_code >= 300:
            raise CommandFailed(response)
        return response.content

    def wait_for(self, service: str, path: str, ready: Callable[[Json], bool], timeout: float = 30) -> Json:
        """GET until `ready` holds: the other services learn through events, a moment later."""
        deadline = time.monotonic() + timeout
        last: Json | str = "nothing yet"
        while time.monotonic() < deadline:
            response = self.platform.http.get(self.platform.urls[service] + path, headers=self._headers(None))
            if response.status_code == 200:
                body: Json = response.json()
                if ready(body):
                    return body
                last = body
            else:
                last = f"{response.status_code} {response.text}"
            time.sleep(0.05)
        raise TimeoutError(f"{service}{path} not ready after {timeout} s; last answer: {last}")
