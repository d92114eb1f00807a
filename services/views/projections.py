"""The projections the views service keeps up to date."""

from shared.activity import ActivityProjection
from shared.projections import Projection


def projections() -> list[Projection]:
    return [ActivityProjection()]
