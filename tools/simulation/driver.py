"""Drive a generated session over HTTP: several processes, each with many proposals in flight.

Each worker process runs an asyncio loop with one aiohttp session and `concurrency` proposals at a
time; a proposal plays its script step by step, as the member, the office and the units would.
Every command attempt is recorded with its status and latency. A command that got no answer, or a
5xx, is sent again with the same Idempotency-Key until it is answered or the deadline passes, as a
real client would; the platform must then apply it once. Steps that happen through events (the
allocation case after 立案, the reply round after 交办, the feedback forms after the replies) are
waited for by polling with a deadline.
"""

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from typing import Any

import aiohttp

from shared.web.identity import Identity, Role, issue_token
from shared.web.keys import SigningKey
from tools.simulation.session import (
    GIVEN,
    PLACES,
    SECTIONS,
    SURNAMES,
    UNITS,
    ProposalScript,
    RoundScript,
    Session,
    document_prefix,
)

Json = dict[str, Any]
WAIT_TIMEOUT = 120.0
"""How long one asynchronous step may take when the drive has no deadline of its own."""
POLL_AT_MOST = 0.5
"""The longest pause between two polls: a slow platform is not loaded further by waiting clients."""
ANSWERS = {
    "A": "已落实，相关工作已基本完成，将持续巩固。",
    "B": "已列入年度工作计划，正在推进落实。",
    "C": "受财力等条件限制，暂时难以解决，将积极创造条件逐步推进。",
}


@dataclass(frozen=True)
class CommandRecord:
    proposal: str
    """The script's key."""
    command: str
    """submit, review, register, allocate, acknowledge, internal-allocation, co-opinion,
    consultation, reply, answer."""
    service: str
    idempotency_key: str
    status: int | None
    """None when no answer came (connection refused or reset, timeout)."""
    started: float
    """time.time() when sent."""
    latency: float
    """Seconds until the answer (or the failure)."""


@dataclass(frozen=True)
class WaitRecord:
    """How long an asynchronous step took to show, seen from the client (e.g. 立案 → allocation case)."""

    proposal: str
    step: str
    seconds: float


@dataclass
class DriveReport:
    records: list[CommandRecord] = field(default_factory=list)
    completed: int = 0
    """Proposals that reached their scripted end (feedback CLOSED or TRACKING)."""
    elapsed: float = 0.0
    """Seconds of driving: the longest of the worker processes, from its first request to its last."""
    incomplete: list[str] = field(default_factory=list)
    """Keys of the proposals that did not reach their end, with `failures` saying why."""
    failures: dict[str, str] = field(default_factory=dict)
    waits: list[WaitRecord] = field(default_factory=list)
    polls: int = 0
    """GETs sent while waiting for asynchronous steps (load on the services besides the commands)."""
    proposal_ids: dict[str, str] = field(default_factory=dict)
    """Script key → the proposal id the platform gave it."""


class StepFailed(Exception):
    """A command was refused (4xx), or an asynchronous step did not show before its deadline."""


async def drive(
    session: Session,
    urls: Mapping[str, str],
    key: SigningKey,
    *,
    processes: int = 2,
    concurrency: int = 64,
    deadline: float | None = None,
    run: str | None = None,
) -> DriveReport:
    """Play every script of `session` against the services at `urls`; `deadline` is a time.time().

    `run` prefixes every idempotency key (a fresh one by default), so the same session can be driven
    twice against the same platform.
    """
    run = run or uuid.uuid4().hex[:8]
    chunks = [session.scripts[i::processes] for i in range(processes)]
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
        futures = [
            loop.run_in_executor(pool, _work, chunk, dict(urls), key.pem(), concurrency, deadline, run)
            for chunk in chunks
            if chunk
        ]
        parts = await asyncio.gather(*futures)
    report = DriveReport()
    for part in parts:
        report.records += part.records
        report.completed += part.completed
        report.incomplete += part.incomplete
        report.failures.update(part.failures)
        report.waits += part.waits
        report.polls += part.polls
        report.proposal_ids.update(part.proposal_ids)
        report.elapsed = max(report.elapsed, part.elapsed)
    return report


def _work(
    scripts: list[ProposalScript],
    urls: dict[str, str],
    pem: bytes,
    concurrency: int,
    deadline: float | None,
    run: str,
) -> DriveReport:
    """One worker process: its share of the scripts on its own event loop (the key comes as PEM)."""
    key = SigningKey.from_pem(pem)
    return asyncio.run(drive_here(scripts, urls, key, concurrency=concurrency, deadline=deadline, run=run))


async def drive_here(
    scripts: Sequence[ProposalScript],
    urls: Mapping[str, str],
    key: SigningKey,
    *,
    concurrency: int = 64,
    deadline: float | None = None,
    run: str = "",
) -> DriveReport:
    """Play `scripts` in this process, `concurrency` at a time."""
    report = DriveReport()
    queue: asyncio.Queue[ProposalScript] = asyncio.Queue()
    for script in scripts:
        queue.put_nowait(script)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        client = Client(http, dict(urls), Tokens(key), report, deadline, run)

        async def worker() -> None:
            while not queue.empty():
                script = queue.get_nowait()
                try:
                    await play(client, script)
                    report.completed += 1
                except StepFailed as error:
                    report.incomplete.append(script.key)
                    report.failures[script.key] = str(error)
                except Exception as error:  # an unexpected answer: this proposal stops, the others go on
                    report.incomplete.append(script.key)
                    report.failures[script.key] = f"{type(error).__name__}: {error}"

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(scripts)))))
        report.elapsed = time.perf_counter() - started
    return report


class Tokens:
    """Signed tokens of the office, the units and the members, made once each."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self._made: dict[tuple[str, str, str | None], str] = {}

    def of(self, role: Role, subject: str, name: str = "", unit: str | None = None) -> str:
        key = (role, subject, unit)
        if key not in self._made:
            identity = Identity(subject=subject, role=role, name=name, unit=unit)
            self._made[key] = issue_token(identity, self.key, timedelta(days=1))
        return self._made[key]

    def office(self) -> str:
        return self.of("office", "office-staff", "提案委工作人员")

    def unit(self, unit: str) -> str:
        return self.of("unit_staff", f"{unit}-staff", f"{UNITS.get(unit).name}工作人员", unit)

    def member(self, member_id: str, name: str) -> str:
        return self.of("proposer", member_id, name)


@dataclass
class Client:
    http: aiohttp.ClientSession
    urls: dict[str, str]
    tokens: Tokens
    report: DriveReport
    deadline: float | None
    run: str

    async def command(
        self, script: ProposalScript, command: str, service: str, path: str, body: Json, token: str, key: str
    ) -> Json:
        """POST until answered; a 2xx gives its body, a 4xx fails the proposal."""
        idempotency_key = f"{self.run}-{script.key}-{key}"
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": idempotency_key}
        pause = 0.05
        while True:
            started, clock = time.time(), time.perf_counter()
            status: int | None = None
            text = ""
            try:
                async with self.http.post(self.urls[service] + path, json=body, headers=headers) as response:
                    status = response.status
                    text = await response.text()
            except (aiohttp.ClientError, TimeoutError) as error:
                text = repr(error)
            self.report.records.append(
                CommandRecord(
                    script.key,
                    command,
                    service,
                    idempotency_key,
                    status,
                    started,
                    time.perf_counter() - clock,
                )
            )
            if status is not None and status < 500 and not _waits(status, text):
                break
            self._check_deadline(f"{command} of {script.key} not answered: {status} {text[:200]}")
            await asyncio.sleep(pause)
            pause = min(pause * 2, 1.0)
        if status >= 300:
            raise StepFailed(f"{command} of {script.key} refused: {status} {text[:500]}")
        result: Json = _json(text)
        return result

    async def wait_for(
        self, script: ProposalScript, step: str, service: str, path: str, ready: Callable[[Json], bool]
    ) -> Json:
        """GET (as the office) until `ready` holds or the deadline passes."""
        headers = {"Authorization": f"Bearer {self.tokens.office()}"}
        limit = time.time() + WAIT_TIMEOUT if self.deadline is None else self.deadline
        started, pause, last = time.perf_counter(), 0.02, "nothing yet"
        while True:
            self.report.polls += 1
            try:
                async with self.http.get(self.urls[service] + path, headers=headers) as response:
                    last = f"{response.status} {(await response.text())[:300]}"
                    if response.status == 200:
                        body: Json = await response.json(content_type=None)
                        if ready(body):
                            self.report.waits.append(
                                WaitRecord(script.key, step, time.perf_counter() - started)
                            )
                            return body
            except (aiohttp.ClientError, TimeoutError) as error:
                last = repr(error)
            if time.time() > limit:
                raise StepFailed(f"{step} of {script.key} did not show in time; last answer: {last}")
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, POLL_AT_MOST)

    def _check_deadline(self, what: str) -> None:
        if self.deadline is not None and time.time() > self.deadline:
            raise StepFailed(what)


def _json(text: str) -> Json:
    loaded: Json = json.loads(text) if text else {}
    return loaded


async def play(client: Client, script: ProposalScript) -> None:
    """The whole lifecycle of one proposal, as its script says."""
    proposal = await submit(client, script)
    client.report.proposal_ids[script.key] = proposal
    await allocate(client, script, proposal)
    for number, round_ in enumerate(script.rounds, start=1):
        await reply(client, script, proposal, number, round_)
        await answer(client, script, proposal, number, round_)
    await client.wait_for(
        script, "closed", "feedback", f"/feedback/{proposal}", lambda f: f["state"] in {"CLOSED", "TRACKING"}
    )


async def submit(client: Client, script: ProposalScript) -> str:
    first = script.proposers[0]
    body = {
        "jurisdiction": script.jurisdiction,
        "kind": script.kind,
        "session": script.session,
        "title": script.title,
        "items": list(script.items),
        "proposers": [
            {"id": m.id, "name": m.name, "phone": m.phone, "role": "领衔" if i == 0 else "联名"}
            for i, m in enumerate(script.proposers)
        ],
        "channel": "online",
    }
    member = client.tokens.member(first.id, first.name)
    submitted = await client.command(script, "submit", "intake", "/proposals", body, member, "submit")
    proposal = str(submitted["proposal_id"])
    office = client.tokens.office()
    path = f"/proposals/{proposal}"
    await client.command(script, "review", "intake", f"{path}/review", {}, office, "review")
    register = {"number": script.number, "category": script.category}
    await client.command(script, "register", "intake", f"{path}/register", register, office, "register")
    return proposal


async def allocate(client: Client, script: ProposalScript, proposal: str) -> None:
    path = f"/allocations/{proposal}"
    await client.wait_for(
        script, "allocation-case", "allocation", path, lambda a: a["state"] == "AWAITING_ALLOCATION"
    )
    reply_due = (date.today() + timedelta(days=90)).isoformat()
    body: Json = {"mode": script.mode, "reply_due": reply_due}
    if script.mode == "分办":
        body["routing"] = [
            {"item": r.item, "lead": r.lead, "co_units": list(r.co_units)} for r in script.routing
        ]
    else:
        body |= {"lead": script.leads[0], "co_units": list(script.co_units)}
    await client.command(script, "allocate", "allocation", path, body, client.tokens.office(), "allocate")
    for unit in (*script.leads, *script.co_units):
        await client.command(
            script,
            "acknowledge",
            "allocation",
            f"{path}/units/{unit}/acknowledge",
            {},
            client.tokens.unit(unit),
            f"ack-{unit}",
        )
    due = (date.today() + timedelta(days=60)).isoformat()
    for unit in script.leads:
        person = _staff(script, unit)
        tasks = [
            {
                "item": n,
                "section": _pick(SECTIONS, script.key, unit),
                "leader": "分管副局长",
                "person": person,
            }
            | {"deadline": due}
            for n in script.items_of(unit)
        ]
        await client.command(
            script,
            "internal-allocation",
            "allocation",
            f"{path}/units/{unit}/internal-allocation",
            {"tasks": tasks},
            client.tokens.unit(unit),
            f"internal-{unit}",
        )


async def reply(
    client: Client, script: ProposalScript, proposal: str, number: int, round_: RoundScript
) -> None:
    path = f"/replies/{proposal}"

    def ready(r: Json) -> bool:
        return bool(r.get("round") == number and r.get("registered"))

    await client.wait_for(script, f"reply-round-{number}", "reply", path, ready)
    if number == 1:
        for unit in script.co_units:
            opinion = {
                "text": f"{UNITS.get(unit).name}将积极配合主办单位办理，意见已函告。",
                "signer": "分管领导",
            }
            await client.command(
                script,
                "co-opinion",
                "reply",
                f"{path}/co-opinions",
                opinion,
                client.tokens.unit(unit),
                f"opinion-{unit}",
            )
        if script.consultation:
            lead = script.leads[0]
            consultation = {
                "held_on": (datetime.now(UTC).date() - timedelta(days=1)).isoformat(),
                "place": _pick(PLACES, script.key, lead),
                "staff": [_staff(script, lead)],
                "member_opinion": "同意答复意见要点",
                "contact_phone": "0473-3998888",
            }
            await client.command(
                script,
                "consultation",
                "reply",
                f"{path}/consultations",
                consultation,
                client.tokens.unit(lead),
                "consultation",
            )
    for unit in script.leads:
        result_class = round_.classes[unit]
        answers = [
            {"item": n, "text": f"关于“{script.items[n - 1]}”：{ANSWERS[result_class]}"}
            for n in script.items_of(unit)
        ]
        prefix = document_prefix(script.jurisdiction, unit)
        body: Json = {
            "document_no": f"{prefix}〔{date.today().year}〕{script.number}号",
            "result_class": result_class,
            "answers": answers,
            "signer": "分管副局长",
            "contact_person": _staff(script, unit),
            "contact_phone": "0473-3998888",
        }
        await client.command(
            script,
            "reply",
            "reply",
            f"{path}/reply",
            body,
            client.tokens.unit(unit),
            f"reply-{number}-{unit}",
        )


async def answer(
    client: Client, script: ProposalScript, proposal: str, number: int, round_: RoundScript
) -> None:
    proposers = len(script.proposers)

    def forms_open(f: Json) -> bool:
        forms = f.get("forms", [])
        return (
            f["state"] == "AWAITING_FEEDBACK"
            and f["round"] == number
            and len(forms) == proposers
            and all(form.get("token") for form in forms)
        )

    feedback = await client.wait_for(
        script, f"feedback-round-{number}", "feedback", f"/feedback/{proposal}", forms_open
    )
    tokens = {form["proposer_id"]: form["token"] for form in feedback["forms"]}
    for member, satisfaction in zip(script.proposers, round_.satisfaction, strict=True):
        form = f"/feedback/forms/{tokens[member.id]}"
        await client.wait_for(
            script, "form-link", "feedback", form, lambda f: bool(f["open"]) and f["round"] == number
        )
        body = {
            "satisfaction": satisfaction,
            "opinion": "答复不够具体" if satisfaction == "不满意" else "办理认真",
        }
        await client.command(
            script,
            "answer",
            "feedback",
            form,
            body,
            client.tokens.member(member.id, member.name),
            f"answer-{number}-{member.id}",
        )


def _staff(script: ProposalScript, unit: str) -> str:
    """A stable name for the unit's person in charge of this proposal."""
    digest = hashlib.blake2b(f"{script.key}:{unit}".encode(), digest_size=4).digest()
    return SURNAMES[digest[0] % len(SURNAMES)] + GIVEN[digest[1] % len(GIVEN)] + GIVEN[digest[2] % len(GIVEN)]


def _pick(choices: Sequence[str], *parts: str) -> str:
    digest = hashlib.blake2b(":".join(parts).encode(), digest_size=2).digest()
    return choices[int.from_bytes(digest) % len(choices)]


async def ceiling(url: str, requests: int = 20_000, *, processes: int = 2, concurrency: int = 64) -> float:
    """Requests/s this driver's client reaches with GETs of `url` (e.g. a service's /health).

    The same processes, loops and aiohttp sessions as `drive`: when this is well above a session's
    command rate, the client was not what limited the session.
    """
    shares = [len(range(p, requests, processes)) for p in range(processes)]
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
        futures = [loop.run_in_executor(pool, _hammer, url, n, concurrency) for n in shares if n]
        results = await asyncio.gather(*futures)
    return sum(answered for answered, _ in results) / max(seconds for _, seconds in results)


def _hammer(url: str, requests: int, concurrency: int) -> tuple[int, float]:
    """One process's share: how many got a 2xx, and in how many seconds (without the spawn)."""
    started = time.perf_counter()
    answered = asyncio.run(_gets(url, requests, concurrency))
    return answered, time.perf_counter() - started


async def _gets(url: str, requests: int, concurrency: int) -> int:
    """GET `url` `requests` times, `concurrency` at a time; how many got a 2xx."""
    remaining = iter(range(requests))
    answered = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker() -> None:
            nonlocal answered
            for _ in remaining:
                async with http.get(url) as response:
                    await response.read()
                    answered += response.status < 300

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return answered


WAITING_STATES = frozenset({"AWAITING_REGISTRATION"})
"""States a service answers 409 with while a message it needs is on its way: sent again shortly."""


def _waits(status: int, text: str) -> bool:
    if status != 409:
        return False
    try:
        body = json.loads(text)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("current_state") in WAITING_STATES
