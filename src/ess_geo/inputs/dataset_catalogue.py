"""The catalogue of official open datasets ess_geo reads: :class:`Dataset` and :data:`DATASETS`.

Every entry points to its official publisher (ANS Annuaire Santé, DREES, CNAM/ameli, the ARS, the
FINESS extraction on data.gouv.fr), never to a personal copy. Downloading and caching is
:mod:`ess_geo.inputs.datasets`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DATASETS", "Dataset"]


@dataclass(frozen=True)
class Dataset:
    """An official open dataset ess_geo can download.

    Attributes
    ----------
    name : str
        Key used by :func:`fetch` and ``ess-geo data fetch NAME``.
    title : str
        French title.
    url : str or None
        Download URL of the official file; None when the publisher has no file at a stable address.
    filename : str
        File name in the cache.
    publisher : str
        Who publishes it.
    licence : str
        Licence line.
    source_page : str
        The publisher's page(s) documenting the dataset (official sites only).
    sha256 : str or None
        Expected SHA-256 when the content is pinned (None for daily-updated files).
    size : int or None
        Expected size in bytes when known.
    vintage : str
        Vintage when fixed; otherwise read from the download (file name, ``Last-Modified``).
    note : str
        Caveats (French).
    kind : str
        Format the download must have: ``"zip"`` (a readable archive), ``"csv"`` (a text file whose
        first line starts with ``header`` and that ends with a full line) or ``""`` (only an HTML
        page is refused).
    header : str
        Expected start of a CSV's first line (case-insensitive).
    """

    name: str
    title: str
    url: str | None
    filename: str
    publisher: str
    licence: str
    source_page: str
    sha256: str | None = None
    size: int | None = None
    vintage: str = ""
    note: str = ""
    kind: str = ""
    header: str = ""


#: The datasets known to ess_geo, each pointing to its OFFICIAL publisher (never a personal copy).
#: ``url`` is None when the publisher offers no file at a stable address: ``fetch`` then names the
#: official page to download it from by hand.
DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            name="rpps",
            title="ANS — Annuaire Santé, extraction publique du RPPS (PS_LibreAcces : Personne_activite, "
            "Dipl_AutExerc, SavoirFaire)",
            url="https://service.annuaire.sante.fr/annuaire-sante-webservices/V300/services/extraction/PS_LibreAcces",
            filename="PS_LibreAcces.zip",
            kind="zip",
            publisher="Agence du Numérique en Santé (ANS), Annuaire Santé (annuaire.sante.fr)",
            licence="Licence Ouverte 2.0 — citer « RPPS » et la date de mise à jour",
            source_page="https://annuaire.sante.fr/web/site-pro/extractions-publiques ; "
            "https://www.data.gouv.fr/datasets/annuaire-sante-extractions-des-donnees-en-libre-acces-"
            "des-professionnels-intervenant-dans-le-systeme-de-sante-rpps",
            note="Mise à jour quotidienne : pas d'empreinte fixe ; le millésime est l'horodatage du fichier. "
            "Les extractions récentes ont 56 colonnes (Code rôle, Libellé rôle, Code genre activité, "
            "Libellé genre activité en plus des 52) : les deux formats sont lus.",
        ),
        Dataset(
            name="finess",
            title="FINESS — extraction des établissements géolocalisés (etalab-cs1100507-stock) : ESS (647), "
            "CPTS (604), DAC (606), hôpitaux",
            url="https://www.data.gouv.fr/fr/datasets/r/98f3161f-79ff-4f16-8f6a-6d571a80fea2",
            filename="etalab-cs1100507-stock.csv",
            kind="csv",
            header="finess;etalab;",
            publisher="Ministère chargé de la santé, fichier national des établissements sanitaires et sociaux "
            "(FINESS), publié sur data.gouv.fr",
            licence="Licence Ouverte / Etalab",
            source_page="https://www.data.gouv.fr/fr/datasets/finess-extraction-du-fichier-des-etablissements/ "
            "(ressource « etalab-cs1100507-stock » ; notice etalab_cs1100507)",
            note="Séparateur « ; », Latin-1 ; ligne 1 : commentaire (finess;etalab;n°;date) ; sections "
            "structureet et geolocalisation. Le millésime est la date du nom de fichier. Si l'adresse de la "
            "ressource change, la reprendre sur la page du jeu de données.",
        ),
        Dataset(
            name="drees-effectifs",
            title="DREES — démographie des professionnels de santé : médecins inscrits au RPPS par département "
            "× groupes de spécialités",
            url=None,
            filename="drees_rpps_effectifs_dep_x_specialite15.csv",
            publisher="Direction de la recherche, des études, de l'évaluation et des statistiques (DREES)",
            licence="Licence Ouverte / Etalab (DREES)",
            source_page="https://drees.solidarites-sante.gouv.fr/sources-outils-et-enquetes/"
            "la-demographie-des-professionnels-de-sante ; https://data.drees.solidarites-sante.gouv.fr",
            vintage="RPPS au 1er janvier 2022, tous modes d'exercice (millésime déduit du total national)",
            note="Pas de fichier à adresse stable : exporter le tableau depuis le site de la DREES, puis "
            "le passer avec --supply.",
        ),
        Dataset(
            name="cnam-liberaux",
            title="Assurance Maladie — effectif et densité des médecins libéraux par spécialité et département",
            url=None,
            filename="cnam_specialistes_liberaux_par_departement.csv",
            publisher="Caisse nationale de l'Assurance Maladie (CNAM), données ameli (Data ameli, professionnels "
            "de santé libéraux)",
            licence="Licence Ouverte / Etalab (open data ameli)",
            source_page="https://data.ameli.fr/pages/data-professionnels-sante-liberaux-methode ; "
            "https://www.assurance-maladie.ameli.fr/etudes-et-donnees",
            vintage="libéraux actifs au 31/12/2018 (édition « Effectif et densité par département en 2018 »)",
            note="Pas de fichier à adresse stable : télécharger la série sur data.ameli.fr, puis la passer "
            "avec --supply.",
        ),
        Dataset(
            name="zonage-mg",
            title="Zonage des médecins généralistes (ZIP, ZAC, hors zonage) arrêté par chaque ARS",
            url=None,
            filename="zonage_mg.csv",
            publisher="Agences régionales de santé (ARS), arrêtés régionaux de zonage (méthode nationale DGOS)",
            licence="arrêtés publics des ARS",
            source_page="https://cartosante.atlasante.fr (zonage conventionnel ARS/DGOS) ; arrêté de zonage sur le "
            "site de chaque ARS (https://www.<région>.ars.sante.fr)",
            note="Pas de fichier national à adresse stable : exporter le zonage de la région, puis le passer "
            "avec --zonage.",
        ),
    )
}
