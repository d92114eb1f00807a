"""Which domain events reply announces, and how."""

from services.reply.application.outbound import to_integration
from services.reply.contracts import CoOpinionSubmittedV1, ReplyIssuedV1, ResultClassChangedV1
from services.reply.domain.events import ResultClassChanged
from tests.unit.reply.seeds import JIAZHENG, NOW, co_opinion, jiazheng_allocated, jiazheng_replied


def test_a_reply_is_announced_with_every_lead_unit_and_routed_to_its_unit():
    public = to_integration(jiazheng_replied())
    assert isinstance(public, ReplyIssuedV1)
    assert public.lead_units == ["shangwu"] and public.document_no == "乌商务发〔2025〕26号"
    assert [a.item for a in public.answers] == [1, 2]
    assert public.routing_key() == "reply.reply-issued.v1.shangwu"


def test_a_class_change_is_announced_with_the_old_class():
    changed = ResultClassChanged(
        proposal_id=JIAZHENG,
        round=1,
        lead_unit="shangwu",
        old_class="A",
        new_class="B",
        reason="家政服务员社保补贴政策尚未出台",
        changed_at=NOW,
    )
    assert to_integration(changed) == ResultClassChangedV1(
        proposal_id=JIAZHENG,
        round=1,
        lead_unit="shangwu",
        old_class="A",
        new_class="B",
        reason=changed.reason,
    )


def test_what_reply_took_from_others_stays_private_and_a_co_opinion_is_announced_for_the_views():
    assert to_integration(jiazheng_allocated()) is None
    public = to_integration(co_opinion("minzheng"))
    assert isinstance(public, CoOpinionSubmittedV1)
    assert public.routing_key() == "reply.co-opinion-submitted.v1.minzheng"
