"""The projections the views service keeps up to date."""

from pathlib import Path

from services.views.application.activity import ActivityProjection
from services.views.application.read_models import ProposalsProjection
from shared.kernel.projections import Projection
from shared.rules.units import UnitRegistry

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def load_units() -> UnitRegistry:
    return UnitRegistry.load(DEPLOY / "units.toml")


def projections(units: UnitRegistry | None = None) -> list[Projection]:
    return [ActivityProjection(), ProposalsProjection(units or load_units())]
