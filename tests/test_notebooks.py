"""The user notebooks run top to bottom on the embedded data and the real DREES table."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.mark.parametrize("name", ["01_verifier_un_projet_ess.ipynb", "02_couverture_regionale.ipynb"])
def test_notebook_runs(name, drees_effectifs, monkeypatch):
    import nbclient
    import nbformat
    monkeypatch.setenv("ESS_GEO_SUPPLY", str(drees_effectifs))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "(trouvé)" in text
    if name.startswith("01"):
        html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
        assert any("Verdict" in h for h in html)  # check_territory's HTML repr
