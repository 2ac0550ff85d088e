"""``ess-geo simulate``: follow the adherents year by year against the 10 % → 50 % trajectory."""

from __future__ import annotations

import json
import sys
from datetime import date

import click
import pandas as pd

from ess_geo._format import euros, nombre
from ess_geo.cli._app import EXIT_NOT_ADMISSIBLE, EXIT_OK, EssGeoCommand
from ess_geo.cli._options import (
    cli_registry,
    derogation_option,
    echo_input_notes,
    require_territory,
    territory_options,
)
from ess_geo.errors import InputDataError
from ess_geo.rules.derogations import DEROGATION_LABELS_FR
from ess_geo.rules.funding import INTERPOLATED_FR
from ess_geo.rules.territory import check_territory
from ess_geo.rules.trajectory import ON_TRACK_FR, YEARS, AdherentPath, simulate_adherents

__all__ = ["parse_adherents_by_year", "simulate_cmd"]


def parse_adherents_by_year(text: str) -> list[int]:
    """``"24,40,60,80,100,119"`` → ``[24, 40, 60, 80, 100, 119]``, naming the year of a bad value.

    Six values are years 0 to 5, five values years 1 to 5 (``;`` is accepted as separator).

    Raises
    ------
    InputDataError
        For a value that is not a whole number, naming its year.
    """
    parts = [p.strip() for p in str(text).replace(";", ",").split(",")]
    first_year = 1 if len(parts) == YEARS else 0
    values = []
    for i, part in enumerate(parts):
        try:
            values.append(int(part))
        except ValueError:
            raise InputDataError(
                f"--adherents-par-annee: year {first_year + i} has {part!r}, not a whole number",
                fr=f"--adherents-par-annee : année {first_year + i} : « {part} » n'est pas un nombre entier "
                "(attendu : 6 entiers séparés par des virgules, années 0 à 5, ex. 24,40,60,80,100,119)",
            ) from None
    return values


def _table_fr(path: AdherentPath) -> str:
    """The year table as aligned French text."""
    header = ["Année", "Adhérents", "Part", "Cible", "Sur la trajectoire", "Financement indicatif", "Baisse", "Remarque"]
    rows = []
    for r in path.table.to_dict(orient="records"):
        funding = euros(int(r["total_eur"]))
        if r["startup_credit_eur"]:
            funding += " (amorçage seul)" if r["year"] == 0 else f" (dont amorçage {euros(int(r['startup_credit_eur']))})"
        elif r["yearly_interpolated"]:
            funding += " (interpolé*)"
        elif r["year"] > 0 and pd.isna(r["yearly_allocation_eur"]):
            funding = "— (non publié)"
        share = "—" if r["share"] is None else f"{100 * r['share']:.1f} %".replace(".", ",")
        if not path.exact and share != "—":
            share = f"≥ {share}"
        rows.append([
            str(r["year"]),
            nombre(int(r["adherents"])),
            share,
            f"{nombre(int(r['needed']))} ({100 * r['target_share']:.0f} %)",
            ON_TRACK_FR[r["on_track"]],
            funding,
            "oui" if r["adherents_fall"] else "",
            " ; ".join(n for n in str(r["note"]).split(" ; ") if n and INTERPOLATED_FR not in n),
        ])
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in [header, *rows]]
    return "\n".join(lines)


@click.command("simulate", cls=EssGeoCommand)
@territory_options
@click.option(
    "--adherents-par-annee",
    "adherents_by_year",
    required=True,
    help="Adhérents par année, séparés par des virgules : 6 valeurs (années 0 à 5) ou 5 (années 1 à 5).",
)
@derogation_option
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (to_dict()).")
def simulate_cmd(  # noqa: PLR0913 - click passes one keyword per option
    *,
    specialty: str,
    departements: str | None,
    region: str | None,
    supply: str | None,
    registry: str | None,
    registry_only: str | None,
    as_of: date | None,
    adherents_by_year: str,
    derogations: frozenset[str],
    as_json: bool,
) -> None:
    """Suit les adhérents sur 5 ans : trajectoire linéaire de 10 % à 50 % et financement indicatif.

    Code de sortie : 0 si le territoire est admissible et chaque année sur la trajectoire, 1 sinon
    (ou indéterminé), 2 erreur de saisie.
    """
    require_territory(departements, region)
    values = parse_adherents_by_year(adherents_by_year)
    result = check_territory(
        specialty, departements=departements, region=region, supply=supply,
        registry=cli_registry(registry, registry_only), as_of=as_of, derogations=derogations,
    )
    if result.criterion("specialty").status == "fail":  # a pathology, alone or in a list
        raise InputDataError(
            f"specialty {specialty!r} refused: {result.criterion('specialty').message}",
            fr=result.criterion("specialty").message,
        )
    path = simulate_adherents(result, values)
    if as_json:
        several = {"label": result.specialty_label, "specialties": [s.id for s in result.specialties]} if result.several else {}
        click.echo(json.dumps({**path.to_dict(), **several, "derogations": result.derogations}, ensure_ascii=False, indent=2))
    else:
        bound = "" if path.exact else "au plus "
        click.echo(f"ESS {result.specialty_label} — {result.territory_label}")
        if result.derogations:
            click.echo("Dérogation supposée (à faire valider par l'ARS) : "
                       + " ; ".join(DEROGATION_LABELS_FR[d] for d in result.derogations))
        if path.territory_admissible is not True:
            click.echo(f"Territoire {result.verdict_fr.upper() if path.territory_admissible is False else 'INDÉTERMINÉ'} :")
            for message in path.territory_issues:
                click.echo(f" - {message}")
            click.echo("Le financement ci-dessous suppose un territoire admissible : il est sans objet en l'état.")
        click.echo(
            f"Trajectoire des adhérents sur 5 ans : {bound}{nombre(path.specialists)} spécialistes libéraux ; "
            "cible linéaire 10 % (année 0) → 50 % (année 5)"
        )
        click.echo("")
        click.echo(_table_fr(path))
        click.echo("")
        click.echo(f"Sur la trajectoire chaque année : {ON_TRACK_FR[path.on_track]}")
        if path.missed_years:
            click.echo("Années hors trajectoire : " + ", ".join(map(str, path.missed_years)))
        if path.interpolated_years:
            click.echo("* valeur interpolée par l'outil (non publiée).")
        for note in path.funding_notes_fr():
            click.echo(note)
        click.echo(
            f"Financement indicatif total : {euros(path.total_funding_eur)} ({path.funding_rule.describe_fr()}, "
            "à confirmer par l'ARS)."
        )
        echo_input_notes(result.supply)
        for source in result.supply.sources if result.supply is not None else []:
            click.echo(f"Source des effectifs : {source.label()}")
    sys.exit(EXIT_OK if path.on_track and path.territory_admissible else EXIT_NOT_ADMISSIBLE)
