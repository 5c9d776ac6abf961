"""The failure drills at a size CI can afford (DESIGN §10): each fails on outcome counts, never on
times. `scripts/drill` runs the same drills at full size and prints their table."""

import json

import drills


def assert_clean(outcome, launched):
    wrong = drills.problems(outcome, launched)
    counts = {key: value for key, value in outcome.items() if key != "evidence"}
    # The evidence (each failed action's events and log lines) is what a flake needs to be explained.
    assert wrong == [], "\n".join(wrong + [json.dumps(counts), outcome.get("evidence", "no evidence")])


def test_kill_storm_loses_no_action_and_deploys_once_per_wave():
    outcome = drills.kill_storm(groups=4, per_group=3, hook_seconds=10, kills=16, timeout=240)
    assert_clean(outcome, launched=12)


def test_fault_storm_with_the_account_clock_20_minutes_ahead():
    outcome = drills.fault_storm(skew_seconds=1200, groups=2, per_group=3, hook_seconds=10, timeout=240)
    assert_clean(outcome, launched=6)


def test_fault_storm_with_the_account_clock_20_minutes_behind():
    outcome = drills.fault_storm(skew_seconds=-1200, groups=2, per_group=3, hook_seconds=10, timeout=240)
    assert_clean(outcome, launched=6)


def test_one_bad_group_stays_alone():
    outcome = drills.one_bad_group(groups=5, per_group=2, hook_seconds=10, timeout=180)
    assert_clean(outcome, launched=6)
    assert outcome["bad groups' actions expired"] == 0, outcome
    assert outcome["readyz status"] == 200, outcome
    assert outcome["readyz names the refused group"], outcome
    assert outcome["failing groups in /metrics"] == "shop/g0", outcome
    assert outcome["refused group logged once"] == 1, outcome
    assert outcome["held group heartbeated"], outcome
    assert outcome["held group reported"], outcome
