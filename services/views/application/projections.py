"""The projections the views service keeps up to date, from its own record of the public events."""

from dataclasses import dataclass

from services.views.application.account_list import AccountList
from services.views.application.activity import ActivityProjection
from services.views.application.read_models import ProposalsProjection
from services.views.config import ViewsSettings
from shared.kernel.projections import Projection, ProjectionRunner
from shared.rules.units import UnitRegistry
from shared.settings import ServiceSettings


def load_units(settings: ServiceSettings | None = None) -> UnitRegistry:
    return UnitRegistry.load((settings or ViewsSettings()).units_file)


def projections(units: UnitRegistry | None = None) -> list[Projection]:
    return [ActivityProjection(), ProposalsProjection(units or load_units())]


def all_projections(units: UnitRegistry | None = None) -> list[Projection]:
    """The projections of the proposals and the list of the local accounts."""
    return [*projections(units), AccountList()]


@dataclass(frozen=True)
class LiveProjections:
    """The runners keeping the views up to date, with their lag, counts and positions."""

    runners: tuple[ProjectionRunner, ...]
