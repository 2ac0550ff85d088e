"""``ess-geo specialties``: list the ESS specialties and their DREES groups."""

from __future__ import annotations

import click

from ess_geo.cli._app import EssGeoCommand
from ess_geo.reference.specialties import all_specialties

__all__ = ["specialties_cmd"]


@click.command("specialties", cls=EssGeoCommand)
def specialties_cmd() -> None:
    """Liste les spécialités d'ESS (identifiant, libellé, groupe DREES)."""
    for spec in all_specialties():
        lumped = "" if spec.drees_group_exact else " (groupe partagé)"
        click.echo(f"{spec.id:32} {spec.label} — {spec.drees_group}{lumped}")
