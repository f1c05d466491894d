"""The mentors and matches tables of the data dictionary, the seeded synthetic mentors and matches, and the
proposed command line."""

import argparse

import pandas as pd
import pytest

from cm_research.data import load_table
from cm_research.datasets import DEMO_SEED, DEMO_SITES, generate_site
from cm_research.datasets.mentors import write_demo_mentors, write_mentor_tables
from cm_research.dictionary import load_schema
from cm_research.mentors import match_table
from cm_research.mentors.cli import add_commands

PEOPLE = pd.DataFrame({"participant_id": ["YP-01", "YP-02"]})
MENTORS_CSV = ("mentor_id,site,occupation,interests,skills,about,settings,capacity,available,dbs_checked\n"
               "M-01,Testshire,council planning officer,football; Music,cv writing,I like maps.,"
               "community; online,2,yes,yes\n"
               "M-02,Testshire,library assistant,reading,,,,,no,yes\n")


def test_schemas_have_the_fields_keys_and_rules():
    mentors, matches = load_schema("mentors"), load_schema("matches")
    assert {"mentor_id", "site", "occupation", "interests", "skills", "capacity",
            "available"} <= set(mentors.field_names)
    assert not {"name", "email", "phone"} & set(mentors.field_names)  # no names or contact details
    assert mentors.primary_key == ("mentor_id",) and mentors.identifier_fields == ["mentor_id"]
    assert mentors.field("mentor_id").pattern == load_schema("participants").field("participant_id").pattern
    assert mentors.field("capacity").minimum == 1 and mentors.field("interests").type == "list"
    assert matches.field_names == ["match_id", "participant_id", "mentor_id", "match_start", "match_end",
                                   "ended_early", "end_reason"]
    assert [(fk.fields, fk.resource) for fk in matches.foreign_keys] == [(("participant_id",), "participants"),
                                                                       (("mentor_id",), "mentors")]
    assert matches.field("match_end").not_before == "match_start"
    assert matches.field("end_reason").enum == ("planned_ending", "young_person_chose", "mentor_left",
                                                "placement_move", "other")
    for schema in (mentors, matches):
        for field in schema.fields:
            assert field.title.strip() and len(field.description.split()) >= 6, field.name


def test_a_good_mentors_file_loads_typed(tmp_path):
    path = tmp_path / "mentors.csv"
    path.write_text(MENTORS_CSV)
    loaded = load_table(path, "mentors")
    assert loaded.problems.empty, loaded.problems.to_string()
    assert loaded.data["interests"].iloc[0] == ("football", "Music")
    assert loaded.data["available"].tolist() == [True, False]
    assert loaded.data["capacity"].iloc[0] == 2 and pd.isna(loaded.data["capacity"].iloc[1])


def test_bad_matches_are_named_by_file_row_and_column(tmp_path):
    (tmp_path / "mentors.csv").write_text(MENTORS_CSV)
    mentors = load_table(tmp_path / "mentors.csv", "mentors").data
    path = tmp_path / "matches.csv"
    path.write_text("match_id,participant_id,mentor_id,match_start,match_end,ended_early,end_reason\n"
                    "YP-01-1,YP-01,M-01,01/09/2023,01/12/2023,no,planned_ending\n"  # row 2: fine
                    "YP-02-1,YP-02,M-07,01/09/2023,,,\n"                              # row 3: no such mentor
                    "YP-02-2,YP-02,M-02,01/09/2023,01/08/2023,yes,bored\n")          # row 4: end < start, reason
    loaded = load_table(path, "matches", references={"participants": PEOPLE, "mentors": mentors})
    found = {(r.file, int(r.row), r.column, r.rule) for r in loaded.problems.itertuples()}
    assert found == {("matches.csv", 3, "mentor_id", "foreign_key"), ("matches.csv", 4, "match_end", "not_before"),
                     ("matches.csv", 4, "end_reason", "blanked_enum")}
    message = loaded.problems.set_index("row").loc[3, "message"]
    assert message == "'M-07' is not in the mentors table"
    assert loaded.data.index.tolist() == [2]  # the bad rows are quarantined, not silently dropped
    assert len(loaded.quarantine) == 2


@pytest.fixture(scope="module")
def demo_tables(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo_mentors(folder)
    tables = {}
    for spec in DEMO_SITES:
        participants = generate_site(spec, DEMO_SEED)["participants"]
        people_file = folder / spec.slug / "participants.csv"
        participants.to_csv(people_file, index=False)
        people = load_table(people_file, "participants")
        mentors = load_table(folder / spec.slug / "mentors.csv", "mentors")
        matches = load_table(folder / spec.slug / "matches.csv", "matches",
                             references={"participants": people.data, "mentors": mentors.data})
        tables[spec.slug] = (people, mentors, matches)
    return folder, tables


def test_synthetic_mentors_and_matches_are_valid_and_consistent(demo_tables):
    _, tables = demo_tables
    for slug, (people, mentors, matches) in tables.items():
        assert mentors.problems.empty and matches.problems.empty, slug
        assert mentors.data["mentor_id"].str.match(r"^SYN-M-[A-Z]{2}-\d{2}$").all()
        mentored = people.data[(people.data["group"] == "mentored") & people.data["start_date"].notna()]
        m = matches.data
        assert set(m["participant_id"]) == set(mentored["participant_id"])  # every mentored young person
        first = m.sort_values("match_start").groupby("participant_id").first()
        last = m.sort_values("match_start").groupby("participant_id").last()
        person = mentored.set_index("participant_id")
        assert (first["match_start"] == person.loc[first.index, "start_date"]).all()  # their start date
        same_end = (last["match_end"] == person.loc[last.index, "end_date"]) | (
            last["match_end"].isna() & person.loc[last.index, "end_date"].isna())
        assert same_end.all()
        # a mentor never has more young people at once than their capacity
        capacity = mentors.data.set_index("mentor_id")["capacity"].fillna(1)
        far = pd.Timestamp(2100, 1, 1)
        for mentor, rows in m.groupby("mentor_id"):
            ends = rows["match_end"].fillna(far)
            for start in rows["match_start"]:
                assert ((rows["match_start"] <= start) & (ends >= start)).sum() <= capacity[mentor], mentor
    assert sum((t[2].data.groupby("participant_id").size() > 1).sum() for t in tables.values()) >= 2  # rematches


def test_synthetic_relation_more_shared_interests_fewer_early_endings(demo_tables):
    _, tables = demo_tables
    table = pd.concat([match_table(matches.data, people.data, mentors.data, as_of="2024-09-01")
                       for people, mentors, matches in tables.values()])
    ended = table[table["event"] == 1]
    early = ended.groupby(ended["n_shared"] >= 1)["ended_early"].mean()
    assert early[True] < early[False]


def test_synthetic_tables_are_reproducible_from_the_seed(tmp_path, demo_tables):
    folder, _ = demo_tables
    spec = DEMO_SITES[0]
    mentors, matches = write_mentor_tables(tmp_path / spec.slug, spec, DEMO_SEED)
    assert mentors.read_text() == (folder / spec.slug / "mentors.csv").read_text()
    assert matches.read_text() == (folder / spec.slug / "matches.csv").read_text()
    assert "Synthetic profile" in mentors.read_text()


def _cli(argv):
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_rank_mentors_and_propose_matches(demo_tables, tmp_path, capsys):
    folder, tables = demo_tables
    site = folder / "westbury"
    people = tables["westbury"][0].data
    mentee = people.loc[people["interests"].notna(), "participant_id"].iloc[0]
    assert _cli(["rank-mentors", "--mentors", str(site / "mentors.csv"), "--mentee", mentee,
                 "--participants", str(site / "participants.csv"), "--output", str(tmp_path / "rank.csv")]) == 0
    assert "not a decision" in capsys.readouterr().out
    ranked = pd.read_csv(tmp_path / "rank.csv")
    assert ranked["shared_interest"].is_monotonic_decreasing and ranked["rank"].iloc[0] == 1

    ids = people.loc[people["interests"].notna(), "participant_id"].iloc[:3].tolist()
    assert _cli(["propose-matches", "--mentees", str(site / "participants.csv"), "--mentors",
                 str(site / "mentors.csv"), "--ids", ",".join(ids), "--output", str(tmp_path / "pairs.csv")]) == 0
    assert "Proposal for discussion with the young person" in capsys.readouterr().out
    pairs = pd.read_csv(tmp_path / "pairs.csv")
    assert pairs["participant_id"].tolist() == ids and pairs["mentor_id"].notna().all()
    assert pairs["note"].str.contains("not a decision").all()
