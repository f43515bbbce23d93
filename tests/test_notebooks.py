"""Every notebook in notebooks/ runs top to bottom (CI executes them all).

Each ``notebooks/*.ipynb`` (glob: a new notebook is picked up automatically) is executed with
papermill in a temporary working directory, its ``parameters`` cell overridden so that input
paths are absolute and every output goes to the temporary directory; any cell error fails the
test. Fast checks: each notebook has a ``parameters``-tagged first code cell, Dutch markdown, no
stored outputs, and notebooks 01-04 match scripts/maak_notebooks.py.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
DEMO = ROOT / "corpora" / "voorbeeld"
GOLD = ROOT.parent / "shared" / "gold"
IDS = [p.stem for p in NOTEBOOKS]

DUTCH = {"de", "het", "een", "en", "van", "je", "is", "niet", "met", "dat", "die", "op", "wat",
         "voor", "zijn", "wordt", "ook", "naar", "bij", "als", "we", "hier"}
ENGLISH = {"the", "and", "of", "is", "to", "with", "this", "that", "for", "you", "are", "be"}


@pytest.fixture(autouse=True)
def _venv_kernel_first(monkeypatch):
    """Kernel 'python3' from this environment's own Jupyter paths (.venv/share/jupyter), even
    when the user has a 'python3' kernelspec of another Python in ~/.local/share/jupyter."""
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _parameters_cell(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            return cell if "parameters" in cell.metadata.get("tags", []) else None
    return None


def _parameter_names(nb) -> set[str]:
    cell = _parameters_cell(nb)
    tree = ast.parse(cell.source)
    return {t.id for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def test_notebooks_found():
    names = {p.name for p in NOTEBOOKS}
    for expected in ["01_inlezen.ipynb", "02_coderen.ipynb", "03_leren_van_eigen_codes.ipynb",
                     "05_themas_ontdekken.ipynb", "06_mixed_methods_synthese.ipynb"]:
        assert expected in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_parameters_cell_first(path):
    nb = _read(path)
    nbformat.validate(nb)
    cell = _parameters_cell(nb)
    assert cell is not None, f"{path.name}: de eerste codecel moet de tag 'parameters' hebben"
    names = _parameter_names(nb)
    assert names, f"{path.name}: de parametercel wijst geen variabelen toe"
    # the parameters cell holds plain assignments only (papermill injects after it)
    tree = ast.parse(cell.source)
    assert all(isinstance(n, ast.Assign) for n in tree.body), f"{path.name}: alleen toewijzingen"
    # an input folder and an output folder can be pointed elsewhere
    assert "CORPUS" in names and "UITVOER" in names, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_markdown_is_dutch_and_explains(path):
    nb = _read(path)
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert md and md[0].lstrip().startswith("# "), f"{path.name}: begint met een titel"
    words = re.findall(r"[a-zà-ÿ]+", " ".join(md).lower())
    n_nl = sum(w in DUTCH for w in words)
    n_en = sum(w in ENGLISH for w in words)
    assert len(words) > 150, f"{path.name}: te weinig uitleg ({len(words)} woorden)"
    assert n_nl > 5 * max(n_en, 1), f"{path.name}: uitleg lijkt niet Nederlands ({n_nl} nl, {n_en} en)"
    n_code = sum(c.cell_type == "code" for c in nb.cells)
    assert len(md) >= n_code // 2, f"{path.name}: te weinig uitleg tussen de codecellen"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path):
    nb = _read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, \
                f"{path.name}: notebooks worden zonder uitvoer opgeslagen"


def test_generated_notebooks_match_script():
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "maak_notebooks.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def _parameters_for(path: Path, names: set[str], tmp_path: Path) -> dict:
    out = tmp_path / "uitvoer" / path.stem
    values = {
        "CORPUS": str(DEMO),
        "UITVOER": str(out),
        "CIJFERS": str(DEMO / "cijfers" / "casussen.csv"),
        "REFERENTIE": str(GOLD / "dev.jsonl") if (GOLD / "dev.jsonl").exists()
        else str(tmp_path / "geen_referentie.jsonl"),
        "REFERENTIE_SEGMENTEN": str(GOLD / "segments.jsonl"),
        "OVERSCHRIJF": False,
        "N_SUGGESTIES": 5,
    }
    return {k: v for k, v in values.items() if k in names}


def _execute(path: Path, tmp_path: Path, parameters: dict):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / f"{path.stem}.uitgevoerd.ipynb"
    try:
        papermill.execute_notebook(str(path), str(out), parameters=parameters,
                                   cwd=str(tmp_path), kernel_name="python3",
                                   progress_bar=False, log_output=False,
                                   execution_timeout=600)
    except papermill.PapermillExecutionError as exc:
        pytest.fail(f"{path.name}: cel {exc.exec_count} faalt: {exc.ename}: {exc.evalue}")
    return _read(out)


def test_kernel_is_the_venv_python(tmp_path):
    """The kernel 'python3' the notebooks run in is this environment's Python (.venv)."""
    papermill = pytest.importorskip("papermill")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('X = 1', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import sys, verhalen\nprint(sys.prefix)\nprint(verhalen.__file__)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp_path / "kern.ipynb"
    nbformat.write(nb, src)
    papermill.execute_notebook(str(src), str(tmp_path / "kern.out.ipynb"), cwd=str(tmp_path),
                               kernel_name="python3", progress_bar=False)
    text = _read(tmp_path / "kern.out.ipynb").cells[1].outputs[0]["text"].splitlines()
    assert Path(text[0]).resolve() == Path(sys.prefix).resolve(), \
        f"de kernel draait in {text[0]}, niet in {sys.prefix}"
    assert Path(text[1]).resolve().is_relative_to(ROOT / "src"), text[1]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs(path, tmp_path):
    nb = _read(path)
    source = "".join(c.source for c in nb.cells)
    if "verhalen.rapport" in source:     # notebook 04 writes the report (engineer B's module)
        pytest.importorskip("verhalen.rapport", reason="verhalen.rapport bestaat nog niet")
    params = _parameters_for(path, _parameter_names(nb), tmp_path)
    before = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").rglob("*"))
    done = _execute(path, tmp_path, params)
    # every code cell ran, without an error output
    for cell in done.cells:
        if cell.cell_type == "code":
            assert not any(o.get("output_type") == "error" for o in cell.get("outputs", []))
    # outputs went to the temporary folder: nothing new in the repository's notebooks folder
    after = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").rglob("*"))
    assert after == before
    out = Path(params["UITVOER"])
    assert out.is_dir() and any(out.iterdir()), f"{path.name}: schreef niets in UITVOER"
    # figures are shown inline (plotly) where the notebook draws them
    html = [o for c in done.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "application/vnd.plotly.v1+json" in o.get("data", {})]
    if "plotly" in source:
        assert html, f"{path.name}: geen plotly-figuur in de uitvoer"
    _check_outputs(path.stem, out, done)


def _check_outputs(stem: str, out: Path, done) -> None:
    """What each notebook must have written (a missing file means a step silently did nothing)."""
    expected = {
        "01_inlezen": ["segments.jsonl", "documents.jsonl", "corpus.json", "mensen.csv"],
        "02_coderen": ["codes.jsonl"],
        "03_leren_van_eigen_codes": ["mijn_codes.jsonl", "nog_te_coderen.csv"],
        "04_sporenkaart_en_themakaart": ["rapport.html"],
        "06_mixed_methods_synthese": ["tellen_en_vertellen.html"],
    }.get(stem, [])
    for name in expected:
        assert (out / name).exists(), f"{stem}: {name} ontbreekt in {out}"


@pytest.mark.slow
def test_rerun_never_overwrites_earlier_output(tmp_path):
    """Running 01 into a UITVOER that holds an earlier project folder stops with a Dutch
    refusal and leaves it as it was; OVERSCHRIJF = True replaces it."""
    papermill = pytest.importorskip("papermill")
    path = NB_DIR / "01_inlezen.ipynb"
    params = _parameters_for(path, _parameter_names(_read(path)), tmp_path)
    out = Path(params["UITVOER"])
    out.mkdir(parents=True)
    (out / "segments.jsonl").write_text("mijn eigen werk\n", encoding="utf-8")
    with pytest.raises(papermill.PapermillExecutionError) as info:
        papermill.execute_notebook(str(path), str(tmp_path / "tweede.ipynb"), parameters=params,
                                   cwd=str(tmp_path), kernel_name="python3", progress_bar=False)
    assert info.value.ename == "OverschrijfFout"
    assert "OVERSCHRIJF = True" in info.value.evalue
    assert (out / "segments.jsonl").read_text(encoding="utf-8") == "mijn eigen werk\n"
    _execute(path, tmp_path, {**params, "OVERSCHRIJF": True})
    assert (out / "segments.jsonl").read_text(encoding="utf-8").startswith("{")


@pytest.mark.slow
def test_own_codes_are_kept_on_a_rerun(tmp_path):
    """03 into a UITVOER holding the student's earlier codes and a filled-in sheet: the earlier
    line stays first, byte for byte, only new segments are appended, the sheet is untouched."""
    path = NB_DIR / "03_leren_van_eigen_codes.ipynb"
    params = _parameters_for(path, _parameter_names(_read(path)), tmp_path)
    out = Path(params["UITVOER"])
    out.mkdir(parents=True)
    earlier = ('{"id": "verhalen-ervaringsverhalen-leeratelier-la-01-0000", '
               '"codes": ["methodische_rugzak"], "opmerking": "eerder zelf gecodeerd"}\n')
    (out / "mijn_codes.jsonl").write_text(earlier, encoding="utf-8")
    sheet = "id,codes\nx,basishouding\n"
    (out / "nog_te_coderen.csv").write_text(sheet, encoding="utf-8")
    _execute(path, tmp_path, params)
    lines = (out / "mijn_codes.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0] == earlier
    assert len(lines) > 20 and not any("la-01-0000" in line for line in lines[1:])
    assert (out / "nog_te_coderen.csv").read_text(encoding="utf-8") == sheet
