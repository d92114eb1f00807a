from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.feedback.bootstrap import create
from services.feedback.config import FeedbackSettings
from shared.testing.infrastructure import in_memory_infrastructure
from tests.unit.feedback.data import SECRET


@pytest.fixture
def client() -> Iterator[TestClient]:
    """The feedback service through its composition root, on the in-memory adapters."""
    with TestClient(create(FeedbackSettings(form_link_secret=SECRET), in_memory_infrastructure())) as client:
        yield client
