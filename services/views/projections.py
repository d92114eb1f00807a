"""The projections the views service keeps up to date."""

from pathlib import Path

from services.views.read_models import ProposalsProjection
from shared.activity import ActivityProjection
from shared.projections import Projection
from shared.units import UnitRegistry

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def load_units() -> UnitRegistry:
    return UnitRegistry.load(DEPLOY / "units.toml")


def projections(units: UnitRegistry | None = None) -> list[Projection]:
    return [ActivityProjection(), ProposalsProjection(units or load_units())]
