from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.reply.bootstrap import create
from services.reply.config import ReplySettings
from shared.testing.infrastructure import in_memory_infrastructure


@pytest.fixture
def client() -> Iterator[TestClient]:
    """The reply service through its composition root, on the in-memory adapters."""
    with TestClient(create(ReplySettings(), in_memory_infrastructure())) as client:
        yield client
