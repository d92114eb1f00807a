"""The objects a composition root provides to its endpoints, fetched by type."""

import pytest

from shared.rules.calendar import WEEKENDS_ONLY, WorkingCalendar
from shared.web.provided import Provided


class Registry:
    pass


class CityRegistry(Registry):
    pass


def test_an_object_is_found_by_its_type() -> None:
    provided = Provided(WEEKENDS_ONLY, Registry())

    assert provided.get(WorkingCalendar) is WEEKENDS_ONLY


def test_an_object_is_found_by_a_type_it_derives_from() -> None:
    jincheng = CityRegistry()

    assert Provided(jincheng).get(Registry) is jincheng


def test_asking_for_a_type_nothing_provides_names_the_type() -> None:
    with pytest.raises(LookupError, match="WorkingCalendar"):
        Provided(Registry()).get(WorkingCalendar)


def test_two_objects_of_one_type_are_refused() -> None:
    with pytest.raises(ValueError, match="Registry"):
        Provided(Registry(), Registry())
