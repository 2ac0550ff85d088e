"""Write the user notebooks of ``notebooks/`` (reproducible: rerun after editing this script).

Usage::

    python scripts/make_notebooks.py

The notebooks use only the public API and find the supply file through the environment variable
``ESS_GEO_SUPPLY`` (default: the DREES table in ``../../shared/data`` relative to ``notebooks/``).
They are executed by ``tests/test_notebooks.py``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parents[1] / "notebooks"

SETUP = '''import os
from pathlib import Path

# Fichier d'effectifs (table DREES ou extraction RPPS) : variable ESS_GEO_SUPPLY, sinon la table DREES partagée.
SUPPLY = Path(os.environ.get(
    "ESS_GEO_SUPPLY",
    "../../shared/data/medecins_effectifs/drees_rpps_effectifs_dep_x_specialite15.csv",
))
print("Fichier d'effectifs :", SUPPLY, "(trouvé)" if SUPPLY.is_file() else "(INTROUVABLE)")'''


def notebook_01() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Vérifier un projet d'ESS\n\n"
            "Ce carnet vérifie pas à pas qu'un territoire proposé peut accueillir une **Équipe de Soins "
            "Spécialisés (ESS)** : spécialité, périmètre en départements entiers, continuité territoriale, "
            "absence de chevauchement avec une ESS existante, seuil de 10 spécialistes, part d'adhérents et "
            "financement indicatif.\n\n"
            "Exemple : une ESS de **cardiologie** sur l'Ariège (09) et la Haute-Garonne (31), avec 25 adhérents."
        ),
        new_markdown_cell("## 1. Les données\n\nLe fichier d'effectifs est lu une fois ; les lignes illisibles sont comptées."),
        new_code_cell(SETUP),
        new_code_cell(
            "from ess_geo.inputs.load import load_supply\n\n"
            "supply = load_supply(SUPPLY)\n"
            "print(supply.source.label())\n"
            "print('Lignes écartées :', supply.dropped.count)"
        ),
        new_markdown_cell("## 2. La spécialité\n\nLes alias sont acceptés (« cardio »), la médecine générale est refusée."),
        new_code_cell(
            "from ess_geo.reference.specialties import get_specialty\n\n"
            "spec = get_specialty('cardio')\n"
            "print(spec.id, '—', spec.label, '— groupe DREES :', spec.drees_group)"
        ),
        new_markdown_cell("## 3. Le territoire et ses voisins"),
        new_code_cell(
            "from ess_geo.reference.codes import departement_name\n"
            "from ess_geo.reference.geography import neighbours\n\n"
            "territory = ['09', '31']\n"
            "for code in territory:\n"
            "    print(code, departement_name(code), '— voisins :', ', '.join(neighbours(code)))"
        ),
        new_markdown_cell("## 4. Effectifs de la spécialité sur le territoire"),
        new_code_cell(
            "count = supply.count(spec, territory)\n"
            "print('Total :', count.total, '(exact)' if count.exact else '(majorant)', '—', count.basis)\n"
            "for code, n in count.by_departement.items():\n"
            "    print(f'  {departement_name(code)} ({code}) : {n} spécialistes')"
        ),
        new_markdown_cell(
            "## 5. Vérification complète\n\n"
            "`check_territory` applique toutes les règles ; chaque critère porte ses preuves. "
            "Le verdict est *admissible*, *non admissible* ou *indéterminé*."
        ),
        new_code_cell(
            "from ess_geo.rules.territory import check_territory\n\n"
            "result = check_territory('cardiologie', territory, adherents=25, supply=supply)\n"
            "result  # tableau en français dans Jupyter"
        ),
        new_code_cell(
            "# Les preuves d'un critère : effectifs par département, total, source...\n"
            "seuil = result.criterion('threshold')\n"
            "print(seuil.status_fr, '—', seuil.message)\n"
            "print('Effectif total :', seuil.evidence['total'], '; densité pour 100 000 habitants :', seuil.evidence['density_per_100k'])"
        ),
        new_markdown_cell(
            "## 6. Carte\n\nLa carte s'affiche sans serveur de tuiles ; `save_map(carte, 'carte.html')` "
            "(ou `.png`, `.pdf`) l'exporte pour le comité."
        ),
        new_code_cell(
            "from ess_geo.render.html_map import make_territory_map\n\n"
            "carte = make_territory_map(result, supply=supply)\n"
            "carte"
        ),
        new_markdown_cell(
            "## 7. Un territoire qui ne convient pas\n\n"
            "Paris est déjà couvert par une ESS de cardiologie (registre embarqué) : le critère de "
            "chevauchement échoue et nomme l'ESS."
        ),
        new_code_cell(
            "refused = check_territory('cardiologie', ['75'], supply=supply)\n"
            "print(refused.verdict_fr)\n"
            "print(refused.criterion('overlap').message)"
        ),
    ]
    return new_notebook(cells=cells, metadata=_metadata())


def notebook_02() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Couverture régionale par les ESS\n\n"
            "Pour une région et toutes les spécialités dont on connaît les effectifs : départements couverts "
            "par une ESS, départements pouvant en accueillir une seuls (≥ 10 spécialistes) et, sinon, plus petit "
            "groupe contigu de départements non couverts atteignant le seuil ; financement **indicatif**.\n\n"
            "Exemple : la région **Occitanie** (76)."
        ),
        new_code_cell(SETUP),
        new_code_cell("REGION = '76'"),
        new_markdown_cell("## 1. Calcul de la couverture"),
        new_code_cell(
            "from ess_geo.analysis.coverage import coverage_table\n\n"
            "cov = coverage_table(REGION, supply=SUPPLY)\n"
            "print(len(cov.table), 'lignes ;', ', '.join(s.label for s in cov.specialties))"
        ),
        new_markdown_cell("## 2. Synthèse par spécialité"),
        new_code_cell(
            "from ess_geo.analysis.coverage import LABELS_FR\n"
            "from ess_geo.render.reports import cell_text\n\n\n"
            "def en_francais(table):\n"
            "    \"\"\"Valeurs en français (oui/non, nombres à la française) et en-têtes français.\"\"\"\n"
            "    return table.apply(lambda col: col.map(lambda v: cell_text(col.name, v))).rename(columns=LABELS_FR)\n\n\n"
            "en_francais(cov.summary.drop(columns=['code_region', 'region', 'specialty']))"
        ),
        new_markdown_cell("## 3. Détail d'une spécialité\n\nLes départements sous le seuil et leur plus petit groupe contigu."),
        new_code_cell(
            "detail = cov.for_specialty('cardiologie')\n"
            "en_francais(detail[['code_dep', 'departement', 'n_specialists', 'density_per_100k', 'could_host_alone',\n"
            "                    'group_status', 'group', 'group_n_specialists']])"
        ),
        new_markdown_cell("## 4. Sources"),
        new_code_cell("for source in cov.sources:\n    print('-', source.label())"),
        new_markdown_cell(
            "## 5. Rapport HTML, XLSX et CSV\n\n"
            "Le même rapport que `ess-geo report --region 76 --out DOSSIER` (écrit ici dans un dossier temporaire)."
        ),
        new_code_cell(
            "import tempfile\n\n"
            "from ess_geo.render.reports import write_coverage_report\n\n"
            "out_dir = Path(tempfile.mkdtemp(prefix='couverture_'))\n"
            "files = write_coverage_report(out_dir, REGION, supply=SUPPLY, result=cov)\n"
            "for path in files.paths:\n"
            "    print(path.relative_to(out_dir))"
        ),
        new_markdown_cell("## 6. Carte de couverture"),
        new_code_cell(
            "from ess_geo.render.html_map import make_coverage_map\n\n"
            "make_coverage_map(cov, 'cardiologie')  # la carte dessine les classes du tableau de couverture"
        ),
    ]
    return new_notebook(cells=cells, metadata=_metadata())


def _metadata() -> dict:
    return {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, nb in (("01_verifier_un_projet_ess.ipynb", notebook_01()), ("02_couverture_regionale.ipynb", notebook_02())):
        nbformat.validate(nb)
        nbformat.write(nb, OUT / name)
        print("écrit :", OUT / name)


if __name__ == "__main__":
    main()
