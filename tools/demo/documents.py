"""The official documents of a story, downloaded from the services as a user would and written under
`demo-output/`: the 答复函 (PDF and DOCX) of each round, the 征询意见表 of each round, and the 面商记录表."""

from dataclasses import dataclass
from pathlib import Path

from tools.demo.client import Actor

OUTPUT = Path("demo-output")


@dataclass(frozen=True)
class StoryDocuments:
    """What to fetch for one proposal of a story, and where to write it."""

    folder: str
    proposal_id: str
    lead_unit: str
    proposer_id: str
    rounds: int
    consultation: bool


def write(office: Actor, lead: Actor, story: StoryDocuments, root: Path = OUTPUT) -> list[Path]:
    """Every document of `story`, written under `root/story.folder`; the paths written."""
    folder = root / story.folder
    folder.mkdir(parents=True, exist_ok=True)
    base = f"/replies/{story.proposal_id}"
    wanted: list[tuple[Actor, str, str, str]] = []
    for round_ in range(1, story.rounds + 1):
        for kind in ("pdf", "docx"):
            path = f"{base}/rounds/{round_}/letters/{story.lead_unit}.{kind}"
            wanted.append((lead, "reply", path, f"reply-letter-round-{round_}.{kind}"))
        form = f"/feedback/{story.proposal_id}/forms/{story.proposer_id}.pdf?round={round_}"
        wanted.append((office, "feedback", form, f"feedback-form-round-{round_}.pdf"))
    if story.consultation:
        record = f"{base}/consultation-records/{story.lead_unit}.pdf"
        wanted.append((lead, "reply", record, "consultation-record.pdf"))
    written = []
    for actor, service, path, name in wanted:
        target = folder / name
        target.write_bytes(actor.download(service, path))
        written.append(target)
    return written
