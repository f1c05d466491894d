"""Survey-tool exports, each built here from the program's documented layout (see cm_research.surveys.exports),
read into survey_responses: heading rows never read as answers, previews, tests, spam and unfinished responses
held back with a word, labels scored only by the documented agreement scale, anything else named by row and
column. Every respondent and answer is synthetic."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import Workbook

from cm_research.surveys.exports import SurveyExportError, read_survey_export, survey_export_responses

COST = "The cost of tickets, classes, travel or materials stops young people in care taking part in arts and culture."
WELCOME = "Young people in care are made to feel welcome at arts venues."
STEM = "How far do you agree with each statement?"


def write_csv(path, rows, delimiter=",", bom=False, sep_line=False):
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        if sep_line:
            handle.write(f"sep={delimiter}\r\n")
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path, rows, sheet="Sheet1"):
    book = Workbook()
    sheet_ = book.active
    sheet_.title = sheet
    for row in rows:
        sheet_.append(row)
    book.save(path)
    return path


QUALTRICS_FIXED = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                   "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                   "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]
QUALTRICS_TEXT = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
                  "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name",
                  "Recipient Email", "External Data Reference", "Location Latitude", "Location Longitude",
                  "Distribution Channel", "User Language"]


def qualtrics_rows(answers, numeric=False):
    """Qualtrics' three heading rows and one row per (status, finished, progress, channel, id, cost, welcome)."""
    ids = [{"ImportId": k} for k in ("startDate", "endDate", "status", "ipAddress", "progress", "duration",
                                     "finished", "recordedDate", "_recordId", "recipientLastName",
                                     "recipientFirstName", "recipientEmail", "externalDataReference",
                                     "locationLatitude", "locationLongitude", "distributionChannel", "userLanguage")]
    rows = [QUALTRICS_FIXED + ["Q1", "Q2_1", "Q2_2", "Q3"],
            QUALTRICS_TEXT + ["Your respondent code", f"{STEM} - {COST}", f"{STEM} - {WELCOME}", "Anything else?"],
            [json.dumps(i) for i in ids] + [json.dumps({"ImportId": q}) for q in ("QID1", "QID2_1", "QID2_2",
                                                                                   "QID3_TEXT")]]
    for k, (status, finished, progress, channel, code, cost, welcome) in enumerate(answers):
        rows.append(["2024-03-01 10:00:00", "2024-03-01 10:05:00", status, "", progress, "300", finished,
                     "2024-03-01 10:05:01", f"R_synthetic{k}", "", "", "", "", "", "", channel, "EN-GB",
                     code, cost, welcome, ""])
    return rows


def test_qualtrics_choice_text_csv(tmp_path):
    path = write_csv(tmp_path / "barriers_baseline.csv", qualtrics_rows([
        ("IP Address", "True", "100", "anonymous", "SYN-001", "Strongly agree", "Disagree"),
        ("Survey Preview", "True", "100", "preview", "SYN-002", "Agree", "Agree"),
        ("IP Address", "False", "40", "anonymous", "SYN-003", "Neither agree nor disagree", ""),
        ("IP Address", "True", "100", "anonymous", "SYN-004", "Don't know", "Strongly disagree"),
    ]), bom=True)
    load, export = survey_export_responses(path, wave="baseline", respondent_id="Q1", role="carer")
    assert export.program == "Qualtrics"
    data = load.data.sort_values(["respondent_id", "item"])
    # the heading rows are headings: only SYN-001 and SYN-004 are real, finished responses
    assert sorted(set(data["respondent_id"])) == ["SYN-001", "SYN-004"]
    answers = {(r.respondent_id, r.item): (r.response, not pd_na(r.dont_know) and bool(r.dont_know)) for r in data.itertuples()}
    # by hand: strongly agree = 5, disagree = 2, don't know has no response, strongly disagree = 1
    assert answers[("SYN-001", "cost_stops")] == (5, False)
    assert answers[("SYN-001", "feel_welcome")] == (2, False)
    assert pd_na(answers[("SYN-004", "cost_stops")][0]) and answers[("SYN-004", "cost_stops")][1]
    assert answers[("SYN-004", "feel_welcome")] == (1, False)
    held = load.problems[load.problems["rule"] == "survey_status"].set_index("row")
    # rows 5 and 6 of the spreadsheet (after its three heading rows): the preview and the unfinished response
    assert set(held.index) == {5, 6}
    assert "Survey Preview" in held.at[5, "message"] and "unfinished" in held.at[6, "message"]
    assert (held["severity"] == "warning").all()
    assert set(load.quarantine["row"]) >= {5, 6}
    assert any("heading rows 2, 3" in m for m in load.problems["message"])
    assert any("'Q3'" in m and "not read as items" in m for m in load.problems["message"])


def pd_na(value) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def test_qualtrics_numeric_values_xlsx_and_spam_codes(tmp_path):
    rows = qualtrics_rows([("0", "1", "100", "anonymous", "SYN-010", "4", "3"),
                           ("8", "1", "100", "anonymous", "SYN-011", "5", "5"),
                           ("2", "1", "100", "test", "SYN-012", "1", "1"),
                           ("0", "0", "60", "anonymous", "SYN-013", "2", "")])
    path = write_xlsx(tmp_path / "barriers_end.xlsx", rows)
    load, _ = survey_export_responses(path, wave="end", respondent_id="QID1", role="teacher")
    assert list(load.data["respondent_id"].unique()) == ["SYN-010"]
    assert sorted(load.data["response"]) == [3, 4]
    assert rows[3][-4] == "SYN-010"
    messages = load.problems.set_index("row")["message"]
    assert "Spam" in messages[5] and "Survey Test" in messages[6] and "unfinished" in messages[7]
    assert any("recode value" in m for m in load.problems["message"])
    # with numeric values Qualtrics gives the don't-know choice its recode value (here 6): said, not guessed
    rows[3][-3] = "6"
    path = write_xlsx(tmp_path / "barriers_end.xlsx", rows)
    dk, _ = survey_export_responses(path, wave="end", respondent_id="QID1", role="teacher", dont_know={"6"})
    answers = dk.data.set_index("item")
    assert pd_na(answers.at["cost_stops", "response"]) and bool(answers.at["cost_stops", "dont_know"])
    kept, _ = survey_export_responses(path, wave="end", respondent_id="QID1", role="teacher", keep_unfinished=True)
    assert sorted(kept.data["respondent_id"].unique()) == ["SYN-010", "SYN-013"]
    assert "kept, as asked" in kept.problems.set_index("row").at[7, "message"]


def test_a_label_that_is_not_a_score_is_named_by_row_and_column(tmp_path):
    path = write_csv(tmp_path / "q.csv", qualtrics_rows([
        ("IP Address", "True", "100", "anonymous", "SYN-020", "Somewhat agree", "Agree")]))
    load, _ = survey_export_responses(path, wave="baseline", respondent_id="Q1", role="mentor")
    bad = load.problems[load.problems["rule"] == "survey_label"].iloc[0]
    assert (bad["row"], bad["column"], bad["value"]) == (4, "Q2_1", "Somewhat agree")
    assert list(load.data["item"]) == ["feel_welcome"]  # the other answer is kept, the unscored label is not read
    mapped, _ = survey_export_responses(path, wave="baseline", respondent_id="Q1", role="mentor",
                                        scores={"Somewhat agree": 4})
    assert sorted(mapped.data["response"]) == [4, 4]


def test_qualtrics_legacy_layout_is_refused_with_what_to_export(tmp_path):
    path = write_csv(tmp_path / "legacy.csv", [["V1", "V2", "V3", "V10", "Q1"],
                                               ["ResponseID", "ResponseSet", "Name", "Finished", "Code"],
                                               ["R_1", "Default", "Anonymous", "1", "SYN-1"]])
    with pytest.raises(SurveyExportError, match="legacy export layout.*Use legacy format"):
        read_survey_export(path)


def test_surveymonkey_two_heading_rows_and_a_grid(tmp_path):
    head = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
            "Last Name", "Custom Data 1", "What is your respondent code?", STEM, "", "Which activities? (tick all)", ""]
    sub = ["", "", "", "", "", "", "", "", "", "Open-Ended Response", COST, WELCOME, "Music", "Drama"]
    rows = [head, sub,
            ["11800000001", "4300001", "03/01/2024 10:00:00", "03/01/2024 10:04:00", "", "", "", "", "",
             "SYN-101", "Agree", "Strongly agree", "Music", ""],
            ["11800000002", "4300001", "03/01/2024 11:00:00", "03/01/2024 11:09:00", "", "", "", "", "",
             "SYN-102", "Disagree", "Neither agree nor disagree", "", "Drama"]]
    path = write_csv(tmp_path / "monkey.csv", rows)
    load, export = survey_export_responses(path, wave="end", respondent_id="What is your respondent code?",
                                           role="young_person")
    assert export.program == "SurveyMonkey"
    got = {(r.respondent_id, r.item): r.response for r in load.data.itertuples()}
    assert got == {("SYN-101", "cost_stops"): 4, ("SYN-101", "feel_welcome"): 5,
                   ("SYN-102", "cost_stops"): 2, ("SYN-102", "feel_welcome"): 3}
    assert 2 not in set(load.problems["row"].dropna())  # the sub-heading row is no response
    assert any("heading row 2" in m for m in load.problems["message"])


def test_google_forms_csv_in_a_european_locale(tmp_path):
    """Google Forms CSV opened and saved again by Excel in a European locale: ';', a sep= line and a BOM."""
    rows = [["Horodateur", "Email address", "Respondent code", f"{STEM} [{COST}]", f"{STEM} [{WELCOME}]",
             "Which activities have you tried?"],
            ["2024/03/01 10:15:32 am GMT", "", "SYN-201", "Strongly agree", "Agree", "Music, Drama"],
            ["2024/03/02 09:01:02 am GMT", "", "SYN-202", "Don't know", "Disagree", "Film"]]
    path = write_csv(tmp_path / "forms.csv", rows, delimiter=";", bom=True, sep_line=True)
    load, export = survey_export_responses(path, wave="baseline", respondent_id="Respondent code", role="carer")
    assert export.program == "Google Forms"
    got = {(r.respondent_id, r.item): (None if pd_na(r.response) else r.response) for r in load.data.itertuples()}
    assert got == {("SYN-201", "cost_stops"): 5, ("SYN-201", "feel_welcome"): 4,
                   ("SYN-202", "cost_stops"): None, ("SYN-202", "feel_welcome"): 2}
    assert load.errors.empty


def test_microsoft_forms_xlsx_with_role_column(tmp_path):
    rows = [["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", "Respondent code",
             "I am a", COST, WELCOME],
            [1, "3/1/24 10:00:00", "3/1/24 10:03:00", "anonymous", "", "", "SYN-301", "carer", 5, 4],
            [2, "3/1/24 11:00:00", "3/1/24 11:02:00", "anonymous", "", "", "SYN-302", "mentor", 2, 6]]
    path = write_xlsx(tmp_path / "ms_forms.xlsx", rows)
    load, export = survey_export_responses(path, wave="end", respondent_id="Respondent code", role_column="I am a")
    assert export.program == "Microsoft Forms"
    assert dict(zip(load.data["respondent_id"], load.data["respondent_role"])) == {"SYN-301": "carer",
                                                                                  "SYN-302": "mentor"}
    # 6 is no answer on a 1-5 scale: the cell is blanked (the project's rule for an optional cell), named by the
    # export's row and column
    bad = load.problems[load.problems["value"] == "6"].iloc[0]
    assert (bad["row"], bad["column"]) == (3, WELCOME) and "above the maximum of 5" in bad["message"]
    assert pd_na(load.data.set_index(["respondent_id", "item"]).at[("SYN-302", "feel_welcome"), "response"])


def test_an_export_without_respondent_ids_or_items_is_refused(tmp_path):
    rows = [["Timestamp", "How old are you?"], ["2024/03/01 10:15:32 am GMT", "12"]]
    path = write_csv(tmp_path / "forms.csv", rows)
    with pytest.raises(SurveyExportError, match="respondent_id"):
        survey_export_responses(path, wave="end", role="carer")
    with pytest.raises(SurveyExportError, match="no column of this Google Forms export answers an item"):
        survey_export_responses(path, wave="end", role="carer", respondent_id="How old are you?")


def test_another_tools_export_is_read_with_a_column_mapping_and_a_note(tmp_path):
    rows = [["Response", "Code", "Q1. Cost"], ["1", "SYN-401", "Agree"]]
    path = write_csv(tmp_path / "jisc.csv", rows)
    load, export = survey_export_responses(path, wave="end", role="carer", respondent_id="Code",
                                           items={"Q1. Cost": "cost_stops"})
    assert export.program == "a survey tool"
    assert list(load.data["response"]) == [4]
    assert any("not recognised" in m for m in load.problems["message"])
    with pytest.raises(SurveyExportError, match="not in the survey items catalogue"):
        survey_export_responses(path, wave="end", role="carer", respondent_id="Code", items={"Q1. Cost": "costs"})


def test_a_bad_respondent_id_is_named_by_the_exports_column(tmp_path):
    path = write_csv(tmp_path / "q.csv", qualtrics_rows([
        ("IP Address", "True", "100", "anonymous", "Jo Bloggs!", "Agree", "Agree")]))
    load, _ = survey_export_responses(path, wave="baseline", respondent_id="Q1", role="carer")
    assert load.data.empty
    assert set(zip(load.errors["row"], load.errors["column"])) == {(4, "Q1")}


def test_a_questionnaire_from_microsoft_forms_scored_by_the_instruments_own_labels(tmp_path):
    """SDQ items in a form (question text here is the instrument file's short label, not the copyright wording),
    answered with the SDQ's labels: not true 0, somewhat true 1, certainly true 2 (sdq.yaml)."""
    from cm_research.measures import score_instrument
    from cm_research.measures.instruments import resolve
    from cm_research.surveys.exports import survey_export_items

    sdq = resolve("sdq", "carer")
    emotional = ["somatic", "worries", "unhappy", "clingy", "afraid"]
    labels = {i.name: i.label for i in sdq.items}
    heads = ["ID", "Start time", "Completion time", "Email", "Name", "Child's code"]
    heads += [f"{n}. {labels[i].capitalize()}?" for n, i in enumerate(emotional, start=1)]
    heads += ["Anything else?"]
    rows = [heads,
            [1, "", "", "anonymous", "", "SYN-501", "Certainly True", "Somewhat true", "Not True", "", "2", ""],
            [2, "", "", "anonymous", "", "SYN-502", "Not true", "Sometimes", "Not true", "Not true", "Not true", ""]]
    path = write_xlsx(tmp_path / "sdq_form.xlsx", rows)
    answers, problems, export = survey_export_items(path, "sdq", "carer", participant_id="Child's code",
                                                    items={"Anything else?": "consid"})
    assert list(answers.columns) == ["participant_id", "consid", *emotional]
    first = answers.loc[2]
    assert first[emotional].tolist()[:3] == [2.0, 1.0, 0.0] and pd_na(first["clingy"]) and first["afraid"] == 2.0
    bad = problems[problems["rule"] == "survey_label"].iloc[0]
    assert (bad["row"], bad["column"], bad["value"]) == (3, heads[7], "Sometimes")
    missing = problems[problems["message"].str.contains("no column answers")].iloc[0]["message"]
    assert "restles" in missing and "somatic" not in missing
    # scored by hand: 2 + 1 + 0 + 2 = 5 from 4 of 5 items, prorated 5 * 5 / 4 = 6.25 -> 6
    scored = score_instrument(answers.loc[[2], ["participant_id", *emotional]], "sdq", "carer",
                              scores=["emotional"], source=path.name)
    assert scored["value"].tolist() == [6]
    # the unscored label is kept as written, so scoring refuses it rather than prorating round it
    from cm_research.measures.errors import ItemResponseError

    with pytest.raises(ItemResponseError, match="Sometimes"):
        score_instrument(answers[["participant_id", *emotional]], "sdq", "carer", scores=["emotional"])


def test_an_export_saved_as_the_survey_table_is_named_with_what_to_do(tmp_path):
    from cm_research.surveys import load_survey

    write_csv(tmp_path / "survey_responses.csv", qualtrics_rows([
        ("IP Address", "True", "100", "anonymous", "SYN-001", "Agree", "Agree")]))
    with pytest.raises(SurveyExportError, match="a Qualtrics export .*survey_export_responses"):
        load_survey(tmp_path)


def test_import_survey_writes_a_table_load_survey_reads_back(tmp_path, capsys):
    from cm_research.cli import main
    from cm_research.surveys import load_survey

    export = write_csv(tmp_path / "qualtrics.csv", qualtrics_rows([
        ("IP Address", "True", "100", "anonymous", "SYN-001", "Strongly agree", "Don't know"),
        ("Survey Preview", "True", "100", "preview", "SYN-002", "Agree", "Agree"),
        ("IP Address", "True", "100", "anonymous", "SYN-003", "Disagree", "Agree")]))
    folder = tmp_path / "site"
    folder.mkdir()
    code = main(["import-survey", str(export), "--wave", "baseline", "--respondent-id", "Q1", "--role", "carer",
                 "--out", str(folder / "survey_responses.csv"), "--quarantine-dir", str(tmp_path / "held")])
    printed = capsys.readouterr().out
    assert code == 0 and "read as a Qualtrics export" in printed and "row 5" in printed  # the preview, named
    survey = load_survey(folder)
    got = {(r.respondent_id, r.item): (None if pd_na(r.response) else int(r.response), r.dont_know is True
                                       or (not pd_na(r.dont_know) and bool(r.dont_know)))
           for r in survey.responses.data.itertuples()}
    assert got == {("SYN-001", "cost_stops"): (5, False), ("SYN-001", "feel_welcome"): (None, True),
                   ("SYN-003", "cost_stops"): (2, False), ("SYN-003", "feel_welcome"): (4, False)}
    assert survey.problems.empty
    assert "SYN-002" in (tmp_path / "held" / "quarantine_survey_responses.csv").read_text()
