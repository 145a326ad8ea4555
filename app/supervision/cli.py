"""`flask supervision …`: run the rules sweep now, list the registered rules."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

supervision_cli = AppGroup("supervision", help="Electronic supervision: rules and warnings.")


@supervision_cli.command("sweep")
def sweep_command() -> None:
    """Run every rule over every lot now, then escalate overdue warnings."""
    from app.supervision.jobs import sweep

    click.echo(json.dumps(sweep(), ensure_ascii=False))


@supervision_cli.command("rules")
def rules_command() -> None:
    """The registered rules: name, monitoring point, events that re-run it."""
    from app.supervision.rules import all_rules

    for rule in all_rules():
        click.echo(f"{rule.name}\t{rule.point}\t{','.join(rule.events) or '-'}\t{rule.label}")
