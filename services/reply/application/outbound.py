"""What reply announces: each domain event that others may know, as its public integration event."""

from services.reply import contracts as public
from services.reply.domain import events as domain
from shared.kernel.contracts import IntegrationEvent
from shared.kernel.events import Event


def to_integration(event: Event) -> IntegrationEvent | None:
    """The public event announcing a domain event, or None for a private one."""
    match event:
        case domain.RoundOpened() as e:
            return public.RoundOpenedV1(
                proposal_id=e.proposal_id,
                round=e.round,
                lead_units=list(e.lead_units),
                due=e.due,
                opened_at=e.opened_at,
            )
        case domain.CoOpinionSubmitted() as e:
            return public.CoOpinionSubmittedV1(
                proposal_id=e.proposal_id,
                round=e.round,
                co_unit=e.co_unit,
                text=e.text,
                signer=e.signer,
                submitted_at=e.submitted_at,
            )
        case domain.CoOpinionsOverridden() as e:
            return public.CoOpinionsOverriddenV1(
                proposal_id=e.proposal_id,
                round=e.round,
                reason=e.reason,
                missing_co_units=list(e.missing_co_units),
                overridden_at=e.overridden_at,
            )
        case domain.ConsultationRecorded() as e:
            return public.ConsultationRecordedV1(
                proposal_id=e.proposal_id,
                round=e.round,
                lead_unit=e.lead_unit,
                held_on=e.held_on,
                place=e.place,
                channel=e.channel,
                recorded_at=e.recorded_at,
            )
        case _:
            return replies(event)


def replies(event: Event) -> IntegrationEvent | None:
    match event:
        case domain.ReplyIssued() as e:
            return public.ReplyIssuedV1(
                proposal_id=e.proposal_id,
                round=e.round,
                lead_unit=e.lead_unit,
                lead_units=list(e.lead_units),
                document_no=e.document_no,
                result_class=e.result_class,
                answers=[public.AnswerV1(item=a.item, text=a.text) for a in e.answers],
                signer=e.signer,
                contact_person=e.contact_person,
                contact_phone=e.contact_phone,
                promise=e.promise,
                issued_at=e.issued_at,
            )
        case domain.ResultClassChanged() as e:
            return public.ResultClassChangedV1(
                proposal_id=e.proposal_id,
                round=e.round,
                lead_unit=e.lead_unit,
                old_class=e.old_class,
                new_class=e.new_class,
                reason=e.reason,
            )
        case domain.ReplyPublished() as e:
            return public.ReplyPublishedV1(
                proposal_id=e.proposal_id,
                round=e.round,
                lead_unit=e.lead_unit,
                document_no=e.document_no,
                form=e.form,
                text=e.text,
                published_at=e.published_at,
            )
        case domain.ReplyNotPublished() as e:
            return public.ReplyNotPublishedV1(
                proposal_id=e.proposal_id,
                round=e.round,
                lead_unit=e.lead_unit,
                reason=e.reason,
                decided_at=e.decided_at,
            )
    return None
