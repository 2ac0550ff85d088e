"""Options and output helpers shared by the commands (specialty, territory, supply, sources)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ess_geo.errors import EssGeoError, InputDataError
from ess_geo.inputs.load import as_supply
from ess_geo.inputs.registry import Registry, as_of_date, load_registry
from ess_geo.inputs.supply import Supply
from ess_geo.rules.derogations import DEROGATION_CLI, parse_derogations
from ess_geo.rules.territory import TerritoryCheck, check_territory
from ess_geo.sources import Source

if TYPE_CHECKING:  # annotations only: the FINESS and zonage readers (and pandas) load when a file is read
    from ess_geo.inputs.finess import Finess
    from ess_geo.inputs.zonage import Zonage

__all__ = [
    "MULTI_SPECIALTY_COMMANDS",
    "adherents_option",
    "as_of_option",
    "check_from_options",
    "check_options",
    "cli_registry",
    "criterion_options",
    "departements_option",
    "derogation_option",
    "echo_input_notes",
    "echo_sources",
    "finess_option",
    "no_embedded_supply_option",
    "parse_adherents_option",
    "region_option",
    "registry_only_option",
    "registry_option",
    "registry_options",
    "require_territory",
    "resolve_supply",
    "sep_option",
    "specialties_option",
    "specialty_option",
    "supply_option",
    "territory_options",
]

F = TypeVar("F", bound=Callable[..., object])

#: Commands that accept several specialties (an ESS « pluri-spécialités »).
MULTI_SPECIALTY_COMMANDS = ("check", "map", "simulate")


def _one_specialty(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--specialty of a command that handles one specialty: a comma list is a usage error (exit 2)."""
    if value is not None and "," in value:
        raise click.BadParameter(
            f"« {value} » : une seule spécialité pour cette commande ; une ESS pluri-spécialités (liste séparée "
            f"par des virgules) se vérifie avec {', '.join(MULTI_SPECIALTY_COMMANDS)}",
            ctx=ctx,
            param=param,
        )
    return value


specialty_option = click.option(
    "--specialty",
    "-s",
    required=True,
    callback=_one_specialty,
    help="Spécialité, une seule (identifiant, libellé ou alias : cardiologie, cardio, ORL...) ; une liste "
    "(ESS pluri-spécialités) n'est acceptée que par " + ", ".join(MULTI_SPECIALTY_COMMANDS) + ".",
)
specialties_option = click.option(
    "--specialty",
    "-s",
    required=True,
    help="Spécialité (identifiant, libellé ou alias : cardiologie, cardio, ORL...), ou plusieurs séparées par des "
    "virgules pour une ESS pluri-spécialités (cardiologie,nephrologie).",
)
departements_option = click.option(
    "--departements", "-d", default=None, help="Codes département séparés par des virgules (75,94 ; 2A,2B ; 971)."
)
region_option = click.option("--region", "-r", default=None, help="Code région : la région entière (11 = Île-de-France).")
supply_option = click.option(
    "--supply",
    type=click.Path(dir_okay=False),
    default=None,
    help="Fichier d'effectifs (table DREES par département × spécialité, ou extraction RPPS).",
)
no_embedded_supply_option = click.option(
    "--no-embedded-supply",
    "no_embedded_supply",
    is_flag=True,
    help="Sans --supply, n'utiliser aucun effectif (ni les effectifs embarqués DREES 2022 et CNAM 2018) : "
    "seuil et adhérents indéterminés.",
)
registry_option = click.option(
    "--registry",
    type=click.Path(dir_okay=False),
    default=None,
    help="Registre d'ESS (CSV) ajouté au registre embarqué ; une ESS de même identifiant remplace l'embarquée.",
)
registry_only_option = click.option(
    "--registry-only",
    type=click.Path(dir_okay=False),
    default=None,
    help="Registre d'ESS (CSV) utilisé seul, à la place du registre embarqué.",
)



def _derogations(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> frozenset[str]:
    """``--derogation`` values (repeated or comma lists) → derogation ids; a bad value is a usage error."""
    try:
        return parse_derogations(values)
    except InputDataError as exc:
        raise click.BadParameter(exc.fr, ctx=ctx, param=param) from None


derogation_option = click.option(
    "--derogation",
    "derogations",
    multiple=True,
    callback=_derogations,
    metavar="|".join(DEROGATION_CLI.values()),
    help="Dérogation supposée, à faire valider par l'ARS : " + ", ".join(DEROGATION_CLI.values())
    + " (répétable, ou liste séparée par des virgules) ; le critère non conforme devient « à vérifier ».",
)


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """``--as-of`` as a date (None: today); a bad date is a usage error naming it (exit 2)."""
    if value is None:
        return None
    try:
        return as_of_date(value)
    except EssGeoError as exc:
        raise click.BadParameter(exc.fr, ctx=ctx, param=param) from exc


as_of_option = click.option(
    "--as-of",
    "as_of",
    default=None,
    callback=_as_of,
    metavar="AAAA-MM-JJ",
    help="Date des périmètres d'ESS du registre (défaut : aujourd'hui).",
)


def registry_options(func: F) -> F:
    """Decorate a command with --registry, --registry-only and --as-of (see :func:`cli_registry`)."""
    for option in reversed((registry_option, registry_only_option, as_of_option)):
        func = option(func)
    return func


def cli_registry(registry: str | None, registry_only: str | None) -> Registry | None:
    """The registry of --registry (added to the embedded one) or --registry-only (alone); None: embedded.

    Raises
    ------
    click.UsageError
        If both are given.
    InputDataError
        If the file is unusable (the CLI prints its French line, exit 2).
    """
    if registry and registry_only:
        raise click.UsageError(
            f"choisir --registry ({registry}, ajouté au registre embarqué) ou --registry-only ({registry_only}, "
            "utilisé seul), pas les deux"
        )
    if registry_only:
        return load_registry(registry_only)
    return load_registry(registry, include_embedded=True) if registry else None


def territory_options(func: F) -> F:
    """Decorate a command with --specialty (a list allowed), --departements, --region, --supply, --registry, --registry-only, --as-of."""
    func = registry_options(func)
    for option in reversed((specialties_option, departements_option, region_option, supply_option)):
        func = option(func)
    return func


def resolve_supply(supply: str | None, no_embedded_supply: bool) -> Supply | None:
    """The supply a command uses: the file of --supply, else the embedded one unless --no-embedded-supply."""
    return as_supply(supply or None, embedded=not no_embedded_supply)


def parse_adherents_option(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> int | tuple[int, ...] | None:
    """--adherents: ``"30"`` → 30, ``"20,3"`` → (20, 3) (one per specialty); a bad value is a usage error naming it.

    Each number is read as ``click.IntRange(min=0)`` reads it: one number gives the same errors as before lists.
    """
    if value is None:
        return None
    read = click.IntRange(min=0)
    if any(not part.strip() for part in str(value).split(",")):
        raise click.BadParameter(f"« {value} » : valeur vide dans la liste (attendu : 30, ou un nombre par "
                                 "spécialité : 20,3)", ctx=ctx, param=param)
    # click parses text into numbers here (click 8.5 types convert() as taking the int already)
    parts: list[Any] = [part.strip() for part in str(value).split(",")]
    numbers = tuple(read.convert(part, param, ctx) for part in parts)
    return numbers[0] if len(numbers) == 1 else numbers


def require_territory(departements: str | None, region: str | None) -> None:
    """Fail as a usage error (exit 2) unless exactly one of --departements and --region is given."""
    if not departements and not region:
        raise click.UsageError("indiquer --departements (ex. 75,94) ou --region (ex. 11)")
    if departements and region:
        raise click.UsageError(
            f"choisir --departements ({departements}) ou --region ({region}), pas les deux : "
            "une région entière s'indique seule avec --region"
        )


#: ``--sep``: the separator of every CSV a command writes (UTF-8 with BOM either way).
sep_option = click.option(
    "--sep", "sep", type=click.Choice([",", ";"]), default=",", show_default=True,
    help="Séparateur des fichiers CSV écrits : « , » ou « ; » (Excel en français ; nombres décimaux avec virgule).",
)


def echo_input_notes(supply: Supply | None, finess: Finess | None = None, zonage: Zonage | None = None) -> None:
    """The supply file's ignored lines and absent départements, then the FINESS and zonage files' ignored lines.

    One French line each (nothing lost silently); the one helper of every command that reads them.
    """
    if supply is not None and supply.dropped:
        click.echo(f"Fichier d'effectifs : {supply.dropped.summary_fr()}")
    if supply is not None and supply.absent_reasons:
        click.echo(f"Fichier d'effectifs : {supply.absent_fr()}")
    if finess is not None and finess.dropped:
        click.echo(f"Fichier FINESS : {finess.dropped.summary_fr()}")
    if zonage is not None and zonage.dropped:
        click.echo(f"Fichier de zonage : {zonage.dropped.summary_fr()}")


def echo_sources(sources: Iterable[Source]) -> None:
    """« Sources : » then one line per source (its label: name, vintage, licence), duplicates once."""
    seen: list[str] = []
    for source in sources:
        label = source.label()
        if label not in seen:
            seen.append(label)
    if seen:
        click.echo("Sources :")
        for label in seen:
            click.echo(f" - {label}")


# ---------------------------------------------------------------------------------------------
# Every option that decides a criterion: check, map, dossier and compare decide alike.

adherents_option = click.option(
    "--adherents",
    "-a",
    callback=parse_adherents_option,
    default=None,
    metavar="N",
    help="Nombre de spécialistes adhérents au départ ; pour une ESS pluri-spécialités, le total ou un nombre par "
    "spécialité dans l'ordre de --specialty (20,3).",
)
finess_option = click.option(
    "--finess",
    type=click.Path(dir_okay=False),
    default=None,
    help="Extraction FINESS etalab-cs1100507 (ess-geo data fetch finess) : ESS inconnues du registre à vérifier, "
    "CPTS, DAC et hôpitaux du territoire à titre d'information.",
)


def criterion_options(func: F) -> F:
    """Decorate a command with --no-embedded-supply, --adherents, --finess and --derogation.

    With :func:`territory_options` (see :func:`check_options`), every option of ``ess-geo check``
    that changes a criterion; :func:`check_from_options` turns them into the same
    :class:`~ess_geo.rules.territory.TerritoryCheck` in every command.
    """
    for option in reversed((no_embedded_supply_option, adherents_option, finess_option, derogation_option)):
        func = option(func)
    return func


def check_options(func: F) -> F:
    """Decorate a command with every option of ``ess-geo check`` (territory, supply, registry, criteria)."""
    return territory_options(criterion_options(func))


def check_from_options(params: Mapping[str, Any]) -> TerritoryCheck:
    """The :class:`TerritoryCheck` of the options of :func:`check_options` (``click.get_current_context().params``).

    Raises
    ------
    click.UsageError
        Without a territory, or with both --departements and --region, or both registries.
    EssGeoError
        Bad input (the CLI prints its French line, exit 2).
    """
    require_territory(params.get("departements"), params.get("region"))
    return check_territory(
        params["specialty"],
        departements=params.get("departements"),
        region=params.get("region"),
        adherents=params.get("adherents"),
        supply=params.get("supply"),
        registry=cli_registry(params.get("registry"), params.get("registry_only")),
        as_of=params.get("as_of"),
        finess=params.get("finess"),
        derogations=params.get("derogations") or frozenset(),
        embedded_supply=not params.get("no_embedded_supply", False),
    )
