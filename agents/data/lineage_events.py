"""OpenLineage run events for job runs, built with the `openlineage-python` client's types.

A `JobRun` is one execution of one job: what it read and wrote, the checks it ran on the
data, and how it ended. `job_run_events` turns it into the events a lineage backend expects
for that execution (START, then COMPLETE or FAIL) sharing one run id; `load_event` reads an
event back into the client's classes and refuses any facet it does not know, so a producer
bug (a misspelt facet, a field the spec does not have) shows up as an error, not as data a
backend silently drops.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from charter.protocols import ConfigError, StrictModel

if TYPE_CHECKING:
    from openlineage.client.event_v2 import RunEvent

PRODUCER = "https://github.com/charter/charter/agents/data/lineage"
# Run ids derived from a caller's run key live under this namespace (uuid5), so the same
# job and key give the same id in every process: START and COMPLETE sent by two separate
# commands still pair up.
RUN_ID_NAMESPACE = uuid.UUID("6f0b6c1e-5f1a-4f57-9a3e-0c6d1a2b7c41")

Ending = Literal["COMPLETE", "FAIL"]


class ColumnInfo(StrictModel):
    """One column of a dataset's schema."""

    name: str
    type: str | None = None


class CheckOutcome(StrictModel):
    """One data-quality check the job ran on a dataset, and its verdict."""

    assertion: str  # the check's kind, e.g. expect_column_values_to_be_unique
    success: bool
    column: str | None = None
    expected: str | None = None
    actual: str | None = None
    description: str | None = None


class DatasetUse(StrictModel):
    """A dataset a job read or wrote, with what is known about it."""

    namespace: str
    name: str
    fields: list[ColumnInfo] | None = None  # None: schema not known (not an empty table)
    checks: list[CheckOutcome] = Field(default_factory=list)
    source_uri: str | None = None  # the data source as a URI; default: the namespace


class ParentJob(StrictModel):
    """The run that contains this job run (e.g. the Charter run that called a tool)."""

    namespace: str
    name: str
    run_id: str


class JobRun(StrictModel):
    namespace: str
    job: str
    run_id: str
    started_at: datetime
    ended_at: datetime
    ending: Ending = "COMPLETE"
    error: str | None = None
    inputs: list[DatasetUse] = Field(default_factory=list)
    outputs: list[DatasetUse] = Field(default_factory=list)
    sql: str | None = None
    sql_dialect: str | None = None
    job_type: str = "JOB"  # e.g. TOOL, PIPELINE: the integration's own kind of job
    parent: ParentJob | None = None


def run_id_for(namespace: str, job: str, run_key: str) -> str:
    """The run id of `job`'s execution identified by `run_key` (stable across processes)."""
    return str(uuid.uuid5(RUN_ID_NAMESPACE, f"{namespace}\x00{job}\x00{run_key}"))


def new_run_key() -> str:
    """A fresh run key for a caller that gave none (a time-ordered UUID)."""
    from openlineage.client.uuid import generate_new_uuid

    return str(generate_new_uuid())


def _dataset_facets(use: DatasetUse, *, as_input: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    from openlineage.client.generated.data_quality_assertions_dataset import (
        Assertion,
        DataQualityAssertionsDatasetFacet,
    )
    from openlineage.client.generated.datasource_dataset import DatasourceDatasetFacet
    from openlineage.client.generated.schema_dataset import (
        SchemaDatasetFacet,
        SchemaDatasetFacetFields,
    )

    facets: dict[str, Any] = {
        "dataSource": DatasourceDatasetFacet(
            name=use.namespace, uri=use.source_uri or use.namespace, producer=PRODUCER
        )
    }
    if use.fields is not None:
        facets["schema"] = SchemaDatasetFacet(
            fields=[
                SchemaDatasetFacetFields(name=f.name, type=f.type, ordinal_position=i)
                for i, f in enumerate(use.fields, start=1)
            ],
            producer=PRODUCER,
        )
    extra: dict[str, Any] = {}
    if use.checks and as_input:
        extra["dataQualityAssertions"] = DataQualityAssertionsDatasetFacet(
            assertions=[
                Assertion(
                    assertion=c.assertion,
                    success=c.success,
                    column=c.column,
                    expected=c.expected,
                    actual=c.actual,
                    description=c.description,
                )
                for c in use.checks
            ],
            producer=PRODUCER,
        )
    return facets, extra


def _datasets(uses: Sequence[DatasetUse], *, inputs: bool, with_checks: bool) -> list[Any]:
    from openlineage.client.event_v2 import InputDataset, OutputDataset

    result: list[Any] = []
    for use in uses:
        facets, extra = _dataset_facets(use, as_input=inputs and with_checks)
        if inputs:
            result.append(
                InputDataset(
                    namespace=use.namespace, name=use.name, facets=facets, inputFacets=extra
                )
            )
        else:
            result.append(OutputDataset(namespace=use.namespace, name=use.name, facets=facets))
    return result


def _event(run: JobRun, state: Literal["START", "COMPLETE", "FAIL"]) -> RunEvent:
    from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
    from openlineage.client.generated.error_message_run import ErrorMessageRunFacet
    from openlineage.client.generated.job_type_job import JobTypeJobFacet
    from openlineage.client.generated.parent_run import Job as ParentJobRef
    from openlineage.client.generated.parent_run import ParentRunFacet
    from openlineage.client.generated.parent_run import Run as ParentRunRef
    from openlineage.client.generated.sql_job import SQLJobFacet

    run_facets: dict[str, Any] = {}
    if run.parent is not None:
        run_facets["parent"] = ParentRunFacet(
            run=ParentRunRef(runId=run.parent.run_id),
            job=ParentJobRef(namespace=run.parent.namespace, name=run.parent.name),
            producer=PRODUCER,
        )
    if state == "FAIL" and run.error:
        run_facets["errorMessage"] = ErrorMessageRunFacet(
            message=run.error, programmingLanguage="python", producer=PRODUCER
        )
    job_facets: dict[str, Any] = {
        "jobType": JobTypeJobFacet(
            processingType="BATCH", integration="CHARTER", jobType=run.job_type, producer=PRODUCER
        )
    }
    if run.sql:
        job_facets["sql"] = SQLJobFacet(query=run.sql, dialect=run.sql_dialect, producer=PRODUCER)
    at = run.started_at if state == "START" else run.ended_at
    ended = state != "START"
    return RunEvent(
        eventType=RunState[state],
        eventTime=at.isoformat(),
        run=Run(runId=run.run_id, facets=run_facets),
        job=Job(namespace=run.namespace, name=run.job, facets=job_facets),
        producer=PRODUCER,
        # Quality verdicts exist once the job has run: they ride on the ending event.
        inputs=_datasets(run.inputs, inputs=True, with_checks=ended),
        outputs=_datasets(run.outputs, inputs=False, with_checks=ended),
    )


def job_run_events(
    run: JobRun, states: Iterable[Literal["START", "COMPLETE", "FAIL"]] | None = None
) -> list[RunEvent]:
    """The events of one job run (default: START then its ending), all with its run id."""
    if run.started_at.tzinfo is None or run.ended_at.tzinfo is None:
        raise ConfigError("openlineage event time: expected a timezone-aware timestamp")
    chosen: list[Literal["START", "COMPLETE", "FAIL"]] = (
        list(states) if states is not None else ["START", run.ending]
    )
    return [_event(run, state) for state in chosen]


def to_json(event: RunEvent) -> dict[str, Any]:
    from openlineage.client.serde import Serde

    return dict(json.loads(Serde.to_json(event)))


# Facet key -> the client class that reads it, by where the facet sits in an event. Only
# facets this producer writes (and the tags the client itself adds on emit, e.g. its
# version) are listed: anything else in an event is a bug here.
def _facet_types() -> dict[str, dict[str, type[Any]]]:
    from openlineage.client.generated.data_quality_assertions_dataset import (
        DataQualityAssertionsDatasetFacet,
    )
    from openlineage.client.generated.datasource_dataset import DatasourceDatasetFacet
    from openlineage.client.generated.error_message_run import ErrorMessageRunFacet
    from openlineage.client.generated.job_type_job import JobTypeJobFacet
    from openlineage.client.generated.parent_run import ParentRunFacet
    from openlineage.client.generated.schema_dataset import SchemaDatasetFacet
    from openlineage.client.generated.sql_job import SQLJobFacet
    from openlineage.client.generated.tags_job import TagsJobFacet
    from openlineage.client.generated.tags_run import TagsRunFacet

    return {
        "run": {
            "parent": ParentRunFacet,
            "errorMessage": ErrorMessageRunFacet,
            "tags": TagsRunFacet,
        },
        "job": {"jobType": JobTypeJobFacet, "sql": SQLJobFacet, "tags": TagsJobFacet},
        "dataset": {"dataSource": DatasourceDatasetFacet, "schema": SchemaDatasetFacet},
        "input": {"dataQualityAssertions": DataQualityAssertionsDatasetFacet},
        "output": {},
    }


def _nested(cls: type[Any], field: str) -> type[Any] | None:
    """The attrs class a facet's field holds (a list of them or one), if any."""
    from openlineage.client.generated import data_quality_assertions_dataset as quality
    from openlineage.client.generated import parent_run, schema_dataset, tags_job, tags_run

    table: dict[tuple[str, str], type[Any]] = {
        ("DataQualityAssertionsDatasetFacet", "assertions"): quality.Assertion,
        ("SchemaDatasetFacet", "fields"): schema_dataset.SchemaDatasetFacetFields,
        ("SchemaDatasetFacetFields", "fields"): schema_dataset.SchemaDatasetFacetFields,
        ("TagsRunFacet", "tags"): tags_run.TagsRunFacetFields,
        ("TagsJobFacet", "tags"): tags_job.TagsJobFacetFields,
        ("ParentRunFacet", "run"): parent_run.Run,
        ("ParentRunFacet", "job"): parent_run.Job,
        ("ParentRunFacet", "root"): parent_run.Root,
        ("Root", "run"): parent_run.RootRun,
        ("Root", "job"): parent_run.RootJob,
    }
    return table.get((cls.__name__, field))


def _build(cls: type[Any], data: Mapping[str, Any], where: str) -> Any:
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "_schemaURL":
            continue  # set by the class itself; compared below
        name = "producer" if key == "_producer" else key
        inner = _nested(cls, key)
        if inner is not None and isinstance(value, list):
            value = [_build(inner, item, f"{where}.{key}") for item in value]
        elif inner is not None and isinstance(value, Mapping):
            value = _build(inner, value, f"{where}.{key}")
        values[name] = value
    try:
        built = cls(**values)
    except TypeError as error:  # an unknown or missing field
        raise ConfigError(f"{where}: {error}") from None
    expected = getattr(built, "_schemaURL", None)
    if "_schemaURL" in data and data["_schemaURL"] != expected:
        raise ConfigError(f"{where}: _schemaURL {data['_schemaURL']!r}, expected {expected!r}")
    return built


def _facets(kind: str, raw: Mapping[str, Any] | None, where: str) -> dict[str, Any]:
    types = _facet_types()[kind]
    result: dict[str, Any] = {}
    for key, value in (raw or {}).items():
        if key not in types:
            raise ConfigError(f"{where}.{key}: not a facet this producer writes ({sorted(types)})")
        result[key] = _build(types[key], value, f"{where}.{key}")
    return result


def load_event(data: Mapping[str, Any]) -> RunEvent:
    """Read a run event back into the client's classes; any unknown key is a ConfigError."""
    from openlineage.client.event_v2 import (
        InputDataset,
        Job,
        OutputDataset,
        Run,
        RunEvent,
        RunState,
    )

    allowed = {"eventType", "eventTime", "run", "job", "inputs", "outputs", "producer", "schemaURL"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"event: unknown keys {unknown}")
    try:
        inputs = [
            InputDataset(
                namespace=d["namespace"],
                name=d["name"],
                facets=_facets("dataset", d.get("facets"), f"inputs[{i}].facets"),
                inputFacets=_facets("input", d.get("inputFacets"), f"inputs[{i}].inputFacets"),
            )
            for i, d in enumerate(data.get("inputs") or [])
        ]
        outputs = [
            OutputDataset(
                namespace=d["namespace"],
                name=d["name"],
                facets=_facets("dataset", d.get("facets"), f"outputs[{i}].facets"),
                outputFacets=_facets("output", d.get("outputFacets"), f"outputs[{i}].outputFacets"),
            )
            for i, d in enumerate(data.get("outputs") or [])
        ]
        event = RunEvent(
            eventType=RunState(data["eventType"]),
            eventTime=data["eventTime"],
            run=Run(
                runId=data["run"]["runId"],
                facets=_facets("run", data["run"].get("facets"), "run.facets"),
            ),
            job=Job(
                namespace=data["job"]["namespace"],
                name=data["job"]["name"],
                facets=_facets("job", data["job"].get("facets"), "job.facets"),
            ),
            producer=data["producer"],
            inputs=inputs,
            outputs=outputs,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"event: not a run event this producer writes ({error})") from None
    if data.get("schemaURL") != event.schemaURL:
        raise ConfigError(
            f"event: schemaURL {data.get('schemaURL')!r}, expected {event.schemaURL!r}"
        )
    return event


__all__ = [
    "PRODUCER",
    "CheckOutcome",
    "ColumnInfo",
    "DatasetUse",
    "JobRun",
    "ParentJob",
    "job_run_events",
    "load_event",
    "new_run_key",
    "run_id_for",
    "to_json",
]
