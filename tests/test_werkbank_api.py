"""The workbench API with Starlette's TestClient: every action and every refusal."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from verhalen.journaal import Journal, write_human_codes  # noqa: E402
from verhalen.werkbank import Werkbank  # noqa: E402
from verhalen.werkbank.app import CSP, create_app  # noqa: E402
from verhalen.werkbank.leren import Herleren, group_folds  # noqa: E402
from verhalen.werkbank.project import HELDOUT_FILE, PROPOSALS_FILE  # noqa: E402
from werkbank_data import MALICIOUS, make_project  # noqa: E402

TOKEN = "geheim-token-voor-de-test"
H = {"X-Verhalen-Token": TOKEN}


@pytest.fixture()
def project(tmp_path):
    return make_project(tmp_path / "project", n_docs=4, per_doc=5)


@pytest.fixture()
def wb(project):
    return Werkbank(project, coder="Anna")


@pytest.fixture()
def client(wb, nlp):
    from verhalen.coderen import RuleCoder

    refit = Herleren(wb, coder_factory=lambda cb: (lambda: RuleCoder(cb, nlp=nlp)))
    app = create_app(wb, TOKEN, hosts=("testserver",), refit=refit)
    with TestClient(app) as c:
        yield c


def post(client, body, headers=H, path="/api/besluit"):
    return client.post(path, json=body, headers=headers)


# ----------------------------------------------------------------------------- token & safety
@pytest.mark.parametrize("path", ["/", "/static/kern.js", "/static/werkbank.css", "/api/project",
                                  "/api/wachtrij", "/api/herleer", "/api/overeenstemming",
                                  "/bestaat/niet"])
def test_every_request_needs_the_token(client, path):
    for url, headers in ((path, {}), (path + "?token=fout", {}),
                         (path, {"X-Verhalen-Token": "fout"})):
        r = client.get(url, headers=headers)
        assert r.status_code == 403, url
        assert "token" in r.json()["fout"]
        assert r.headers["content-security-policy"] == CSP


def test_token_in_query_or_header_opens_and_headers_are_safe(client):
    r = client.get(f"/?token={TOKEN}")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert f'content="{TOKEN}"' in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'self'")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in r.text.replace('<script src="/static/', "")   # no inline script
    assert client.get("/api/project", headers=H).status_code == 200
    js = client.get(f"/static/kern.js?token={TOKEN}")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "innerHTML" not in js.text and "insertAdjacentHTML" not in js.text
    assert "http://" not in js.text and "https://" not in js.text           # nothing external


def test_post_needs_the_token_in_the_header_not_the_query(client, wb):
    seg = "interview-01-0000"
    r = client.post(f"/api/besluit?token={TOKEN}", json={"segment": seg, "actie": "klaar"})
    assert r.status_code == 403 and "X-Verhalen-Token" in r.json()["fout"]
    r = client.post(f"/api/herleer?token={TOKEN}", json={})
    assert r.status_code == 403
    assert wb.journal.records() == []


def test_other_hosts_and_methods_are_refused(client):
    r = client.get(f"/api/project?token={TOKEN}", headers={"Host": "boos.example"})
    assert r.status_code == 403 and "host" in r.json()["fout"]
    assert client.put("/api/besluit", headers=H, json={}).status_code == 405
    assert client.delete("/api/besluit", headers=H).status_code == 405


def test_static_files_only_from_the_fixed_list(client):
    for name in ("..%2F..%2Fpyproject.toml", "index.html", "app.py", "%2Fetc%2Fpasswd"):
        assert client.get(f"/static/{name}", headers=H).status_code == 404
    assert client.get("/static/../app.py", headers=H).status_code in (403, 404)


def test_page_data(client):
    p = client.get("/api/project", headers=H).json()
    assert p["codeur"] == "Anna"
    assert len(p["segmenten"]) == 20 and len(p["documenten"]) == 4
    d0 = p["documenten"][0]
    assert d0["titel"] == "Interview 1" and d0["n_segmenten"] == 5 and d0["n_beoordeeld"] == 0
    assert set(d0["profiel"]) == {"vakmanschap", "betekenisgeving", "doelmatigheid"}
    assert abs(sum(d0["profiel"].values()) - 1) < 0.01
    codes = p["codeboek"]["codes"]
    assert codes[0]["nummer"] == 1 and codes[0]["kleur"].startswith("#")
    s = p["segmenten"][0]
    assert s["voorstel"][0]["code"] == "basishouding" and 0 < s["voorstel"][0]["zekerheid"] <= 1
    assert any(z["codes"] for z in s["zinnen"])        # evidence sentence marked
    assert [t["kleur"] for t in p["sporen"]] == ["#0072B2", "#E69F00", "#009E73"]
    bad = next(x for x in p["segmenten"] if x["id"] == "interview-00-0001")
    assert bad["tekst"] == MALICIOUS                   # data, escaped by the client
    assert "onderzoeker" in p["rollen"]


def test_every_action_is_journalled_and_returned(client, wb):
    seg = "interview-01-0002"
    machine_before = (wb.folder / "codes.jsonl").read_bytes()
    steps = [
        ({"actie": "accepteer", "code": "preventie"}, ["preventie"], []),
        ({"actie": "verwerp", "code": "financiering_en_beleid"}, ["preventie"],
         ["financiering_en_beleid"]),
        ({"actie": "voeg_toe", "code": "eigen_stem"}, ["preventie", "eigen_stem"],
         ["financiering_en_beleid"]),
        ({"actie": "verwijder", "code": "preventie"}, ["eigen_stem"], ["financiering_en_beleid"]),
        ({"actie": "memo", "memo": "Let op: <b>citaat</b> voor het rapport"}, ["eigen_stem"],
         ["financiering_en_beleid"]),
        ({"actie": "klaar"}, ["eigen_stem"], ["financiering_en_beleid"]),
    ]
    for body, codes, rejected in steps:
        r = post(client, {"segment": seg, **body})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["mens"]["codes"] == codes and out["mens"]["verworpen"] == rejected
        assert out["besluit"]["codeur"] == "Anna" and out["besluit"]["actie"] == body["actie"]
    assert [r["actie"] for r in wb.journal.records()] == [b["actie"] for b, _, _ in steps]
    # a reload (new server object on the same folder) restores exactly this state
    again = Werkbank(wb.folder, coder="Anna").page()
    m = again["mens"][seg]
    assert m["codes"] == ["eigen_stem"] and m["memo"].startswith("Let op: <b>")
    assert m["klaar"] and again["documenten"][1]["n_beoordeeld"] == 1
    # the machine codes stay apart
    assert (wb.folder / "codes.jsonl").read_bytes() == machine_before


def test_decisions_carry_the_coder_name(client, wb):
    seg = "interview-02-0000"
    assert post(client, {"segment": seg, "actie": "klaar", "codeur": "Bram"}).status_code == 200
    assert post(client, {"segment": seg, "actie": "voeg_toe", "code": "preventie"}).status_code == 200
    assert wb.journal.coders() == ["Bram", "Anna"]
    p = client.get("/api/project?codeur=Bram", headers=H).json()
    assert p["mens"][seg]["codes"] == [] and p["mens"][seg]["klaar"]


@pytest.mark.parametrize("body, msg", [
    ({"segment": "../../etc/passwd", "actie": "klaar"}, "onbekend segment"),
    ({"segment": "/tmp/x.jsonl", "actie": "klaar"}, "onbekend segment"),
    ({"segment": ["interview-00-0000"], "actie": "klaar"}, "onbekend segment"),
    ({"segment": "interview-00-0000", "actie": "wis_alles"}, "onbekende actie"),
    ({"segment": "interview-00-0000", "actie": "accepteer"}, "onbekende code"),
    ({"segment": "interview-00-0000", "actie": "voeg_toe", "code": "verzonnen"}, "onbekende code"),
    ({"segment": "interview-00-0000", "actie": "klaar", "code": "preventie"}, "geen code"),
    ({"segment": "interview-00-0000", "actie": "memo", "memo": 5}, "tekst"),
    ({"segment": "interview-00-0000", "actie": "memo", "memo": "x" * 20_001}, "langer"),
    ({"segment": "interview-00-0000", "actie": "klaar", "memo": "x"}, "geen memo"),
    ({"segment": "interview-00-0000", "actie": "klaar", "codeur": "<script>"}, "codeur"),
    ({"segment": "interview-00-0000", "actie": "klaar", "pad": "/etc"}, "onbekende velden"),
])
def test_invalid_decisions_are_refused_and_nothing_is_written(client, wb, body, msg):
    r = post(client, body)
    assert r.status_code == 400 and msg in r.json()["fout"]
    assert not wb.journal.path.exists()


def test_body_must_be_a_json_object(client, wb):
    r = client.post("/api/besluit", content=b"segment=x", headers={**H, "Content-Type":
                                                                   "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and "JSON" in r.json()["fout"]
    r = client.post("/api/besluit", content=b"{kapot", headers={**H, "Content-Type":
                                                                "application/json"})
    assert r.status_code == 400
    r = client.post("/api/besluit", content=b"[1, 2]", headers={**H, "Content-Type":
                                                                "application/json"})
    assert r.status_code == 400 and "object" in r.json()["fout"]
    r = client.post("/api/besluit", content=b" " * 70_000, headers={**H, "Content-Type":
                                                                    "application/json"})
    assert r.status_code == 400 and "groot" in r.json()["fout"]
    assert not wb.journal.path.exists()


def test_queue_worth_coding_next(client):
    post(client, {"segment": "interview-00-0000", "actie": "klaar"})
    r = client.get("/api/wachtrij?n=5", headers=H)
    assert r.status_code == 200
    q = r.json()["wachtrij"]
    assert len(q) == 5 and "interview-00-0000" not in [x["id"] for x in q]
    assert all(x["reden"] for x in q) and [x["rang"] for x in q] == [1, 2, 3, 4, 5]
    assert client.get("/api/wachtrij?n=veel", headers=H).status_code == 400


def _code_everything(client, wb):
    for sid in wb.order:
        for p in wb.segment_view(sid)["voorstel"]:
            post(client, {"segment": sid, "actie": "accepteer", "code": p["code"]})
        post(client, {"segment": sid, "actie": "klaar"})


def test_refit_too_little_is_refused(client):
    post(client, {"segment": "interview-00-0000", "actie": "klaar"})
    r = client.post("/api/herleer", json={}, headers=H)
    assert r.status_code == 400 and "te weinig" in r.json()["fout"]


def test_refit_runs_in_background_and_reports_held_out_figures(client, wb):
    machine_before = (wb.folder / "codes.jsonl").read_bytes()
    _code_everything(client, wb)
    n_before = len(wb.journal.records())
    r = client.post("/api/herleer", json={}, headers=H)
    assert r.status_code == 202 and r.json()["bezig"]
    second = client.post("/api/herleer", json={}, headers=H)
    assert second.status_code in (202, 409)     # 409 while the first one runs
    refit = wb_refit(client)
    refit.join(120)
    st = client.get("/api/herleer", headers=H).json()
    assert st["klaar"] and not st["bezig"] and st["fout"] is None, st
    res = st["resultaat"]
    assert res["folds"] == 4 and res["n_segmenten"] == 20 and "document" in res["methode"]
    assert {r["code"] for r in res["per_code"]} >= {"preventie", "eigen_stem"}
    # proposals of the refit apart from codes.jsonl; human decisions untouched
    assert (wb.folder / "codes.jsonl").read_bytes() == machine_before
    assert (wb.folder / PROPOSALS_FILE).is_file() and (wb.folder / HELDOUT_FILE).is_file()
    assert len(wb.journal.records()) == n_before
    p = client.get("/api/project", headers=H).json()
    assert p["voorstellen_bron"] == "herleerd" and p["toetsing"]["codeur"] == "Anna"
    assert all(s["bron"] == "herleerd" for s in p["segmenten"])
    line = json.loads((wb.folder / PROPOSALS_FILE).read_text().splitlines()[0])
    assert set(line["kansen"]) == set(wb.code_ids)


def wb_refit(client):
    return client.app.app.state.herleren


def test_held_out_figures_are_not_training_agreement(wb, nlp):
    """Each held-out prediction comes from a coder that never saw that document."""
    from verhalen.coderen import RuleCoder

    pairs = []      # (ids a coder learned from, ids it then coded)

    class Spy(RuleCoder):
        def fit(self, X, Y):
            self.learned_ids = set(X["id"])
            return super().fit(X, Y)

        def code(self, X):
            pairs.append((self.learned_ids, set(X["id"])))
            return super().code(X)

    j = wb.journal
    for sid in wb.order:
        j.append(coder="Anna", segment_id=sid, action="voeg_toe", code="preventie")
    refit = Herleren(wb, coder_factory=lambda cb: (lambda: Spy(cb, nlp=nlp)))
    X, Y = refit.training_set("Anna")
    res = refit.run("Anna", X, Y)
    docs = {sid: wb.segments[sid]["doc_id"] for sid in wb.order}
    assert len(pairs) == res["folds"] + 1
    held_out = set()
    for learned, coded in pairs[:-1]:
        assert {docs[s] for s in coded}.isdisjoint({docs[s] for s in learned})
        held_out |= coded
    assert held_out == set(wb.order)      # every coded segment predicted once, held out
    assert pairs[-1] == (set(wb.order), set(wb.order))   # the final coder learns from all


def test_group_folds_keep_documents_together():
    groups = ["a"] * 5 + ["b"] * 3 + ["c"] * 3 + ["d"]
    f = group_folds(groups, 3)
    for g in set(groups):
        assert len({f[i] for i, x in enumerate(groups) if x == g}) == 1
    assert len(set(f)) == 3


def test_agreement_between_coders_and_with_the_machine(client, wb):
    segs = wb.order[:6]
    for sid in segs:
        first = wb.segment_view(sid)["voorstel"][0]["code"]
        post(client, {"segment": sid, "actie": "accepteer", "code": first, "codeur": "Anna"})
        post(client, {"segment": sid, "actie": "klaar", "codeur": "Bram"})
    post(client, {"segment": segs[0], "actie": "voeg_toe",
                  "code": wb.segment_view(segs[0])["voorstel"][0]["code"], "codeur": "Bram"})
    post(client, {"segment": segs[0], "actie": "klaar", "codeur": "Cees"})
    o = client.get("/api/overeenstemming?a=Anna&b=Bram", headers=H).json()
    assert o["codeurs"] == ["Anna", "Bram", "Cees"]
    t = o["tussen"]
    assert t["n_segmenten"] == 6
    row = {r["code"]: r for r in t["per_code"]}
    first = wb.segment_view(segs[0])["voorstel"][0]["code"]
    assert row[first]["n_a"] >= 1 and row[first]["n_b"] == 1
    assert all(r["kappa"] is None or -1 <= r["kappa"] <= 1 for r in t["per_code"])
    assert [m["a"] for m in o["machine"]] == ["Anna", "Bram", "Cees"]
    assert o["alle_codeurs"]["n_segmenten"] >= 1
    assert client.get("/api/overeenstemming?a=%3Cx%3E", headers=H).status_code == 400


def test_human_codes_flow_to_codeer_menselijk(client, wb, tmp_path):
    from verhalen.codeboek import load_codebook
    from verhalen.menselijk import load_human_codes

    post(client, {"segment": "interview-03-0001", "actie": "voeg_toe", "code": "preventie"})
    post(client, {"segment": "interview-03-0002", "actie": "klaar"})
    out = write_human_codes(wb.folder, tmp_path / "mens.jsonl")
    cb = load_codebook("impact")
    human = load_human_codes(out, wb.order, cb)
    assert dict(zip(human["id"], human["codes"])) == {"interview-03-0001": ["preventie"],
                                                      "interview-03-0002": []}
    assert Journal.for_project(wb.folder).human_long()["coder"].tolist() == ["Anna"]


def test_not_a_project_folder(tmp_path):
    from verhalen.werkbank import WerkbankFout

    with pytest.raises(WerkbankFout, match="segments.jsonl"):
        Werkbank(tmp_path)


def test_human_codes_flow_to_report_and_refi_qda(client, wb, tmp_path):
    """Report: human codes win per segment (merge_codes); REFI-QDA: each coder is a user."""
    import re
    import zipfile

    import pandas as pd

    from verhalen.codeboek import load_codebook
    from verhalen.codes import read_codes, wide_to_long
    from verhalen.journaal import human_wide
    from verhalen.menselijk import merge_codes
    from verhalen.model import Corpus
    from verhalen.uitwisseling.refi_qda import export_qdpx

    sid = "interview-02-0003"
    machine = read_codes(wb.folder / "codes.jsonl")
    proposed = machine.set_index("id").loc[sid, "codes"]
    for c in proposed:
        post(client, {"segment": sid, "actie": "verwerp", "code": c})
    post(client, {"segment": sid, "actie": "voeg_toe", "code": "politisering"})
    post(client, {"segment": sid, "actie": "voeg_toe", "code": "preventie", "codeur": "Bram"})
    post(client, {"segment": sid, "actie": "klaar", "codeur": "Bram"})

    merged = merge_codes(machine, human_wide(wb.folder, "Anna")).set_index("id")
    assert merged.loc[sid, "codes"] == ["politisering"] and merged.loc[sid, "source"] == "mens"
    assert merged.loc[sid, "machine_codes"] == proposed
    other = wb.order[0]
    assert merged.loc[other, "source"] == "machine"

    long = pd.concat([wide_to_long(machine), Journal.for_project(wb.folder).human_long()],
                     ignore_index=True)
    out = export_qdpx(Corpus.load(wb.folder), long, load_codebook("impact"), tmp_path / "p.qdpx")
    xml = zipfile.ZipFile(out).read("project.qde").decode("utf-8")
    users = re.findall(r'<User [^>]*name="([^"]+)"', xml)
    assert "Anna" in users and "Bram" in users


def test_a_damaged_journal_is_reported_not_hidden(client, wb):
    post(client, {"segment": "interview-00-0000", "actie": "klaar"})
    with open(wb.journal.path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"codeur": "Anna", "segment": "x", "actie": "wis"}) + "\n")
    fresh = Werkbank(wb.folder, coder="Anna")
    app = create_app(fresh, TOKEN, hosts=("testserver",))
    with TestClient(app) as c:
        r = c.get("/api/project", headers=H)
    assert r.status_code == 400 and "journaal.jsonl, regel 2" in r.json()["fout"]


def test_cli_writes_the_coders_codes_from_the_journal(wb, tmp_path, capsys):
    from verhalen.cli.main import main

    wb.decide(segment_id="interview-00-0002", action="voeg_toe", code="preventie")
    out = tmp_path / "mens.jsonl"
    assert main(["bekijk", str(wb.folder), "--schrijf-codes", str(out)]) == 0
    assert "1 beoordeelde segmenten" in capsys.readouterr().out
    assert [json.loads(x) for x in out.read_text().splitlines()] == [
        {"id": "interview-00-0002", "codes": ["preventie"], "codeur": "Anna"}]
    assert main(["bekijk", str(wb.folder), "--schrijf-codes", str(out)]) == 1   # no overwrite
    assert "bestaat al" in capsys.readouterr().err
    assert main(["bekijk", str(wb.folder), "--schrijf-codes", str(out), "--codeur", "Cees"]) == 1
    assert main(["bekijk", str(wb.folder), "--schrijf-codes", str(out), "--overschrijf"]) == 0
