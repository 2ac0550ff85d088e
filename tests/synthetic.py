"""SYNTHETIC test data generators, in one place: RPPS lines in the exact layout of the extraction
``PS_LibreAcces_Personne_activite``, and zonage files.

Everything here is SYNTHETIC: names are ``SYNTHETIQUE`` / ``PERSONNE``, RPPS identifiers start
with ``99`` (real RPPS numbers start with ``1``), structures are fake. Commune codes and postal
codes are real (embedded geography), so that lines can be placed. Used by the tests
(``pythonpath = ["tests"]`` in pyproject) and by ``benchmarks/bench_rpps.py`` (2 million lines).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from ess_geo.inputs.rpps import RPPS_COLUMNS
from ess_geo.inputs.supply import Supply
from ess_geo.reference.geography import load_communes
from ess_geo.sources import Source

HEADER = "|".join(RPPS_COLUMNS) + "|"
_INDEX = {c: i for i, c in enumerate(RPPS_COLUMNS)}

MODE_LABELS = {"L": "Libéral", "S": "Salarié", "B": "Bénévole"}


def synthetic_id(n: int) -> str:
    """A clearly fake 11-digit RPPS identifier (prefix 99)."""
    return f"99{n:09d}"


def rpps_line(**fields: str) -> str:
    """One line in the real layout; keyword names are column keys of :data:`SHORT` or full names.

    Unspecified columns are empty; the line ends with ``|`` like the real file.
    """
    values = [""] * len(RPPS_COLUMNS)
    for key, value in fields.items():
        values[_INDEX[SHORT.get(key, key)]] = str(value)
    return "|".join(values) + "|"


#: Short keyword → real column name.
SHORT: dict[str, str] = {
    "type_id": "Type d'identifiant PP",
    "rpps": "Identifiant PP",
    "id_nat": "Identification nationale PP",
    "nom": "Nom d'exercice",
    "prenom": "Prénom d'exercice",
    "profession": "Code profession",
    "profession_label": "Libellé profession",
    "type_sf": "Code type savoir-faire",
    "type_sf_label": "Libellé type savoir-faire",
    "sf": "Code savoir-faire",
    "sf_label": "Libellé savoir-faire",
    "mode": "Code mode exercice",
    "mode_label": "Libellé mode exercice",
    "structure": "Identifiant technique de la structure",
    "raison_sociale": "Raison sociale site",
    "cedex": "Bureau cedex (coord. structure)",
    "cp": "Code postal (coord. structure)",
    "commune": "Code commune (coord. structure)",
    "commune_label": "Libellé commune (coord. structure)",
    "pays": "Code pays (coord. structure)",
    "pays_label": "Libellé pays (coord. structure)",
    "dep": "Code Département (structure)",
    "secteur": "Code secteur d'activité",
}


def doctor_line(n: int, sf: str, mode: str = "L", *, commune: str = "", cp: str = "", commune_label: str = "",
                cedex: str = "", pays: str = "", sf_label: str = "SYNTHETIQUE", site: int = 0) -> str:
    """A synthetic doctor's activity line (profession 10)."""
    rid = synthetic_id(n)
    return rpps_line(
        type_id="8", rpps=rid, id_nat="8" + rid, nom="SYNTHETIQUE", prenom=f"PERSONNE{n}",
        profession="10", profession_label="Médecin", type_sf="S" if sf else "",
        type_sf_label="Spécialité ordinale" if sf else "", sf=sf, sf_label=sf_label if sf else "",
        mode=mode, mode_label=MODE_LABELS.get(mode, ""), structure=f"SYNTH{n:09d}{site}",
        raison_sociale="CABINET SYNTHETIQUE", cp=cp, commune=commune, commune_label=commune_label,
        cedex=cedex, pays=pays, secteur="SA07",
    )


def write_rpps(path: str | Path, lines: Iterable[str], *, encoding: str = "utf-8") -> Path:
    """Write a header and ``lines`` (``\\n``-terminated) in ``encoding``."""
    path = Path(path)
    with open(path, "w", encoding=encoding, newline="\n") as fh:
        fh.write(HEADER + "\n")
        for line in lines:
            fh.write(line + "\n")
    return path


#: Header of a synthetic DREES-shaped effectifs table (two groups and the national total).
DREES_HEADER = "dept_code,07-Cardiologie,15-Autre spécialité,Total général"


def write_drees_broken_synthetic(real: Path, folder: Path, code: str, cell: str | None = None,
                                 *, group: str = "07-Cardiologie", raw_code: str | None = None) -> Path:
    """A SYNTHETIC broken copy of the real DREES table: the line of ``code`` (written unpadded, as in the file)
    deleted (``cell`` None), or its ``group`` cell replaced by ``cell`` (``-5``, ``NaN``, ``3.5``), or its
    code replaced by ``raw_code`` (e.g. ``"77\x00"``)."""
    lines = real.read_text(encoding="utf-8").splitlines()
    column = lines[0].split(",").index(group)
    out = []
    for line in lines:
        fields = line.split(",")
        if fields[0] == code:
            if cell is None and raw_code is None:
                continue
            if cell is not None:
                fields[column] = cell
            if raw_code is not None:
                fields[0] = raw_code
        out.append(",".join(fields))
    path = folder / f"synthetic_broken_drees_{code}.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def write_drees(path: str | Path, *rows: str, header: str = DREES_HEADER) -> Path:
    """Write a SYNTHETIC DREES-shaped effectifs table (invented figures): ``header`` then ``rows``, UTF-8."""
    path = Path(path)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _arrondissement_code(code_postal: str) -> str:
    """Arrondissement code of a Paris, Lyon or Marseille postal code, as the RPPS writes it.

    ``75015`` → ``75115`` (Paris), ``69003`` → ``69383`` (Lyon), ``13008`` → ``13208`` (Marseille);
    ``75116`` stays ``75116``.
    """
    if code_postal.startswith("75"):
        return "751" + code_postal[-2:]
    if code_postal.startswith("69"):
        return "6938" + code_postal[-1]
    return "132" + code_postal[-2:]


def _communes_with_postcodes() -> list[tuple[str, str, str]]:
    """(commune code as written in the RPPS, code_postal, nom): communes with their own postal code,
    and the arrondissements of Paris, Lyon and Marseille (whose lines carry the arrondissement code)."""
    from ess_geo.reference.geography import load_postal_codes

    pc = load_postal_codes()
    com = pc[pc["type"] == "COM"]
    arm = pc[pc["type"] == "ARM"]
    rows = list(zip(com["code_insee"], com["code_postal"], com["nom"], strict=True))
    rows += [(_arrondissement_code(cp), cp, nom) for cp, nom in zip(arm["code_postal"], arm["nom"], strict=True)]
    return rows


# Savoir-faire codes drawn for doctors, with rough weights (general practice is the largest).
_SF_WEIGHTS: Mapping[str, int] = {
    "SM54": 30, "SM53": 10, "SM26": 5, "SM04": 4, "SM15": 2, "SM38": 3, "SM39": 1, "SM34": 1, "SM24": 2,
    "SM40": 3, "SM41": 1, "SM42": 5, "SM43": 1, "SM02": 5, "SM03": 3, "SM20": 3, "SM19": 1, "SM08": 2,
    "SM44": 3, "SM74": 2, "SM32": 1, "SM48": 1, "SM16": 1, "SM62": 1, "SM30": 1, "SM27": 1, "SM18": 1,
    "SM49": 1, "SM59": 2, "SM73": 1, "SM01": 1, "SM25": 1, "": 2, "XX99": 1,
}
_OTHER_PROFESSIONS = [("60", "Infirmier"), ("21", "Pharmacien"), ("70", "Masseur-Kinésithérapeute"),
                      ("40", "Chirurgien-Dentiste"), ("50", "Sage-Femme"), ("91", "Orthophoniste")]


def generate_synthetic_rpps(path: str | Path, n_lines: int, *, seed: int = 0, encoding: str = "utf-8",
                            doctor_share: float = 0.3) -> dict[str, int]:
    """Write ``n_lines`` synthetic activity lines in the real layout (plus the header).

    About ``doctor_share`` of the lines are doctors (profession 10) with modes L/S/B; a person has
    1 to 3 activity lines; 3 % of doctors' lines have no commune code (postal code only); a few
    lines are malformed or carry an unknown savoir-faire code (``XX99``). Returns counts of what
    was written (``lines``, ``doctor_lines``, ``malformed``).
    """
    rng = random.Random(seed)
    communes = _communes_with_postcodes()
    sf_codes = list(_SF_WEIGHTS)
    sf_weights = list(_SF_WEIGHTS.values())
    written = {"lines": 0, "doctor_lines": 0, "malformed": 0}
    person = 0
    path = Path(path)
    with open(path, "w", encoding=encoding, newline="\n") as fh:
        fh.write(HEADER + "\n")
        buf: list[str] = []
        while written["lines"] < n_lines:
            person += 1
            n_act = min(rng.choice((1, 1, 1, 2, 2, 3)), n_lines - written["lines"])
            if rng.random() < doctor_share:
                sf = rng.choices(sf_codes, sf_weights)[0]
                for site in range(n_act):
                    insee, cp, nom = communes[rng.randrange(len(communes))]
                    mode = rng.choices("LSB", (55, 43, 2))[0]
                    if rng.random() < 0.03:
                        line = doctor_line(person, sf, mode, cp=cp, commune_label=nom.upper(),
                                           cedex=f"{cp} {nom.upper()}", site=site)
                    else:
                        line = doctor_line(person, sf, mode, commune=insee, cp=cp, commune_label=nom.upper(),
                                           cedex=f"{cp} {nom.upper()}", site=site)
                    buf.append(line)
                    written["doctor_lines"] += 1
            else:
                code, label = rng.choice(_OTHER_PROFESSIONS)
                rid = synthetic_id(person)
                for site in range(n_act):
                    insee, cp, nom = communes[rng.randrange(len(communes))]
                    buf.append(rpps_line(type_id="8", rpps=rid, id_nat="8" + rid, nom="SYNTHETIQUE",
                                         prenom=f"PERSONNE{person}", profession=code, profession_label=label,
                                         mode="L", mode_label="Libéral", structure=f"SYNTH{person:09d}{site}",
                                         cp=cp, commune=insee, commune_label=nom.upper(),
                                         cedex=f"{cp} {nom.upper()}"))
            written["lines"] += n_act
            if rng.random() < 0.0005:
                buf[-1] = buf[-1] + "champ|en|trop"
                written["malformed"] += 1
            if len(buf) >= 50_000:
                fh.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            fh.write("\n".join(buf) + "\n")
    return written


def write_all_zip_zonage_synthetic(folder: Path, deps: list[str], value: str = "1_ZIP") -> Path:
    """Write a synthetic INSEE-keyed zonage file putting every commune of ``deps`` in ZIP; its path."""
    codes = load_communes().query("code_dep in @deps")["code_insee"]
    path = folder / f"zonage_{'_'.join(deps)}_synthetic.csv"
    path.write_text("code_insee,Zonage\n" + "".join(f"{c},{value}\n" for c in codes), encoding="utf-8")
    return path


def commune_supply_synthetic() -> Supply:
    """Synthetic commune-level supply placing cardiologists in REAL communes (Corse and Bretagne)."""
    rows = [
        ("2A004", "2A", 12),  # Ajaccio
        ("2B033", "2B", 9),  # Bastia
        ("2B096", "2B", 2),  # Corte
        ("35238", "35", 40),  # Rennes
        ("29019", "29", 15),  # Brest
        ("99999", "99", 3),  # unknown commune: must be dropped and counted
    ]
    tab = pd.DataFrame(rows, columns=["code_insee", "code_dep", "n_specialists"])
    tab = tab.assign(specialty="cardiologie", drees_group="07-Cardiologie", mode="liberal", source="synthetic")
    tab = tab[["code_insee", "code_dep", "specialty", "drees_group", "n_specialists", "mode", "source"]]
    return Supply(table=tab, source=Source("synthetic commune supply", "test"))


#: The four columns newer RPPS extractions add after the 52 (../shared/data/SOURCES.md).
RPPS_EXTRA_2023 = ("Code rôle", "Libellé rôle", "Code genre activité", "Libellé genre activité")


def write_rpps_derived_56col(real: Path, folder: Path, *, extra: Mapping[int, str] | None = None) -> Path:
    """DERIVED (not synthetic, not raw): the real RPPS lines of ``real`` rewritten in the 56-column layout.

    Each line of the real file (52 fields and a trailing ``|``) gets the four columns of newer
    extractions appended, empty (no raw line of that layout was found, so no value is invented);
    ``extra`` maps a 0-based data-line index to a raw text appended instead of the four empty
    fields (to make a malformed line). The file is written in ``folder`` as
    ``<real name>_derived_56col.txt``, UTF-8, LF.
    """
    lines = Path(real).read_text(encoding="utf-8").splitlines()
    out = [lines[0] + "|".join(RPPS_EXTRA_2023) + "|"]
    for i, line in enumerate(lines[1:]):
        out.append(line + (extra or {}).get(i, "|||" + "|"))
    path = Path(folder) / f"{Path(real).stem}_derived_56col.txt"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


#: Fields of a FINESS ``structureet`` line after the section name (notice etalab_cs1100507, ranks 2-31).
FINESS_STRUCTURE_FIELDS = (
    "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie", "typvoie", "voie",
    "compvoie", "lieuditbp", "commune", "departement", "libdepartement", "ligneacheminement", "telephone",
    "telecopie", "categetab", "libcategetab", "categagretab", "libcategagretab", "siret", "codeape", "codemft",
    "libmft", "codesph", "libsph", "dateouv", "dateautor", "datemaj",
)


def finess_structure_line(number: str, name: str, dep: str, commune: str, postal: str, category: str,
                          category_label: str, aggregate: str, *, ej: str = "") -> str:
    """One SYNTHETIC ``structureet`` line in the documented layout (``;``, quoted when needed, trailing ``;``)."""
    values = dict.fromkeys(FINESS_STRUCTURE_FIELDS, "")
    values.update(nofinesset=number, nofinessej=ej or number[:2] + "0000000", rs=name[:38], rslongue=name,
                  commune=commune, departement=dep, libdepartement="SYNTHETIQUE", ligneacheminement=postal,
                  categetab=category, libcategetab=category_label, categagretab=aggregate,
                  libcategagretab="SYNTHETIQUE", datemaj="2025-01-02")
    fields = [values[f] for f in FINESS_STRUCTURE_FIELDS]
    quoted = ['"' + v.replace('"', '""') + '"' if (";" in v or '"' in v) else v for v in fields]
    return "structureet;" + ";".join(quoted) + ";"


def write_finess_synthetic(folder: Path, *, encoding: str = "latin-1") -> Path:
    """Write a SYNTHETIC FINESS extraction in the etalab-cs1100507 layout; its path.

    Names and FINESS numbers are invented (``SYNTHETIQUE``, numbers ``x9...``); commune codes are
    real. Content, by line (line 1 is the comment):

    * ESS (647): ``ESS CARDIOLOGIE ILE DE FRANCE SYNTHETIQUE`` in Paris (75056), matching the
      registry's ESS of cardiologie on 75; ``EQUIPE DE SOINS SPECIALISES SYNTHETIQUE`` in Meaux
      (77284), unknown to the registry; ``ESS "SYNTHETIQUE" ; GUYANE`` (quoted, with a ``;``) in
      Cayenne (9C + 302 = 97302);
    * CPTS (604) in Meaux and Melun (77), DAC (606) in Évry-Courcouronnes (91228), a CH (1102)
      ``CENTRE HOSPITALIER SYNTHÉTIQUE`` (accent, Latin-1) in 91 and a CHR (1101) in Paris;
    * an EHPAD (500, aggregate 4401), out of scope;
    * 6 unreadable lines: a structureet line with 5 fields, a bad FINESS number, a bad commune
      code, a bad category, a duplicate FINESS number, an unknown section; and 2 unreadable
      geolocation lines (bad coordinates, an establishment absent from structureet);
    * geolocation: EPSG:2154 for the Paris ESS, the older ``LAMBERT_93`` for the Meaux ESS, no
      projection named for the CPTS of Melun.
    """
    s = finess_structure_line
    lines = [
        "finess;etalab;99;2025-01-02",
        s("759000011", "ESS CARDIOLOGIE ILE DE FRANCE SYNTHETIQUE", "75", "056", "75012 PARIS", "647",
          "Equipe de Soins Spécialisés", "2207"),
        s("779000012", "EQUIPE DE SOINS SPECIALISES SYNTHETIQUE", "77", "284", "77100 MEAUX", "647",
          "Equipe de Soins Spécialisés", "2207"),
        s("979000013", 'ESS "SYNTHETIQUE" ; GUYANE', "9C", "302", "97300 CAYENNE", "647",
          "Equipe de Soins Spécialisés", "2207"),
        s("779000021", "CPTS DU PAYS DE MEAUX SYNTHETIQUE", "77", "284", "77100 MEAUX", "604",
          "Communauté Professionnelle Territoriale de Santé (CPTS)", "2207"),
        s("779000022", "CPTS MELUN SYNTHETIQUE", "77", "288", "77000 MELUN", "604",
          "Communauté Professionnelle Territoriale de Santé (CPTS)", "2207"),
        s("919000031", "DAC ESSONNE SYNTHETIQUE", "91", "228", "91000 EVRY COURCOURONNES", "606",
          "Dispositif d'appui à la coordination (DAC)", "2207"),
        s("919000041", "CENTRE HOSPITALIER SYNTHÉTIQUE", "91", "228", "91000 EVRY COURCOURONNES", "355",
          "Centre Hospitalier (C.H.)", "1102"),
        s("759000042", "CHR SYNTHETIQUE", "75", "056", "75013 PARIS", "101",
          "Centre Hospitalier Régional (C.H.R.)", "1101"),
        s("779000051", "EHPAD SYNTHETIQUE", "77", "284", "77100 MEAUX", "500",
          "Etablissement d'hébergement pour personnes âgées dépendantes", "4401"),
        "structureet;779000061;779000060;TROP COURT;;",
        s("77900006X", "NUMERO ILLISIBLE SYNTHETIQUE", "77", "284", "77100 MEAUX", "647", "ESS", "2207"),
        s("779000071", "COMMUNE ILLISIBLE SYNTHETIQUE", "77", "28", "77100 MEAUX", "647", "ESS", "2207"),
        s("779000081", "CATEGORIE ILLISIBLE SYNTHETIQUE", "77", "284", "77100 MEAUX", "64A", "ESS", "2207"),
        s("779000012", "DOUBLON SYNTHETIQUE", "77", "284", "77100 MEAUX", "647", "ESS", "2207"),
        "structureautre;779000091;SECTION INCONNUE",
        "geolocalisation;759000011;652000.0;6861000.0;1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole);"
        "2025-01-02",
        "geolocalisation;779000012;697000.5;6873000.5;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2025-01-02",
        "geolocalisation;779000022;674000;6832000;SYNTHETIQUE;2025-01-02",
        "geolocalisation;919000031;abc;6832000;1,ATLASANTE,96,BAN,EPSG:2154;2025-01-02",
        "geolocalisation;449000099;300000;6700000;1,ATLASANTE,96,BAN,EPSG:2154;2025-01-02",
    ]
    path = Path(folder) / "etalab-cs1100507-stock-20250102-0337_finess_synthetic.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path
