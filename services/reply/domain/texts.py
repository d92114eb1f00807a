"""Every text a person writes into a reply command, named as the request names it, with the kind of
limit the jurisdiction's policy sets for it (`[<kind>.limits]`)."""

from collections.abc import Iterator

from services.reply.domain.commands import (
    ChangeResultClass,
    Command,
    DecideNotToPublish,
    IssueReply,
    OverrideCoOpinions,
    PublishReply,
    RecordConsultation,
    SubmitCoOpinion,
)
from shared.rules.policy import Text


def texts(command: Command) -> Iterator[Text]:
    match command:
        case SubmitCoOpinion():
            yield Text("text", "answer", command.text)
            yield Text("signer", "name", command.signer)
        case RecordConsultation():
            yield Text("place", "name", command.place)
            for index, person in enumerate(command.staff):
                yield Text(f"staff.{index}", "name", person)
            yield Text("member_opinion", "opinion", command.member_opinion)
            yield Text("contact_phone", "code", command.contact_phone)
        case IssueReply():
            yield Text("document_no", "code", command.document_no)
            for index, answer in enumerate(command.answers):
                yield Text(f"answers.{index}.text", "answer", answer.text)
            yield Text("signer", "name", command.signer)
            yield Text("contact_person", "name", command.contact_person)
            yield Text("contact_phone", "code", command.contact_phone)
            yield Text("promise", "note", command.promise)
        case OverrideCoOpinions() | ChangeResultClass() | DecideNotToPublish():
            yield Text("reason", "reason", command.reason)
        case PublishReply():
            yield Text("text", "publication", command.text)
