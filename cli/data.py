"""`charter data ...`: the Data agent's tools from the command line."""

from __future__ import annotations

import typer

from . import data_governance, data_lineage, data_ops

app = typer.Typer(help="The Data agent's data tools on any SQLAlchemy URL.", no_args_is_help=True)
data_governance.register(app)
data_ops.register(app)
data_lineage.register(app)
