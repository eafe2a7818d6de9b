"""The Data agent's data tools: real work on any SQLAlchemy URL (SQLite file by default)."""

# Governance: profiling, PII, classification, catalogue, quality suites, GX import, masking.
from .catalogue import GovernanceCatalogue, load_catalogue, write_catalogue
from .classify import catalogue_from_profile, classify_database
from .gx import import_gx_suite
from .masking import MaskReport, mask_database
from .profile import DatabaseProfile, TableProfile, profile_database
from .quality import run_check, run_suite
from .suite import CheckResult, Suite, SuiteResult, load_suite

__all__ = [
    "CheckResult",
    "DatabaseProfile",
    "GovernanceCatalogue",
    "MaskReport",
    "Suite",
    "SuiteResult",
    "TableProfile",
    "catalogue_from_profile",
    "classify_database",
    "import_gx_suite",
    "load_catalogue",
    "load_suite",
    "mask_database",
    "profile_database",
    "run_check",
    "run_suite",
    "write_catalogue",
]
