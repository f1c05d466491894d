"""Power, sample size and minimum detectable effect against R power.t.test and pwr."""

from __future__ import annotations

import math

import pytest

from cm_research.stats import power_paired, power_two_groups

nan = math.nan
# type: 1 two-sample (power.t.test), 2 paired (power.t.test), 3 unequal groups (pwr.t2n.test)
CASES = {
    "two_power": dict(type=1, n=20, n2=20, d=0.5, power=nan, alpha=0.05, sided=2),
    "two_n": dict(type=1, n=nan, n2=nan, d=0.5, power=0.8, alpha=0.05, sided=2),
    "two_mde": dict(type=1, n=25, n2=25, d=nan, power=0.8, alpha=0.05, sided=2),
    "two_one_sided": dict(type=1, n=30, n2=30, d=0.4, power=nan, alpha=0.05, sided=1),
    "paired_power": dict(type=2, n=15, n2=nan, d=0.6, power=nan, alpha=0.05, sided=2),
    "paired_n": dict(type=2, n=nan, n2=nan, d=0.4, power=0.9, alpha=0.05, sided=2),
    "paired_mde": dict(type=2, n=12, n2=nan, d=nan, power=0.8, alpha=0.05, sided=2),
    "unequal_mde": dict(type=3, n=30, n2=60, d=nan, power=0.8, alpha=0.05, sided=2),
    "unequal_power": dict(type=3, n=15, n2=25, d=0.6, power=nan, alpha=0.10, sided=2),
    # edge cases: the smallest designs a t-test allows (2 per group: 2 df; 3 pairs: 2 df), and a huge effect
    "two_power_n2": dict(type=1, n=2, n2=2, d=2.0, power=nan, alpha=0.05, sided=2),
    "paired_power_n3": dict(type=2, n=3, n2=nan, d=1.5, power=nan, alpha=0.05, sided=2),
    "paired_mde_n3": dict(type=2, n=3, n2=nan, d=nan, power=0.8, alpha=0.05, sided=2),
    # an effect so small that the size needed (millions) lies beyond pingouin's search (it returned NaN and
    # we raised "cannot convert float NaN to integer")
    "two_n_tiny": dict(type=1, n=nan, n2=nan, d=0.001, power=0.8, alpha=0.05, sided=2),
    "paired_n_tiny": dict(type=2, n=nan, n2=nan, d=0.001, power=0.8, alpha=0.05, sided=2),
}


def given(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def alternative(case):
    return "two-sided" if CASES[case]["sided"] == 2 else "greater"


@pytest.fixture(scope="module")
def r_ref(r_reference):
    return r_reference("power.R", {k: {name: [v] for name, v in c.items()} for k, c in CASES.items()})


@pytest.mark.r
@pytest.mark.parametrize("case", ["two_power", "two_mde", "two_one_sided", "unequal_mde", "unequal_power",
                                  "two_power_n2"])
def test_two_groups_power_and_mde(r_ref, case):
    # Reference: R power.t.test(strict = TRUE, tol = 1e-10) / pwr::pwr.t2n.test (both tails).
    # Power: absolute 1e-8 (direct noncentral-t evaluation on both sides). Solved d: relative
    # 1e-6 against power.t.test (tol = 1e-10) and against pwr's power function solved in R with
    # uniroot(tol = 1e-12); pwr.t2n.test's own answer (uniroot at its default tolerance, about
    # 1e-4) only to absolute 1e-4.
    if CASES[case]["type"] == 3:
        r_ref.require("pwr")
    c = CASES[case]
    res = power_two_groups(n_treated=c["n"], n_control=c["n2"], d=given(c["d"]), power=given(c["power"]),
                           alpha=c["alpha"], alternative=alternative(case)).iloc[0]
    if math.isnan(c["power"]):
        assert res["solved_for"] == "power"
        assert res["power"] == pytest.approx(r_ref[case]["power"], abs=1e-8)
    else:
        assert res["solved_for"] == "d" and "minimum detectable effect" in res["note"]
        tight = r_ref[case].get("d_tight", r_ref[case]["d"])
        assert res["d"] == pytest.approx(tight, rel=1e-6)
        assert res["d"] == pytest.approx(r_ref[case]["d"], abs=1e-4)


@pytest.mark.r
def test_two_groups_sample_size(r_ref):
    # Reference: power.t.test(delta = 0.5, power = 0.8, strict = TRUE, tol = 1e-10)$n: relative 1e-6;
    # the reported n is that rounded up, and the power reached with it (R: power.t.test(n = 64)).
    res = power_two_groups(d=0.5, power=0.8).iloc[0]
    assert res["n_exact"] == pytest.approx(r_ref["two_n"]["n"], rel=1e-6)
    assert res["n_treated"] == res["n_control"] == math.ceil(r_ref["two_n"]["n"]) == 64
    reached = power_two_groups(n_treated=64, d=0.5).iloc[0]["power"]
    assert res["power"] == reached and reached >= 0.8


@pytest.mark.r
@pytest.mark.parametrize("case", ["paired_power", "paired_n", "paired_mde", "paired_power_n3", "paired_mde_n3"])
def test_paired(r_ref, case):
    # Reference: power.t.test(type = "paired", sd = 1, delta = d_z, strict = TRUE, tol = 1e-10).
    # Power absolute 1e-8; solved n and d_z relative 1e-6.
    c = CASES[case]
    res = power_paired(n_pairs=given(c["n"]), d_z=given(c["d"]), power=given(c["power"]), alpha=c["alpha"]).iloc[0]
    ref = r_ref[case]
    if res["solved_for"] == "power":
        assert res["power"] == pytest.approx(ref["power"], abs=1e-8)
    elif res["solved_for"] == "n":
        assert res["n_exact"] == pytest.approx(ref["n"], rel=1e-6)
        assert res["n_pairs"] == math.ceil(ref["n"])
    else:
        assert res["solved_for"] == "d_z"
        assert res["d_z"] == pytest.approx(ref["d"], rel=1e-6)


def test_exactly_one_unknown():
    with pytest.raises(ValueError, match="leave out exactly one"):
        power_two_groups(n_treated=20, d=0.5, power=0.8)
    with pytest.raises(ValueError, match="leave out exactly one"):
        power_paired(d_z=0.5)
    with pytest.raises(ValueError, match="`power` must be between alpha"):
        power_paired(d_z=0.5, power=80)
    with pytest.raises(ValueError, match="at least 2"):
        power_paired(n_pairs=1, d_z=0.5)


@pytest.mark.r
@pytest.mark.parametrize("case", ["two_n_tiny", "paired_n_tiny"])
def test_sample_size_for_a_tiny_effect(r_ref, case):
    # Reference: power.t.test(delta = 0.001, power = 0.8, strict = TRUE, tol = 1e-10)$n (15.7 million per group;
    # 7.8 million pairs). Relative 1e-7: at millions of df both R and we approximate the noncentral t.
    c = CASES[case]
    if c["type"] == 1:
        res = power_two_groups(d=c["d"], power=c["power"]).iloc[0]
    else:
        res = power_paired(d_z=c["d"], power=c["power"]).iloc[0]
    assert res["n_exact"] == pytest.approx(r_ref[case]["n"], rel=1e-7)
    assert res["power"] >= 0.8


def test_an_effect_of_zero_cannot_be_powered():
    with pytest.raises(ValueError, match="cannot be detected"):
        power_two_groups(d=0.0, power=0.8)
    with pytest.raises(ValueError, match="cannot be detected"):
        power_paired(d_z=-0.3, power=0.8, alternative="greater")
