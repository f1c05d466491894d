"""Thematic saturation: new codes per interview in the order the interviews were done, and Guest, Namey &
Chen's (2020) base size / run length / new-information threshold assessment.

Guest et al. (2020) compare the new information in a *run* of interviews with the information in a *base*:

* the **base** is the first ``base_size`` interviews; base information = the number of distinct codes
  found in them;
* a **run** is ``run_length`` consecutive interviews after the base; runs roll forward one interview at a
  time (interviews b+1..b+r, then b+2..b+r+1, ...); the run's new information = the number of codes first
  found in the run (in none of the interviews before it);
* the **new-information ratio** = run's new codes / base codes;
* saturation is reached at the first run whose ratio is at or below ``threshold`` (``≤ 5%`` by default), and
  reported as the number of interviews *before* that run ("saturation at 7 interviews, base 4, run 2, ≤5%
  new information": interviews 8 and 9 added no more than 5% new codes).

The order is the order the interviews were done (``date``, then transcript name). Codes, not themes, are
counted by default, as in the paper (its "themes" are codes in a codebook); pass ``unit="theme"`` to count
themes. Saturation depends on the coding it rests on: from unreviewed suggestions it measures where keyword
hints stop finding new matches, not where the interviews stop saying new things.

Reference: Guest G, Namey E, Chen M (2020). A simple method to assess and report thematic saturation in
qualitative research. PLoS ONE 15(5): e0232076. https://doi.org/10.1371/journal.pone.0232076
"""

from __future__ import annotations

import pandas as pd

from cm_research.qual.codebook import Codebook

CURVE_COLUMNS = ["order", "transcript", "case", "role", "date", "n_codes", "n_new", "new_codes", "cumulative"]
RUN_COLUMNS = ["run_start", "run_end", "n_new", "base_codes", "ratio", "meets_threshold"]


def interview_order(participants: pd.DataFrame) -> pd.DataFrame:
    """Interviews in the order they were done: by date (undated last), then transcript name."""
    table = participants.assign(_date=pd.to_datetime(participants["date"], errors="coerce"))
    return table.sort_values(["_date", "transcript"], na_position="last").drop(columns="_date").reset_index(drop=True)


def new_codes_curve(coded: pd.DataFrame, participants: pd.DataFrame, codebook: Codebook | None = None,
                    unit: str = "code") -> pd.DataFrame:
    """Per interview, in order: order (1, 2, ...), transcript, case (pseudonymous label), role, date, n_codes
    (distinct codes in the interview), n_new (codes not in any earlier interview), new_codes ("; "-joined),
    cumulative (distinct codes so far). Interviewer sentences are not counted."""
    if unit not in ("code", "theme"):
        raise ValueError("unit must be 'code' or 'theme'")
    rows = coded[~coded["is_interviewer"].astype(bool)] if "is_interviewer" in coded else coded
    if unit == "theme":
        if codebook is None:
            raise ValueError("counting themes needs the codebook")
        rows = rows.merge(codebook.code_theme_table()[["code", "theme"]], on="code").assign(code=lambda t: t["theme"])
    by_transcript = {t: set(c) for t, c in rows.groupby("transcript")["code"]}  # sets, whatever the string dtype
    seen: set[str] = set()
    out = []
    for k, r in enumerate(interview_order(participants).itertuples(index=False), start=1):
        codes = by_transcript.get(r.transcript, set())
        new = sorted(codes - seen)
        seen |= codes
        out.append((k, r.transcript, r.participant_label, r.role, r.date, len(codes), len(new), "; ".join(new),
                    len(seen)))
    return pd.DataFrame(out, columns=CURVE_COLUMNS)


def saturation_runs(curve: pd.DataFrame, base_size: int = 4, run_length: int = 2,
                    threshold: float = 0.05) -> pd.DataFrame:
    """Every run after the base: run_start, run_end (interview numbers), n_new (codes first found in the
    run), base_codes, ratio = n_new / base_codes, meets_threshold (ratio <= threshold)."""
    if base_size < 1 or run_length < 1:
        raise ValueError("base_size and run_length must be at least 1 interview")
    if not 0 <= threshold < 1:
        raise ValueError("threshold is a share of the base's codes, from 0 (no new information) to below 1")
    n = len(curve)
    new = curve["n_new"].to_numpy()
    base_codes = int(curve["cumulative"].iloc[base_size - 1]) if n >= base_size else 0
    rows = []
    for start in range(base_size + 1, n - run_length + 2):
        added = int(new[start - 1:start - 1 + run_length].sum())
        ratio = added / base_codes if base_codes else float("nan")
        rows.append((start, start + run_length - 1, added, base_codes, ratio, bool(ratio <= threshold)))
    return pd.DataFrame(rows, columns=RUN_COLUMNS)


def assess_saturation(curve: pd.DataFrame, base_size: int = 4, run_length: int = 2,
                      threshold: float = 0.05) -> dict:
    """Guest et al.'s (2020) assessment: reached (bool), saturation_point (interviews before the first run at
    or under the threshold, or None), base_size, run_length, threshold, base_codes, n_interviews, sentence."""
    runs = saturation_runs(curve, base_size, run_length, threshold)
    n = len(curve)
    out = {"base_size": base_size, "run_length": run_length, "threshold": threshold, "n_interviews": n,
           "base_codes": int(runs["base_codes"].iloc[0]) if len(runs) else (
               int(curve["cumulative"].iloc[base_size - 1]) if n >= base_size else 0),
           "reached": False, "saturation_point": None}
    rule = f"base {base_size}, run {run_length}, \u2264{threshold:.0%} new information"
    if n < base_size + run_length:
        out["sentence"] = (f"Saturation cannot be assessed: {n} interview{'s' if n != 1 else ''}, fewer than a base "
                           f"of {base_size} and a run of {run_length} ({rule}).")
        return out
    hit = runs[runs["meets_threshold"]]
    if hit.empty:
        out["sentence"] = (f"Saturation was not reached in {n} interviews ({rule}): every run of {run_length} "
                           "after the base added more new codes than the threshold allows.")
        return out
    first = hit.iloc[0]
    out.update(reached=True, saturation_point=int(first["run_start"]) - 1)
    out["sentence"] = (f"Saturation reached at {out['saturation_point']} interviews ({rule}): interviews "
                       f"{int(first['run_start'])}\u2013{int(first['run_end'])} added {int(first['n_new'])} new "
                       f"code{'s' if first['n_new'] != 1 else ''} to the base's {out['base_codes']} "
                       f"({first['ratio']:.0%}).")
    return out


def plot_saturation(curve: pd.DataFrame, assessment: dict | None = None, title: str = "", ax=None):
    """The saturation curve (seaborn): distinct codes so far (line) and new codes (bars) by interview in the
    order done, the base shaded and the saturation point marked. Returns the Axes."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.8))
    sns.barplot(data=curve, x="order", y="n_new", color="#9ecae1", ax=ax, label="new codes in this interview")
    # bars sit at positions 0..n-1; draw the line on the same positions
    ax.plot(range(len(curve)), curve["cumulative"], marker="o", color="#08519c", label="distinct codes so far")
    if assessment:
        b = assessment["base_size"]
        ax.axvspan(-0.5, b - 0.5, color="#dddddd", alpha=0.5, zorder=0, label=f"base ({b} interviews)")
        if assessment.get("reached"):
            p = assessment["saturation_point"]
            ax.axvline(p - 0.5, color="#a50f15", linestyle="--",
                       label=f"saturation at {p} interviews")
    ax.set_xlabel("Interview, in the order done")
    ax.set_ylabel("Codes")
    ax.set_title(title or "Saturation: new and cumulative codes by interview")
    ax.legend(loc="center right", fontsize=8, frameon=False)
    # the finding, the numbers drawn and the kind of chart, as cm_research.plots.findings.attach records them (set
    # here directly: qual sits below plots and does not import it), for the alt text (WCAG 1.1.1)
    ax.cm_finding = saturation_finding(curve, assessment)
    ax.cm_data = curve[["order", "n_new", "cumulative"]].rename(columns={
        "order": "interview", "n_new": "new codes in this interview", "cumulative": "distinct codes so far"})
    ax.cm_kind = "Saturation curve"
    return ax


def saturation_finding(curve: pd.DataFrame, assessment: dict | None = None) -> str:
    """The saturation curve (:func:`cm_research.qual.saturation.plot_saturation`) in words: how many distinct codes
    the interviews gave, in how many interviews, the last interview to add a new code, and Guest et al.'s (2020)
    assessment sentence when given. Codes are counted, not people, so nothing here is suppressed.

    Recorded on the figure by :func:`plot_saturation` for its alt text (:mod:`cm_research.plots.findings`).
    E.g. "12 distinct codes were found in 6 interviews; the first interview gave 5, and the last new code came in
    interview 5 (interview 6 added none)." ``curve``: :func:`~cm_research.qual.saturation.new_codes_curve`."""
    if curve.empty:
        return "No interview was coded, so no code can be counted."
    n = len(curve)
    total = int(curve["cumulative"].iloc[-1])
    adding = curve.loc[curve["n_new"] > 0, "order"]
    text = (f"{total} distinct code{'s were' if total != 1 else ' was'} found in {n} interview{'s' if n != 1 else ''}"
            f"; the first interview gave {int(curve['n_new'].iloc[0])}")
    if adding.empty:
        text += "."
    else:
        last = int(adding.iloc[-1])
        after = n - last
        text += (f", and the last new code came in interview {last}"
                 + (f" (the {after} interview{'s' if after != 1 else ''} after it added none)." if after else
                    ", the last one."))
    if assessment and assessment.get("sentence"):
        text += " " + assessment["sentence"]
    return text
