"""Thematic analysis of interview transcripts (Braun & Clarke 2006), from raw interviews to themes by role.

The software supports the analyst; keyword suggestions are only suggestions, labelled as such everywhere.

Typical use::

    from cm_research import qual

    corpus = qual.read_transcripts("interviews/")            # .txt / .docx, header + speaker turns
    codebook = qual.load_codebook()                          # the bundled starter codebook, or your YAML
    segments = corpus.segments("sentence")                   # offsets into each transcript's text
    suggestions = qual.suggest_codes(segments, codebook)     # for review, never the analysis itself
    qual.write_review_csv(suggestions, "review.csv")
    coding = qual.read_coding("coding.csv", corpus, codebook)
    coded = qual.coded_segments(coding, segments)
    matrix = qual.theme_role_matrix(coded, corpus.participants(), codebook)
    qual.generated_by(matrix, min_participants=2)
"""

from cm_research.qual.agreement import (agreement, cohen_kappa, krippendorff_alpha, nominal_alpha,
                                        percent_agreement)
from cm_research.qual.agreement_kappa import fleiss_kappa, gwet_ac1, kappa_two_coders, weighted_kappa
from cm_research.qual.analysis import (code_role_counts, concordance, cooccurrence, coverage, exemplar_quotes,
                                       generated_by, matrix_wide, theme_role_matrix, word_frequencies)
from cm_research.qual.codebook import (STARTER_CODEBOOK, Code, Codebook, Hints, Theme, load_codebook,
                                       parse_codebook, write_codebook_exports)
from cm_research.qual.coding import (accepted_coding, coded_segments, read_coding, read_review_csv,
                                     suggestions_as_coding)
from cm_research.qual.errors import AgreementError, CodebookError, CodingImportError, TranscriptError
from cm_research.qual.segments import segment_transcripts, split_sentences
from cm_research.qual.suggest import SUGGESTION_STATUS, compile_codebook, suggest_codes, write_review_csv
from cm_research.qual.transcripts import Corpus, SpeakerConvention, Transcript, read_transcript, read_transcripts
from cm_research.qual.memos import read_memos
from cm_research.qual.quotes import coded_span_quotes
from cm_research.qual.transcript_formats import read_speakers

__all__ = [
    "AgreementError", "Code", "Codebook", "CodebookError", "CodingImportError", "Corpus", "Hints",
    "STARTER_CODEBOOK", "SUGGESTION_STATUS", "SpeakerConvention", "Theme", "Transcript", "TranscriptError",
    "accepted_coding", "agreement", "code_role_counts", "coded_segments", "cohen_kappa", "compile_codebook",
    "concordance", "cooccurrence", "coverage", "exemplar_quotes", "generated_by", "krippendorff_alpha",
    "load_codebook", "matrix_wide", "nominal_alpha", "parse_codebook", "percent_agreement", "read_coding",
    "read_review_csv",
    "read_transcript", "read_transcripts", "segment_transcripts", "split_sentences", "suggest_codes",
    "suggestions_as_coding", "theme_role_matrix", "word_frequencies", "write_codebook_exports", "write_review_csv",
    "read_memos", "coded_span_quotes", "read_speakers", "fleiss_kappa", "kappa_two_coders", "weighted_kappa", "gwet_ac1",
]

from cm_research.deprecation import moved_attribute  # noqa: E402

#: REFI-QDA and Taguette moved to :mod:`cm_research.interop.qda`; the old names work for one release, with a warning
__getattr__ = moved_attribute(__name__, {
    **{n: f"cm_research.interop.qda.read:{n}" for n in ("QdaImportError", "QdaProject", "import_qda", "read_qdc")},
    **{n: f"cm_research.interop.qda.write:{n}" for n in ("export_qdc", "export_qdpx", "validate_project")},
    **{n: f"cm_research.interop.qda.taguette:{n}" for n in ("import_taguette", "read_taguette_codebook",
                                                            "read_taguette_highlights")},
    **{n: f"cm_research.interop.qda.folder:{n}" for n in ("read_project_folder", "write_project_folder")},
})
