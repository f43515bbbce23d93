/* verhalen werkbank — the web app around the shared reader (kern.js). */
(function () {
  "use strict";
  var el = VerhalenKern.el;
  var TOKEN = document.querySelector('meta[name="verhalen-token"]').getAttribute("content");
  var params = new URLSearchParams(window.location.search);
  var CODEUR = params.get("codeur") || document.querySelector('meta[name="verhalen-codeur"]').getAttribute("content");

  function api(pad, opties) {
    opties = opties || {};
    var headers = { "X-Verhalen-Token": TOKEN };
    if (opties.body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(pad, { method: opties.method || "GET", headers: headers, cache: "no-store",
                        body: opties.body !== undefined ? JSON.stringify(opties.body) : undefined })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          if (!r.ok) throw new Error(j.fout || ("fout " + r.status));
          return j;
        });
      });
  }
  function q(extra) {
    var p = new URLSearchParams({ codeur: CODEUR });
    for (var k in (extra || {})) p.set(k, extra[k]);
    return "?" + p.toString();
  }

  var melding = document.getElementById("melding");
  function meld(tekst, soort) {
    melding.textContent = tekst;
    melding.className = "melding " + (soort || "");
    if (soort !== "fout") setTimeout(function () { if (melding.textContent === tekst) melding.textContent = ""; }, 4000);
  }

  var data, lezer;

  function profielBalk(profiel, sporen) {
    var balk = el("span", "profiel");
    balk.title = sporen.map(function (s) { return s.label + " " + VerhalenKern.pct(profiel[s.id]); }).join(" · ");
    sporen.forEach(function (s) {
      var deel = el("span", "profieldeel");
      deel.style.width = (100 * (profiel[s.id] || 0)) + "%";
      deel.style.backgroundColor = s.kleur;
      balk.appendChild(deel);
    });
    return balk;
  }

  function vulDocumenten() {
    var ul = document.getElementById("documenten");
    while (ul.firstChild) ul.removeChild(ul.firstChild);
    var alle = el("li", "doc" + (filters.doc ? "" : " actief"));
    alle.appendChild(el("span", "doctitel", "Alle documenten"));
    var nSeg = 0, nRev = 0;
    data.documenten.forEach(function (d) { nSeg += d.n_segmenten; nRev += d.n_beoordeeld; });
    alle.appendChild(el("span", "docteller", nRev + " / " + nSeg));
    alle.addEventListener("click", function () { zetFilter({ doc: "" }); });
    ul.appendChild(alle);
    data.documenten.forEach(function (d) {
      var li = el("li", "doc" + (filters.doc === d.id ? " actief" : ""));
      li.dataset.id = d.id;
      li.appendChild(el("span", "doctitel", d.titel));
      var rij = el("span", "docrij");
      var vg = el("span", "voortgang");
      var vul = el("span", "voortgangvul");
      vul.style.width = (d.n_segmenten ? 100 * d.n_beoordeeld / d.n_segmenten : 0) + "%";
      vg.appendChild(vul);
      vg.title = d.n_beoordeeld + " van " + d.n_segmenten + " segmenten beoordeeld";
      rij.appendChild(vg);
      rij.appendChild(el("span", "docteller", d.n_beoordeeld + " / " + d.n_segmenten));
      rij.appendChild(profielBalk(d.profiel, data.sporen));
      li.appendChild(rij);
      li.addEventListener("click", function () { zetFilter({ doc: d.id }); });
      ul.appendChild(li);
    });
  }

  var filters = { code: "", spoor: "", rol: "", doc: "", onzeker: false };
  function zetFilter(f) {
    for (var k in f) filters[k] = f[k];
    document.getElementById("wachtrijknop").classList.remove("actief");
    lezer.filter(filters);
    vulDocumenten();
  }

  function keuzes(id, items, leeg) {
    var s = document.getElementById(id);
    var o = el("option", null, leeg); o.value = ""; s.appendChild(o);
    items.forEach(function (it) { var op = el("option", null, it[1]); op.value = it[0]; s.appendChild(op); });
  }

  function telBij(sid, antw) {
    // progress in the document list follows each decision
    var s = null;
    data.segmenten.forEach(function (x) { if (x.id === sid) s = x; });
    if (!s) return;
    var oud = data.mens[sid];
    data.mens[sid] = antw.mens;
    data.documenten.forEach(function (d) {
      if (d.id !== s.doc) return;
      var n = 0;
      d.n_beoordeeld = 0;
      data.segmenten.forEach(function (x) { if (x.doc === d.id && lezer.mens()[x.id] && lezer.mens()[x.id].klaar) n++; });
      d.n_beoordeeld = n;
    });
    vulDocumenten();
    meld(VerhalenKern.bewaard(antw.besluit, data.codeboek.codes), "ok");
  }

  function start(page) {
    data = page;
    document.getElementById("project").textContent = page.project;
    document.getElementById("codeur").textContent = page.codeur;
    keuzes("filtercode", page.codeboek.codes.map(function (c) { return [c.id, (c.nummer <= 9 ? c.nummer + " · " : "") + c.label]; }), "alle codes");
    keuzes("filterspoor", page.sporen.map(function (s) { return [s.id, s.label]; }), "alle sporen");
    keuzes("filterrol", page.rollen.map(function (r) { return [r, r]; }), "alle rollen");
    document.getElementById("filtercode").addEventListener("change", function (e) { zetFilter({ code: e.target.value }); });
    document.getElementById("filterspoor").addEventListener("change", function (e) { zetFilter({ spoor: e.target.value }); });
    document.getElementById("filterrol").addEventListener("change", function (e) { zetFilter({ rol: e.target.value }); });
    document.getElementById("filteronzeker").addEventListener("change", function (e) { zetFilter({ onzeker: e.target.checked }); });
    var legenda = document.getElementById("legenda");
    page.codeboek.codes.forEach(function (c) {
      var li = el("li");
      var stip = el("span", "vh-stip"); stip.style.backgroundColor = c.kleur;
      li.appendChild(el("span", "vh-nummer", c.nummer <= 9 ? c.nummer : ""));
      li.appendChild(stip);
      li.appendChild(el("span", null, c.label));
      li.title = c.definitie;
      legenda.appendChild(li);
    });
    lezer = VerhalenKern.maak(document.getElementById("lezer"), {
      besluit: function (vraag) { vraag.codeur = CODEUR; return api("/api/besluit", { method: "POST", body: vraag }); }
    }, { data: page, bijWijziging: telBij, bijFout: function (m) { meld(m, "fout"); } });
    vulDocumenten();
    toonToetsing(page.toetsing);
    document.body.classList.add("geladen");
  }

  // ---------------------------------------------------------------- queue
  document.getElementById("wachtrijknop").addEventListener("click", function () {
    var knop = this;
    meld("Wachtrij berekenen…");
    api("/api/wachtrij" + q({ n: 20 })).then(function (r) {
      knop.classList.add("actief");
      lezer.wachtrij(r.wachtrij.map(function (x) { return x.id; }));
      meld(r.wachtrij.length + " segmenten die het coderen het meest waard zijn (onzeker en verschillend van wat al gecodeerd is).", "ok");
    }, function (e) { meld(e.message, "fout"); });
  });

  // ---------------------------------------------------------------- refit
  var balk = document.getElementById("herleerbalk");
  function volg() {
    api("/api/herleer").then(function (st) {
      balk.hidden = false;
      balk.querySelector(".vul").style.width = Math.round(100 * (st.voortgang || 0)) + "%";
      balk.querySelector(".stap").textContent = st.stap || "";
      if (st.bezig) { setTimeout(volg, 700); return; }
      document.getElementById("herleerknop").disabled = false;
      if (st.fout) { meld(st.fout, "fout"); return; }
      if (st.klaar) {
        meld("De coder is herleerd; de voorstellen zijn ververst.", "ok");
        api("/api/project" + q()).then(function (p) { data = p; lezer.verversData(p); vulDocumenten(); toonToetsing(p.toetsing, true); });
      }
    });
  }
  document.getElementById("herleerknop").addEventListener("click", function () {
    var knop = this;
    knop.disabled = true;
    api("/api/herleer", { method: "POST", body: { codeur: CODEUR } }).then(volg, function (e) { knop.disabled = false; meld(e.message, "fout"); });
  });

  function getal(x) { return x === null || x === undefined ? "–" : Number(x).toFixed(2).replace(".", ","); }

  function tabel(kolommen, rijen) {
    var t = el("table", "cijfers");
    var kop = el("tr");
    kolommen.forEach(function (k) { kop.appendChild(el("th", null, k[0])); });
    t.appendChild(kop);
    rijen.forEach(function (r) {
      var tr = el("tr");
      kolommen.forEach(function (k) { var v = r[k[1]]; tr.appendChild(el("td", typeof v === "number" || v === null ? "getal" : null, typeof v === "number" && k[2] !== "n" ? getal(v) : (v === null ? "–" : v))); });
      t.appendChild(tr);
    });
    return t;
  }

  function toonToetsing(t, open) {
    var vak = document.getElementById("toetsing");
    while (vak.firstChild) vak.removeChild(vak.firstChild);
    if (!t) return;
    var det = el("details");
    if (open) det.open = true;
    var sum = el("summary", null, "Hoe goed volgt de herleerde coder u? (" + t.codeur + ") — micro-F1 " + getal(t.micro_f1) + ", gemiddelde κ " + getal(t.gemiddelde_kappa));
    det.appendChild(sum);
    vak.appendChild(det);
    vak = det;
    vak.appendChild(el("p", "uitleg", "Eerlijk getoetst: " + t.methode + ". " + t.n_segmenten + " beoordeelde segmenten uit " + t.n_documenten + " documenten, " + t.folds + " delen. Micro-F1 " + getal(t.micro_f1) + ", gemiddelde κ " + getal(t.gemiddelde_kappa) + "."));
    vak.appendChild(tabel([["code", "label"], ["uw segmenten", "steun", "n"], ["voorspeld", "voorspeld", "n"], ["F1", "F1"], ["κ", "kappa"], ["α", "alpha"]], t.per_code));
  }

  // ---------------------------------------------------------------- agreement page
  function toonOvereenstemming() {
    var vak = document.getElementById("overeenstemming");
    while (vak.firstChild) vak.removeChild(vak.firstChild);
    vak.appendChild(el("p", null, "Berekenen…"));
    api("/api/overeenstemming?" + new URLSearchParams({ a: document.getElementById("codeura").value || "", b: document.getElementById("codeurb").value || "" }).toString()).then(function (o) {
      while (vak.firstChild) vak.removeChild(vak.firstChild);
      ["codeura", "codeurb"].forEach(function (id, i) {
        var s = document.getElementById(id);
        if (s.options.length) return;
        o.codeurs.forEach(function (c) { var op = el("option", null, c); op.value = c; s.appendChild(op); });
        s.value = i === 0 ? (o.a || "") : (o.b || "");
      });
      if (!o.codeurs.length) { vak.appendChild(el("p", null, "Nog geen besluiten van codeurs.")); return; }
      var kol = [["code", "label"], ["A", "n_a", "n"], ["B", "n_b", "n"], ["eens", "eens"], ["κ", "kappa"], ["α", "alpha"]];
      if (o.tussen) {
        vak.appendChild(el("h3", null, o.tussen.a + " en " + o.tussen.b + " — " + o.tussen.n_segmenten + " segmenten die beiden beoordeelden"));
        vak.appendChild(tabel(kol, o.tussen.per_code));
      } else {
        vak.appendChild(el("p", "uitleg", "Voor overeenstemming tussen codeurs zijn besluiten van twee codeurs nodig (start de werkbank met --codeur NAAM)."));
      }
      o.machine.forEach(function (m) {
        vak.appendChild(el("h3", null, m.a + " en de machine (codes.jsonl, vóór het leren) — " + m.n_segmenten + " beoordeelde segmenten"));
        vak.appendChild(tabel(kol, m.per_code));
      });
      if (o.alle_codeurs) {
        vak.appendChild(el("h3", null, "Alle codeurs samen (Krippendorffs α)"));
        vak.appendChild(tabel([["code", "code"], ["α", "alpha"]], o.alle_codeurs.per_code));
      }
    }, function (e) { meld(e.message, "fout"); });
  }
  document.getElementById("codeura").addEventListener("change", toonOvereenstemming);
  document.getElementById("codeurb").addEventListener("change", toonOvereenstemming);

  function tab(naam) {
    document.querySelectorAll(".tab").forEach(function (t) { t.classList.toggle("actief", t.dataset.tab === naam); });
    document.getElementById("paginalezen").hidden = naam !== "lezen";
    document.getElementById("paginaovereenstemming").hidden = naam !== "overeenstemming";
    if (naam === "overeenstemming") toonOvereenstemming();
  }
  document.querySelectorAll(".tab").forEach(function (t) { t.addEventListener("click", function () { tab(t.dataset.tab); }); });

  // ---------------------------------------------------------------- help overlay (?)
  var hulp = document.getElementById("hulp");
  function hulpToggle(aan) { hulp.hidden = !aan; }
  document.getElementById("hulpknop").addEventListener("click", function () { hulpToggle(hulp.hidden); });
  hulp.addEventListener("click", function () { hulpToggle(false); });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) return;
    if (e.key === "?") { hulpToggle(hulp.hidden); e.preventDefault(); }
    else if (e.key === "Escape") hulpToggle(false);
  });

  // another tab may have decided meanwhile: back on this tab, show the journal's state again
  // (not while a memo is being written: that text is not stored yet)
  document.addEventListener("visibilitychange", function () {
    if (document.hidden || !lezer || document.querySelector(".vh-memoveld, .vh-palet")) return;
    api("/api/project" + q()).then(function (p) { data = p; lezer.verversData(p); vulDocumenten(); });
  });
  // a memo that is typed but not stored yet: the browser asks before the page is left
  window.addEventListener("beforeunload", function (e) {
    var veld = document.querySelector(".vh-memoveld");
    if (veld && veld.value.trim()) { e.preventDefault(); e.returnValue = ""; }
  });

  api("/api/project" + q()).then(start, function (e) { meld("De werkbank kon het project niet laden: " + e.message, "fout"); });
})();
