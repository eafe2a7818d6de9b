"""The Data agent's data tools: real work on any SQLAlchemy URL (SQLite file by default)."""

# Governance: profiling, PII, classification, catalogue, quality suites, GX import, masking.
# Operations: anomalies, drift, query performance, migrations, backup, lineage, scorecard.
from .anomaly import AnomalyReport, detect_anomalies
from .backup import BackupResult, RestoreResult, backup_database, restore_database
from .catalogue import GovernanceCatalogue, load_catalogue, write_catalogue
from .classify import catalogue_from_profile, classify_database
from .drift import DriftReport, detect_drift
from .governance_tools import register_governance_tools
from .gx import import_gx_suite
from .lineage import (
    build_graph,
    impact,
    load_pipelines,
    pipeline_job_runs,
    to_mermaid,
    to_openlineage,
)
from .lineage_emit import emit_events
from .lineage_events import JobRun, job_run_events, load_event
from .lineage_runs import run_job_runs
from .masking import MaskReport, mask_database
from .migration import MigrationReport, check_migration
from .ops_tools import register_ops_tools
from .profile import DatabaseProfile, TableProfile, profile_database
from .quality import run_check, run_suite
from .query_perf import WorkloadReport, analyse_workload
from .scorecard import Scorecard, compute_scorecard
from .suite import CheckResult, Suite, SuiteResult, load_suite

__all__ = [
    "AnomalyReport",
    "BackupResult",
    "CheckResult",
    "DatabaseProfile",
    "DriftReport",
    "GovernanceCatalogue",
    "JobRun",
    "MaskReport",
    "MigrationReport",
    "RestoreResult",
    "Scorecard",
    "Suite",
    "SuiteResult",
    "TableProfile",
    "WorkloadReport",
    "analyse_workload",
    "backup_database",
    "build_graph",
    "catalogue_from_profile",
    "check_migration",
    "classify_database",
    "compute_scorecard",
    "detect_anomalies",
    "detect_drift",
    "emit_events",
    "impact",
    "import_gx_suite",
    "job_run_events",
    "load_catalogue",
    "load_event",
    "load_pipelines",
    "load_suite",
    "mask_database",
    "pipeline_job_runs",
    "profile_database",
    "register_governance_tools",
    "register_ops_tools",
    "restore_database",
    "run_check",
    "run_job_runs",
    "run_suite",
    "to_mermaid",
    "to_openlineage",
    "write_catalogue",
]
