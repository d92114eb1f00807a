"""Handling rules are per jurisdiction and kind: defaults from DOMAIN.md, overrides per city."""

import datetime as dt
import shutil
from pathlib import Path

import pytest

from shared.rules.policy import (
    LONG_TEXT,
    PolicyError,
    Text,
    TextTooLong,
    UnknownNotRegisteredReason,
    UnknownResultClass,
    UnknownSatisfaction,
    load_policy,
)

POLICY_DIR = Path(__file__).resolve().parents[2] / "deploy" / "policy"


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    """A copy of the deployed default.toml to write broken jurisdiction files beside."""
    shutil.copy(POLICY_DIR / "default.toml", tmp_path / "default.toml")
    return tmp_path


@pytest.mark.parametrize("kind", ["proposal", "suggestion"])
def test_wuhai_follows_the_defaults_for_both_kinds(kind: str) -> None:
    policy = load_policy(POLICY_DIR, "wuhai", kind)  # type: ignore[arg-type]
    assert policy.name == "乌海市"
    assert policy.jurisdiction == "wuhai"
    assert policy.kind == kind
    assert policy.reply_months == 3
    assert policy.extended_reply_months == 6
    assert policy.adjustment_request_working_days == 7
    assert policy.adjustment_decision_days == 7
    assert policy.co_opinion_months == 1
    assert policy.first_contact_working_days == 15
    assert policy.feedback_return_working_days == 15
    assert policy.rehandling_months == 1
    assert policy.publication_working_days == 20
    assert policy.reply_deadline is None
    assert [(c.code, c.label) for c in policy.result_classes] == [
        ("A", "已解决或基本解决"),
        ("B", "正在解决或列入计划"),
        ("C", "因条件限制暂时不能解决"),
    ]
    assert policy.satisfaction.labels == ("满意", "基本满意", "不满意")
    assert len(policy.not_registered_reasons) == 9


def test_zhongwei_proposals_have_the_fixed_deadline_of_the_allocation_notice() -> None:
    proposal = load_policy(POLICY_DIR, "zhongwei", "proposal")
    assert proposal.name == "中卫市"
    assert proposal.reply_deadline == dt.date(2021, 9, 30)
    assert proposal.reply_months == 3


def test_zhongwei_suggestions_keep_the_computed_deadline() -> None:
    assert load_policy(POLICY_DIR, "zhongwei", "suggestion").reply_deadline is None


def test_jincheng_gives_proposers_20_working_days_for_the_feedback_form() -> None:
    proposal = load_policy(POLICY_DIR, "jincheng", "proposal")
    assert proposal.name == "晋城市"
    assert proposal.feedback_return_working_days == 20
    assert proposal.first_contact_working_days == 15
    assert load_policy(POLICY_DIR, "jincheng", "suggestion").feedback_return_working_days == 15


def test_bijiao_manyi_on_the_wuhai_form_counts_as_jiben_manyi() -> None:
    policy = load_policy(POLICY_DIR, "wuhai", "proposal")
    assert policy.normalise_satisfaction("比较满意") == "基本满意"
    assert policy.normalise_satisfaction("满意") == "满意"
    assert policy.normalise_satisfaction(" 不满意\n") == "不满意"


def test_an_unknown_satisfaction_label_is_refused_naming_it() -> None:
    policy = load_policy(POLICY_DIR, "wuhai", "proposal")
    with pytest.raises(UnknownSatisfaction, match="非常满意"):
        policy.normalise_satisfaction("非常满意")


def test_result_classes_are_checked() -> None:
    policy = load_policy(POLICY_DIR, "wuhai", "proposal")
    assert policy.result_class("A").label == "已解决或基本解决"
    with pytest.raises(UnknownResultClass, match="'D'"):
        policy.result_class("D")


def test_reasons_for_not_registering_come_from_the_national_list() -> None:
    policy = load_policy(POLICY_DIR, "jincheng", "proposal")
    assert policy.not_registered_reason("state_secret").label == "涉及国家秘密"
    with pytest.raises(UnknownNotRegisteredReason, match="too_long"):
        policy.not_registered_reason("too_long")


def test_a_policy_is_frozen() -> None:
    policy = load_policy(POLICY_DIR, "wuhai", "proposal")
    with pytest.raises(ValueError, match="frozen"):
        policy.reply_months = 4  # type: ignore[misc]


def test_a_malformed_value_is_refused_naming_the_file_and_field(policy_dir: Path) -> None:
    (policy_dir / "broken.toml").write_text('name = "某市"\n[proposal]\nreply_months = "three"\n')
    with pytest.raises(PolicyError, match=r"broken\.toml: field 'proposal\.reply_months'"):
        load_policy(policy_dir, "broken", "proposal")


def test_a_misspelt_field_is_refused_naming_it(policy_dir: Path) -> None:
    (policy_dir / "broken.toml").write_text('name = "某市"\n[proposal]\nreply_month = 2\n')
    with pytest.raises(PolicyError, match=r"broken\.toml: field 'proposal\.reply_month'"):
        load_policy(policy_dir, "broken", "proposal")


def test_a_synonym_pointing_nowhere_is_refused(policy_dir: Path) -> None:
    (policy_dir / "broken.toml").write_text(
        'name = "某市"\n[proposal.satisfaction]\nsynonyms = { "比较满意" = "还行" }\n'
    )
    with pytest.raises(PolicyError, match=r"broken\.toml: field 'proposal\.satisfaction'.*还行"):
        load_policy(policy_dir, "broken", "proposal")


def test_a_jurisdiction_without_a_file_is_refused_naming_it() -> None:
    with pytest.raises(PolicyError, match="'baotou'"):
        load_policy(POLICY_DIR, "baotou", "proposal")


@pytest.mark.parametrize("kind", ["proposal", "suggestion"])
def test_every_jurisdiction_has_the_default_text_limits(kind: str) -> None:
    limits = load_policy(POLICY_DIR, "wuhai", kind).limits  # type: ignore[arg-type]
    assert (limits.title, limits.item, limits.answer, limits.opinion) == (100, 10_000, 20_000, 5_000)
    assert (limits.reason, limits.note, limits.name, limits.code) == (2_000, 5_000, 100, 50)


def test_a_jurisdiction_sets_a_limit_of_its_own_and_keeps_the_others(policy_dir: Path) -> None:
    (policy_dir / "baotou.toml").write_text('name = "包头市"\n[proposal.limits]\ntitle = 60\n')
    limits = load_policy(policy_dir, "baotou", "proposal").limits
    assert (limits.title, limits.item) == (60, 10_000)
    assert load_policy(policy_dir, "baotou", "suggestion").limits.title == 100


def test_a_limit_beyond_what_any_request_may_carry_is_refused_naming_it(policy_dir: Path) -> None:
    (policy_dir / "broken.toml").write_text(f'name = "某市"\n[proposal.limits]\nanswer = {LONG_TEXT + 1}\n')
    with pytest.raises(PolicyError, match=r"broken\.toml: field 'proposal\.limits\.answer'"):
        load_policy(policy_dir, "broken", "proposal")


def test_a_text_one_character_over_its_limit_is_refused_naming_the_field() -> None:
    limits = load_policy(POLICY_DIR, "jincheng", "proposal").limits
    title = "关于加强社区养老服务体系建设的建议" + "养" * 84  # 101 characters
    limits.check([Text("title", "title", title[:100])])

    with pytest.raises(TextTooLong) as refused:
        limits.check([Text("items.0", "item", "一"), Text("title", "title", title)])

    assert refused.value.status == 422
    assert refused.value.extra == {"field": "title", "rule": "at most 100 characters", "max_length": 100}
    assert refused.value.detail == "title: 101 characters; at most 100 are accepted"
