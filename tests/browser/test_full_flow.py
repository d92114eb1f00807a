"""The web pages in headless Chromium: 乌海 第60号 from the office dashboard through 市商务局's workbench
(签收, 内部交办, 答复) to the member's 满意 on the feedback link, and the proposal page showing it closed.

Screenshots of every step are kept in test-artifacts/browser/.
"""

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from shared.settings import ServiceSettings
from tests.processes import ROOT, free_port_block, running, wait_healthy
from tools.demo.client import Actor, Platform

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
NAMES = ["intake", "allocation", "reply", "feedback", "views"]
ITEMS = [
    "信用乌海家政综合服务平台已于2022年6月正式启动，统一归集、管理、公开家政信息。",
    "推动家政服务融入社区党群服务中心，打通家政服务“最后一公里”。",
    "依托职业院校开展家政技能培训，持续提升从业人员素质。",
    "市家政服务行业协会组织34家大型家政企业入会，加强行业自律。",
]
TITLE = "关于推动家政服务业发展的提案"


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; CI=true: the browser test must run")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[str, Platform]]:
    """The embedded platform as a process; the views' forms forward to the services on its ports."""
    base = free_port_block(len(NAMES))
    urls = {name: f"http://127.0.0.1:{base + i}" for i, name in enumerate(NAMES)}
    env = {f"{name.upper()}_URL": urls[name] for name in NAMES[:4]}
    with running(["-m", "runtime", "--port-base", str(base)], cwd=tmp_path, env=env) as process:
        for url in urls.values():
            wait_healthy(f"{url}/health", process)
        client = Platform(urls, ServiceSettings().signing_key())
        try:
            yield urls["views"], client
        finally:
            client.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def reload_until(page: Page, url: str, ready: Callable[[Page], bool], timeout: float = 20) -> None:
    """Open `url` again until the page shows what the projections will have caught up with."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if ready(page):
            return
        if time.monotonic() > deadline:
            shot(page, "failed-" + url.rsplit("/", 1)[-1])
            raise AssertionError(f"{url} did not show the expected state within {timeout} s")
        page.wait_for_timeout(100)


def log_in(page: Page, views: str, role: str, name: str, unit: str = "") -> None:
    page.goto(f"{views}/logout")
    page.select_option("#role", role)
    if unit:
        page.select_option("#unit", unit)
    page.fill("#name", name)
    page.click("button[type=submit]")


def open_form(page: Page, proposal_id: str, form: str) -> None:
    section = page.locator(f"section[data-proposal='{proposal_id}']")
    section.locator(f"details:has(form[name='{form}'])").evaluate("d => d.open = true")


def register_and_allocate_wuhai_60(client: Platform) -> str:
    office = client.as_office()
    member = client.as_member("wuhai-liujianfeng", "刘建峰")
    submitted = member.post(
        "intake",
        "/proposals",
        {
            "jurisdiction": "wuhai",
            "kind": "proposal",
            "session": "市政协十届四次会议",
            "title": TITLE,
            "items": [
                "融入智慧平台，推动家政服务业数智化",
                "融入党群服务，推动家政服务进社区",
                "加强技能培训，提升家政从业人员素质",
                "加强行业自律，规范家政服务市场",
            ],
            "proposers": [
                {"id": "wuhai-liujianfeng", "name": "刘建峰", "phone": "15144738888", "role": "领衔"}
            ],
            "channel": "online",
        },
    )
    proposal = str(submitted["proposal_id"])
    office.post("intake", f"/proposals/{proposal}/review", {})
    office.post("intake", f"/proposals/{proposal}/register", {"number": "60", "category": "经济建设"})
    office.wait_for("allocation", f"/allocations/{proposal}", lambda a: a["state"] == "AWAITING_ALLOCATION")
    office.post("allocation", f"/allocations/{proposal}", {"mode": "独办", "lead": "市商务局"})
    return proposal


def feedback_token(office: Actor, proposal: str) -> str:
    feedback = office.wait_for(
        "feedback", f"/feedback/{proposal}", lambda f: f["state"] == "AWAITING_FEEDBACK"
    )
    return str(feedback["forms"][0]["token"])


@pytest.mark.timeout(240)
def test_shangwu_handles_wuhai_60_through_the_pages_and_liu_jianfeng_is_satisfied(
    browser: Browser, platform: tuple[str, Platform]
) -> None:
    views, client = platform
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")

    log_in(page, views, "office", "提案委工作人员")
    expect(page.locator("h1")).to_contain_text("提案办理总览")
    shot(page, "01-office-dashboard-empty")

    proposal = register_and_allocate_wuhai_60(client)
    reload_until(page, f"{views}/", lambda p: TITLE in p.content())
    shot(page, "02-office-dashboard-allocated")

    log_in(page, views, "unit_staff", "张伟", unit="shangwu")
    workbench = f"{views}/units/shangwu"
    reload_until(page, workbench, lambda p: p.locator(f"section[data-proposal='{proposal}']").count() == 1)
    expect(page.locator("#inbox")).to_contain_text(TITLE)
    shot(page, "03-shangwu-inbox")

    open_form(page, proposal, "acknowledge")
    page.locator(f"section[data-proposal='{proposal}'] form[name='acknowledge'] button").click()
    expect(page.locator("#result")).to_have_text("已签收")
    shot(page, "04-shangwu-acknowledged")

    open_form(page, proposal, "internal-allocation")
    form = page.locator(f"section[data-proposal='{proposal}'] form[name='internal-allocation']")
    for row in range(len(ITEMS)):
        form.locator("input[name='section']").nth(row).fill("商贸流通科")
        form.locator("input[name='leader']").nth(row).fill("王副局长")
        form.locator("input[name='person']").nth(row).fill("张伟")
        form.locator("input[name='deadline']").nth(row).fill("2025-06-01")
    shot(page, "05-shangwu-internal-allocation-form")
    form.locator("button").click()
    expect(page.locator("#result")).to_have_text("已内部交办")

    client.as_unit("shangwu", "张伟").wait_for("reply", f"/replies/{proposal}", lambda r: r.get("round") == 1)
    page.goto(workbench)
    open_form(page, proposal, "reply")
    form = page.locator(f"section[data-proposal='{proposal}'] form[name='reply']")
    form.locator("input[name='document_no']").fill("乌商务发〔2025〕26号")
    form.locator("select[name='result_class']").select_option("A")
    for row, text in enumerate(ITEMS):
        form.locator("textarea[name='answer']").nth(row).fill(text)
    form.locator("input[name='signer']").fill("分管领导")
    form.locator("input[name='contact_person']").fill("张伟")
    form.locator("input[name='contact_phone']").fill("0473-3998888")
    shot(page, "06-shangwu-reply-form")
    form.locator("button").click()
    expect(page.locator("#result")).to_have_text("答复已提交")
    shot(page, "07-shangwu-replied")

    token = feedback_token(client.as_office(), proposal)
    member = browser.new_page(viewport={"width": 900, "height": 800}, locale="zh-CN")
    reload_until(member, f"{views}/forms/{token}", lambda p: p.locator("input[value='满意']").count() == 1)
    expect(member.locator("section.card")).to_contain_text(TITLE)
    member.check("input[value='满意']")
    member.fill("textarea[name='opinion']", "办理认真")
    shot(member, "08-member-form")
    member.click("button[type=submit]")
    expect(member.locator("h1")).to_have_text("感谢您的反馈")
    shot(member, "09-member-thanks")

    reload_until(
        page, f"{views}/proposals/{proposal}", lambda p: p.locator("#state").inner_text() == "已办结"
    )
    expect(page.locator("#timeline")).to_contain_text("乌商务发〔2025〕26号")
    expect(page.locator("#feedback")).to_contain_text("满意")
    shot(page, "10-proposal-closed")
