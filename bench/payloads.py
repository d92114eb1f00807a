"""The payloads of the benchmark: a submitted proposal's JSON, from the seeds' titles and items.

Kept apart from the measurements so that a load process, which imports the request factory it is
given, imports nothing heavy.
"""

from dataclasses import dataclass
from typing import Any

from bench.load import Request

TITLES = (
    "关于巩固脱贫攻坚成果，推进脱贫攻坚与乡村振兴战略有效衔接的建议",
    "关于引导社会组织参与社区治理的建议",
    "关于加快发展养老服务业的建议",
    "关于进一步优化营商环境的提案",
    "关于加强城乡低保精准动态管理的提案",
)

ITEMS = (
    "保证脱贫扶持政策的连续性。落实贫困人口低保倾斜政策，对已脱贫人口要做到“脱贫不脱政策”。",
    "对城乡低保进行精准动态管理，确保符合条件的群众及时被纳入，不符合条件的群众及时退出。",
)


def sample_event(index: int) -> dict[str, Any]:
    """A payload the size and shape of a submitted proposal (Chinese title and items, proposers)."""
    return {
        "proposal_id": f"bench-{index}",
        "jurisdiction": "zhongwei",
        "kind": "proposal",
        "session": "四届五次",
        "title": TITLES[index % len(TITLES)],
        "items": [{"text": text} for text in ITEMS],
        "proposers": [{"name": "孔繁银", "role": "lead"}, {"name": "孙雪斌", "role": "joint"}],
        "channel": "online",
        "submitted_by": f"member-{index % 500}",
        "at": "2026-01-15T09:30:00+08:00",
    }


@dataclass(frozen=True)
class InsertRequests:
    """Unique rows for the raw app."""

    url: str

    def __call__(self, index: int) -> Request:
        return Request("POST", self.url, json=sample_event(index))
