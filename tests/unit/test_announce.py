"""A public event takes from its domain event the fields it declares, by name, and nothing else."""

from datetime import UTC, date, datetime

from services.reply.application.outbound import to_integration
from services.reply.contracts import ConsultationRecordedV1
from services.reply.domain.events import ConsultationRecorded
from shared.kernel.contracts import announce

HELD = ConsultationRecorded(
    proposal_id="jincheng-254",
    round=1,
    lead_unit="minzheng",
    held_on=date(2025, 7, 9),
    place="农业大厦630",
    staff=("孙雪斌",),
    member_opinion="同意答复意见要点",
    contact_phone="2516244",
    recorded_at=datetime(2025, 7, 9, 8, 0, tzinfo=UTC),
)


def test_a_consultation_is_announced_with_its_day_and_place_and_without_the_members_words_or_phone() -> None:
    public = to_integration(HELD)

    assert public == ConsultationRecordedV1(
        proposal_id="jincheng-254",
        round=1,
        lead_unit="minzheng",
        held_on=date(2025, 7, 9),
        place="农业大厦630",
        channel="online",
        recorded_at=datetime(2025, 7, 9, 8, 0, tzinfo=UTC),
    )
    assert not {"同意答复意见要点", "2516244", "孙雪斌"} & set(public.model_dump_json().split('"'))


def test_a_field_given_wins_over_the_domain_events_field_of_the_same_name() -> None:
    public = announce(ConsultationRecordedV1, HELD, place="市民政局会议室", channel="paper")

    assert (public.place, public.channel, public.held_on) == ("市民政局会议室", "paper", date(2025, 7, 9))
