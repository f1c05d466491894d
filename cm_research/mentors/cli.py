"""Command line for the matching helpers: ``cm-research rank-mentors`` and ``cm-research propose-matches``.

Hook into the main parser with ``add_commands(sub)`` (``sub`` from ``parser.add_subparsers``). Both commands
print the notice that the result is a suggestion for discussion with the young person, not a decision.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from cm_research.mentors.errors import MentorDataError

if TYPE_CHECKING:  # pandas is imported by the commands, not when the parser is built
    import pandas as pd


def _load(path: str, table: str, references: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Valid rows of a file; rows with problems are named on stderr (never dropped without a word)."""
    from cm_research.data import format_problems, load_table

    loaded = load_table(path, table, references=references)
    if not loaded.problems.empty:
        print(format_problems(loaded.problems), file=sys.stderr)
    if len(loaded.quarantine):
        print(f"{Path(path).name}: {len(loaded.quarantine)} row(s) with problems left out (listed above)",
              file=sys.stderr)
    return loaded.data


def _places_args(args: argparse.Namespace, mentors: pd.DataFrame) -> dict:
    if not args.matches:
        return {}
    return {"matches": _load(args.matches, "matches", {"mentors": mentors}), "as_of": args.as_of}


def _write_or_print(table: pd.DataFrame, output: str | None, notice: str) -> None:
    print(notice)
    if output:
        from cm_research.data.writing import write_csv  # pandas only when a command runs

        write_csv(table, output)
        print(f"wrote {output} ({len(table)} rows)")
    else:
        print(table.drop(columns=["note"], errors="ignore").to_string(index=False))


def cmd_rank_mentors(args: argparse.Namespace) -> int:
    from cm_research.mentors.profiles import is_recorded
    from cm_research.mentors.ranking import NOTICE, rank_mentors

    mentors = _load(args.mentors, "mentors")
    if args.mentee:
        if not args.participants:
            raise MentorDataError("--mentee needs --participants FILE to look up the young person's interests "
                                  "(or give the interests directly with --interests)")
        people = _load(args.participants, "participants")
        row = people[people["participant_id"].astype(str) == args.mentee]
        if row.empty:
            raise MentorDataError(f"{args.mentee!r} is not in {Path(args.participants).name} (or its row has problems)")
        interests = row["interests"].iloc[0]
        if not is_recorded(interests):
            raise MentorDataError(f"{args.mentee} has no interests recorded in {Path(args.participants).name}, so "
                                  "mentors cannot be ranked by shared interests; record what they enjoy first")
        site = args.site or row["site"].iloc[0]
    else:
        interests, site = args.interests, args.site
    ranked = rank_mentors(interests, mentors, site=site, top=args.top, **_places_args(args, mentors))
    _write_or_print(ranked, args.output, NOTICE)
    return 0


def cmd_propose_matches(args: argparse.Namespace) -> int:
    from cm_research.mentors.assignment import propose_pairings

    people = _load(args.mentees, "participants")
    if args.ids:
        wanted = [i.strip() for i in args.ids.split(",") if i.strip()]
        missing = [i for i in wanted if i not in set(people["participant_id"].astype(str))]
        if missing:
            raise MentorDataError(f"{', '.join(missing)} not in {Path(args.mentees).name} "
                                  "(or their rows have problems)")
        mentees = people.set_index(people["participant_id"].astype(str)).loc[wanted].reset_index(drop=True)
    else:
        mentees = people[(people["group"] == "mentored") & people["start_date"].isna()]
        print(f"{len(mentees)} young people waiting for a mentor (mentored, no start date yet) in "
              f"{Path(args.mentees).name}; choose others with --ids")
    mentors = _load(args.mentors, "mentors")
    proposal = propose_pairings(mentees, mentors, allow_unmatched=args.allow_unmatched,
                                **_places_args(args, mentors))
    _write_or_print(proposal.pairs, args.output, str(proposal).split("\n\n")[0])
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``rank-mentors`` and ``propose-matches`` on the main parser's subparsers."""
    p = sub.add_parser("rank-mentors", help="suggest available mentors for one young person, by shared interests")
    p.add_argument("--mentors", required=True, help="mentors table (.csv or .xlsx)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--mentee", help="the young person's participant_id (with --participants)")
    who.add_argument("--interests", help='the young person\'s interests, e.g. "football; drawing"')
    p.add_argument("--participants", help="participants table, to look up --mentee's interests and site")
    p.add_argument("--matches", help="matches table, to leave out mentors whose places are taken")
    p.add_argument("--as-of", help="date for --matches (default: matches without an end date are running)")
    p.add_argument("--site", help="only mentors of this site (default with --mentee: the young person's site)")
    p.add_argument("--top", type=int, help="show the first N (and any tied with the last)")
    p.add_argument("--output", help="write the ranking to this CSV instead of printing it")
    p.set_defaults(func=cmd_rank_mentors)

    p = sub.add_parser("propose-matches",
                       help="propose pairings of waiting young people with mentors (maximum shared interests)")
    p.add_argument("--mentees", required=True, help="participants table holding the young people to pair")
    p.add_argument("--mentors", required=True, help="mentors table (.csv or .xlsx)")
    p.add_argument("--ids", help="comma-separated participant ids to pair (default: mentored with no start date)")
    p.add_argument("--matches", help="matches table, so that places already taken are not offered")
    p.add_argument("--as-of", help="date for --matches (default: matches without an end date are running)")
    p.add_argument("--allow-unmatched", action="store_true",
                   help="when places are short, pair as many as possible and list the others as unmatched")
    p.add_argument("--output", help="write the proposal to this CSV instead of printing it")
    p.set_defaults(func=cmd_propose_matches)
