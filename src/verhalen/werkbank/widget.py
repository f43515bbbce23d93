"""The workbench in JupyterLab: an anywidget with the same reader as the web app.

    from verhalen.werkbank.widget import Werkbankwidget
    w = Werkbankwidget("uitvoer/project", document="interview-sanne", codeur="Anna")
    w                     # the reader: accept / reject / add / remove / memo, same keyboard keys
    w.besluit("interview-sanne-0003", "accepteer", "regie")   # the same from Python
    w.tabel()             # a plain table of the segments (also where widgets do not render)

The JavaScript is the web app's ``kern.js`` (shared reader) plus a small adapter that sends each
decision to Python, which writes it to the same journal (:mod:`verhalen.journaal`) the web app
uses. Nothing is stored in the notebook: reopening shows the journal's state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import pandas as pd
import traitlets

from .app import static_text
from .project import DEFAULT_CODER, Werkbank, WerkbankFout

__all__ = ["Werkbankwidget"]

_ADAPTER = r"""
export default {
  render({ model, el }) {
    let nr = 0;
    const wachtend = {};
    model.on("msg:custom", (msg) => {
      if (!msg || msg.type !== "antwoord" || !wachtend[msg.nr]) return;
      const w = wachtend[msg.nr];
      delete wachtend[msg.nr];
      if (msg.ok) w.res(msg.antwoord); else w.rej(new Error(msg.fout));
    });
    const transport = {
      besluit(vraag) {
        return new Promise((res, rej) => {
          nr += 1;
          wachtend[nr] = { res, rej };
          model.send({ type: "besluit", nr: nr, vraag: vraag });
        });
      },
    };
    const kop = document.createElement("div");
    kop.className = "vh-widgetkop";
    kop.textContent = model.get("titel") + " · klik in de lijst en gebruik j/k, a, r, 1-9, /, m, Enter";
    const melding = document.createElement("div");
    melding.className = "vh-widgetmelding";
    melding.setAttribute("role", "status");
    const wrap = document.createElement("div");
    wrap.className = "vh-widget";
    wrap.tabIndex = 0;
    el.appendChild(kop);
    el.appendChild(wrap);
    el.appendChild(melding);
    const lezer = VerhalenKern.maak(wrap, transport, {
      data: model.get("data"), toetsDoel: wrap, stopToetsen: true,
      bijFout: (m) => { melding.textContent = m; },
      bijWijziging: (sid, antw) => { melding.textContent = VerhalenKern.bewaard(antw.besluit, model.get("data").codeboek.codes); },
    });
    model.on("change:data", () => lezer.verversData(model.get("data")));
  },
};
"""

_WIDGET_CSS = """
.vh-widget { max-height: 640px; overflow: auto; padding: 6px; background: #f4f5f7; border-radius: 8px; outline: none; }
.vh-widget:focus-visible { box-shadow: 0 0 0 2px #2f4858; }
.vh-widgetkop { font: 13px system-ui, sans-serif; color: #6b7280; margin: 4px 0 6px; }
.vh-widgetmelding { font: 12.5px system-ui, sans-serif; color: #2f4858; min-height: 1.4em; margin-top: 4px; }
"""


class Werkbankwidget(anywidget.AnyWidget):
    """One document (``document=``) or a review queue (``wachtrij=N``: the N segments most worth
    coding next) of a project, with the workbench's controls, writing to the project's journal.

    ``project``: a project folder or a :class:`~verhalen.werkbank.project.Werkbank`;
    ``codeur``: the coder name every decision carries. Without ``document`` or ``wachtrij``:
    the first document.
    """

    _esm = traitlets.Unicode(static_text("kern.js") + "\n" + _ADAPTER).tag(sync=True)
    _css = traitlets.Unicode(static_text("kern.css") + _WIDGET_CSS).tag(sync=True)
    data = traitlets.Dict().tag(sync=True)
    titel = traitlets.Unicode("").tag(sync=True)

    def __init__(self, project: str | Path | Werkbank, *, document: str | None = None,
                 wachtrij: int | None = None, codeur: str = DEFAULT_CODER, **kwargs: Any):
        super().__init__(**kwargs)
        self.werkbank = project if isinstance(project, Werkbank) else Werkbank(project, coder=codeur)
        self.codeur = codeur
        wb = self.werkbank
        if wachtrij is not None:
            self.ids = [r["id"] for r in wb.queue(int(wachtrij), codeur)]
            self.titel = f"Wachtrij: {len(self.ids)} segmenten die het coderen het meest waard zijn"
        else:
            doc = wb.check_document(document) if document is not None else next(iter(wb.documents))
            self.ids = list(wb.documents[doc]["segmenten"])
            self.titel = f"Document: {wb.documents[doc]['titel']}"
        self._refresh()
        self.on_msg(self._on_msg)

    def _refresh(self) -> None:
        page = self.werkbank.page(self.codeur)
        keep = set(self.ids)
        order = {sid: i for i, sid in enumerate(self.ids)}
        page["segmenten"] = sorted((s for s in page["segmenten"] if s["id"] in keep),
                                   key=lambda s: order[s["id"]])
        page["mens"] = {k: v for k, v in page["mens"].items() if k in keep}
        page["documenten"] = [d for d in page["documenten"]
                              if any(s["doc"] == d["id"] for s in page["segmenten"])]
        self.data = page

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "besluit":
            return
        vraag = content.get("vraag") or {}
        try:
            if not isinstance(vraag, dict) or vraag.get("segment") not in set(self.ids):
                raise WerkbankFout("onbekend segment voor deze weergave.")
            out = self.besluit(vraag.get("segment"), vraag.get("actie"), vraag.get("code"),
                               vraag.get("memo"), _refresh=False)
            self.send({"type": "antwoord", "nr": content.get("nr"), "ok": True, "antwoord": out})
        except WerkbankFout as exc:
            self.send({"type": "antwoord", "nr": content.get("nr"), "ok": False, "fout": str(exc)})

    def besluit(self, segment: str, actie: str, code: str | None = None, memo: str | None = None,
                *, _refresh: bool = True) -> dict:
        """Record one decision (as the buttons do); returns the segment's new state."""
        out = self.werkbank.decide(segment_id=segment, action=actie, code=code, memo=memo,
                                   coder=self.codeur)
        if _refresh:
            self._refresh()
        else:
            self.data = {**self.data, "mens": {**self.data.get("mens", {}),
                                               out["segment"]: out["mens"]}}
        return out

    def tabel(self) -> pd.DataFrame:
        """The shown segments as a table: text, machine proposal, the coder's codes and memo."""
        wb = self.werkbank
        state = wb.human_state(self.codeur)
        labels = wb.codebook.labels()
        rows = []
        for sid in self.ids:
            v = wb.segment_view(sid)
            h = state.get(sid, {})
            text = v["tekst"]
            rows.append({
                "segment": sid,
                "tekst": text if len(text) <= 160 else text[:157] + "…",
                "voorstel": ", ".join(f"{labels.get(p['code'], p['code'])} ({p['zekerheid']:.2f})"
                                      for p in v["voorstel"]),
                "uw codes": ", ".join(labels.get(c, c) for c in h.get("codes", [])),
                "beoordeeld": bool(h.get("klaar")),
                "memo": h.get("memo", ""),
            })
        return pd.DataFrame(rows)
