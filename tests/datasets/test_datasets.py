"""The bundled synthetic demo is reproducible from its seed, labelled synthetic, and shaped as promised."""

import filecmp

import pandas as pd

from cm_research.data import load_evaluation
from cm_research.datasets import (DEMO_FILES, DEMO_SEED, DEMO_SITES, dataset_path, list_datasets, load_dataset,
                                  write_demo, write_demo_dataset)


def test_bundled_demo_is_exactly_what_the_generator_writes(tmp_path):
    fresh = write_demo_dataset(tmp_path / "demo", seed=DEMO_SEED)
    bundled = dataset_path("demo")
    for spec in DEMO_SITES:
        for name in (*DEMO_FILES, "SYNTHETIC.txt"):
            assert filecmp.cmp(fresh / spec.slug / name, bundled / spec.slug / name, shallow=False), (spec.slug, name)


def test_another_seed_gives_other_data(tmp_path):
    a = write_demo(tmp_path / "a", seed=1)
    b = write_demo(tmp_path / "b", seed=2)
    assert (a / "westbury" / "outcomes.csv").read_text() != (b / "westbury" / "outcomes.csv").read_text()


def test_everything_is_labelled_synthetic():
    index = list_datasets()
    # the only non-synthetic entries are published study-level tables, each with its SOURCE.md citation
    for name in index.loc[~index["synthetic"], "name"]:
        assert "Published study-level data" in index.set_index("name").loc[name, "description"]
        assert "not synthetic" in (dataset_path(name) / "SOURCE.md").read_text()
    for name in index.loc[index["synthetic"], "name"]:
        assert (dataset_path(name) / "SYNTHETIC.txt").exists(), name
    tables = load_dataset("demo")
    assert tables["participants"]["participant_id"].str.startswith("SYN-").all()
    for spec in DEMO_SITES:
        assert "SYNTHETIC DATA" in (dataset_path("demo") / spec.slug / "SYNTHETIC.txt").read_text()


def test_three_sites_of_40_to_120_with_both_groups_and_some_missing_follow_ups():
    tables = load_dataset("demo")
    p, o = tables["participants"], tables["outcomes"]
    sizes = p.drop_duplicates("participant_id").groupby("site").size()
    assert len(sizes) == 3 and sizes.between(40, 120).all()
    assert set(p["group"]) == {"mentored", "comparison"}
    base = o[o["timepoint"] == "baseline"].groupby("participant_id").size()
    post = o[o["timepoint"] == "post"].groupby("participant_id").size()
    lost = set(base.index) - set(post.index)
    assert 0.05 < len(lost) / len(base) < 0.4


def test_only_easton_has_planted_mistakes():
    for spec in DEMO_SITES:
        evaluation = load_evaluation(dataset_path("demo") / spec.slug)
        errors = evaluation.problems[evaluation.problems["severity"] == "error"]
        if spec.plant_invalid_rows:
            assert {"unique", "type", "enum", "maximum", "foreign_key"} <= set(errors["rule"])
        else:
            assert errors.empty, spec.slug


def test_the_built_in_effect_is_modest_and_in_the_right_direction():
    tables = load_dataset("demo")
    o = tables["outcomes"][tables["outcomes"]["measure"] == "attendance_pct"].copy()
    o["value"] = pd.to_numeric(o["value"], errors="coerce")
    wide = o.pivot_table(index="participant_id", columns="timepoint", values="value").dropna()
    groups = tables["participants"].drop_duplicates("participant_id").set_index("participant_id")["group"]
    change = (wide["post"] - wide["baseline"]).groupby(groups).mean()
    assert 0 < change["mentored"] - change["comparison"] < 8
