"""Loading a supply file whatever its format: :func:`load_supply` and :func:`as_supply`.

:func:`load_supply` recognises the file by its header and hands it to its reader: the DREES
table (:mod:`ess_geo.inputs.drees`) or the public RPPS extraction
``PS_LibreAcces_Personne_activite`` or the ANS zip holding it (:mod:`ess_geo.inputs.rpps`, a
commune-level supply of libéral specialists by default, counting each doctor once in any total).
:func:`as_supply` is what the analysis functions call on their ``supply`` argument.
"""

from __future__ import annotations

import os
from pathlib import Path

from ess_geo.errors import InputDataError
from ess_geo.inputs._files import check_path, decode_text, read_limited, short_repr, unreadable
from ess_geo.inputs._limits import is_zip
from ess_geo.inputs.drees import drees_delimiter, read_drees_table
from ess_geo.inputs.embedded import known_vintage, load_embedded_supply
from ess_geo.inputs.rpps import load_rpps
from ess_geo.inputs.rpps_file import is_rpps_header
from ess_geo.inputs.supply import Supply

__all__ = ["as_supply", "load_supply"]

_WHAT = "supply"
_WHAT_FR = "fichier d'effectifs"


def load_supply(path: str | Path, *, vintage: str | None = None, mode: str = "liberal") -> Supply:
    """Read a supply file, recognising its format by its header.

    Reads the DREES table "effectifs par département × 15 groupes de spécialités" (first column
    ``dept_code`` with unpadded codes such as ``1`` and ``02A``, one column per group, a
    ``Total général`` column and row), or the RPPS extraction ``PS_LibreAcces_Personne_activite``
    (pipe-separated, header starting ``Type d'identifiant PP|Identifiant PP|...``, or the ANS zip
    holding it), read by :func:`ess_geo.inputs.rpps.load_rpps`; the DREES table by
    :func:`ess_geo.inputs.drees.read_drees_table`.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV file, RPPS ``.txt`` extraction or ANS zip.
    vintage : str, optional
        Vintage to record in the source (the DREES extract does not state it; the RPPS one is
        read from the file name).
    mode : str, default "liberal"
        Mode of practice kept from an RPPS extraction (``"liberal"``, ``"salarie"``,
        ``"benevole"``, ``"tous"``); ignored for DREES tables (all modes).

    Returns
    -------
    Supply
        Tidy supply; unreadable lines are counted in ``dropped``.

    Raises
    ------
    InputDataError
        If ``path`` is not a path, the file does not exist, is a directory or cannot be read, or
        is not a recognised supply format.
    """
    path = check_path(path, _WHAT, "load_supply", _WHAT_FR)
    try:
        if is_zip(path):  # the ANS download; one cut short is refused here
            return load_rpps(path, mode=mode, vintage=vintage)
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise unreadable(path, exc, _WHAT, _WHAT_FR) from exc
    first, _ = decode_text(head.split(b"\n", 1)[0], path, _WHAT_FR)
    if is_rpps_header(first):
        return load_rpps(path, mode=mode, vintage=vintage)
    delimiter = drees_delimiter(first)
    if delimiter is None:
        raise _unrecognised(path, first)
    raw = read_limited(path, _WHAT)
    text, _ = decode_text(raw, path, _WHAT_FR)
    return read_drees_table(text, path, vintage=vintage or known_vintage(raw) or "non précisé", delimiter=delimiter)


def _unrecognised(path: Path, first: str) -> InputDataError:
    """The error for a file that is neither a DREES table nor an RPPS extraction, quoting its header."""
    msg = (
        f"unrecognised supply file {str(path)!r}: expected the DREES table (first column 'dept_code', then one "
        f"column per DREES specialty group, comma- or semicolon-separated) or the RPPS extraction "
        f"PS_LibreAcces_Personne_activite (pipe-separated); got header {first[:120]!r}"
    )
    fr = (
        f"format de fichier d'effectifs non reconnu : {path.name} ; attendu : la table DREES des effectifs "
        "(première colonne dept_code, puis une colonne par groupe de spécialités DREES, séparateur , ou ;) "
        "ou l'extraction RPPS PS_LibreAcces_Personne_activite (séparateur |)"
    )
    return InputDataError(msg, fr=fr, path=str(path), line=1)


def as_supply(supply: Supply | str | Path | None, *, embedded: bool = False) -> Supply | None:
    """Accept a :class:`~ess_geo.inputs.supply.Supply`, a path to load, or None.

    Parameters
    ----------
    supply : Supply, str, pathlib.Path or None
        The counts given by the caller.
    embedded : bool, default False
        With no ``supply``, return the embedded DREES 2022 / CNAM 2018 counts
        (:func:`~ess_geo.inputs.embedded.load_embedded_supply`) instead of None: the one place
        where "the given counts, else the embedded ones" is decided (check, compare, propose, CLI).

    Raises
    ------
    InputDataError
        If ``supply`` is of another type (naming it), or the file cannot be loaded.
    """
    if supply is None:
        return load_embedded_supply() if embedded else None
    if isinstance(supply, Supply):
        return supply
    if isinstance(supply, bool) or not isinstance(supply, str | os.PathLike):
        raise InputDataError(
            f"supply must be a Supply, a file path (str or pathlib.Path) or None, got {type(supply).__name__}: {short_repr(supply)}",
            fr=f"effectifs : objet Supply ou chemin de fichier attendu, reçu {type(supply).__name__}",
        )
    return load_supply(supply)
