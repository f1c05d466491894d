"""Keep children's data safe: pseudonymous ids, transcript de-identification, small-number suppression, and a
pre-publication scan of every run.

- ``pseudonymise(df, columns, key)``: keyed HMAC-SHA256 pseudonyms; UPNs validated first (``upn``).
- ``generate_key_file(path)`` / ``load_key()``: the key lives outside the repository (``keys``).
- ``deidentify_text`` / ``deidentify_files``: register names and personal-data patterns become placeholders,
  ambiguous and unregistered names are flagged (``deidentify``, ``register``, ``patterns``).
- ``suppress_counts(table, count_columns, ...)``: counts from 1 to 5 shown as ``c``, with secondary suppression
  (``suppression``).
- ``check_disclosure(run_dir, register)``: findings of identifiers in a run's HTML, notebooks, CSVs and images
  (``scan``).
- ``SuppressedTable`` / ``write_table``: the disclosure contract -- a run for publication writes only tables that
  went through suppression (``contract``); ``JointSuppression``: a report's tables suppressed together
  (``joint``); ``audit_run(run_dir)``: identifiers and small numbers everywhere in a run (``audit``).
"""

from cm_research.privacy.deidentify import Deidentified, Deidentifier, deidentify_files, deidentify_text
from cm_research.privacy.errors import (
    DisclosureScanError,
    InvalidUPNError,
    KeyFileError,
    MappingLocationError,
    MissingKeyError,
    PrivacyError,
    PseudonymCollisionError,
    RegisterError,
    SuppressionError,
)
from cm_research.privacy.keys import Key, default_key_path, generate_key_file, load_key
from cm_research.privacy.pseudonymise import pseudonymise, pseudonymise_file, validate_upns
from cm_research.privacy.register import Register, load_register, make_register
from cm_research.privacy.scan import check_disclosure, format_findings, record_disclosure_check
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, certify, suppress_counts, suppression_note
from cm_research.privacy.contract import DisclosureContractError, SuppressedTable, write_table
from cm_research.privacy.joint import JointSuppression
from cm_research.privacy.audit import audit_run
from cm_research.privacy.upn import check_letter, is_valid_upn

__all__ = [
    "DEFAULT_THRESHOLD", "DisclosureContractError", "JointSuppression", "SuppressedTable", "audit_run", "certify",
    "write_table", "Deidentified", "Deidentifier", "DisclosureScanError", "InvalidUPNError", "Key",
    "KeyFileError", "MappingLocationError", "MissingKeyError", "PrivacyError", "PseudonymCollisionError", "Register",
    "RegisterError", "SuppressionError", "check_disclosure", "check_letter", "default_key_path", "deidentify_files",
    "deidentify_text", "format_findings", "generate_key_file", "is_valid_upn", "load_key", "load_register",
    "make_register", "pseudonymise", "pseudonymise_file", "record_disclosure_check", "suppress_counts",
    "suppression_note", "validate_upns",
]
