/* verhalen werkbank — the shared reader (web app and JupyterLab widget).
 *
 * Plain DOM, no framework. Every piece of data is put on the page with textContent or as an
 * attribute value, never as HTML: a segment that contains <script> shows as text.
 *
 * VerhalenKern.maak(root, transport, opties) builds the reader in `root`.
 *   transport.besluit({segment, actie, code, memo}) -> Promise<{segment, mens}>  (stored in the journal)
 *   opties: {data (page data), wachtrij: [ids] | null, toetsen: true|false, bijFout(msg)}
 */
var VerhalenKern = (function () {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function tint(hex, alpha) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex || "");
    if (!m) return "rgba(136,136,136," + alpha + ")";
    return "rgba(" + parseInt(m[1], 16) + "," + parseInt(m[2], 16) + "," + parseInt(m[3], 16) + "," + alpha + ")";
  }

  function pct(x) { return Math.round(100 * (Number(x) || 0)) + "%"; }

  function maak(root, transport, opties) {
    opties = opties || {};
    var data = opties.data;
    var codes = data.codeboek.codes;
    var codeById = {};
    codes.forEach(function (c) { codeById[c.id] = c; });
    var segById = {};
    data.segmenten.forEach(function (s) { segById[s.id] = s; });
    var mens = data.mens || {};
    var state = { lijst: [], focus: 0, filters: { code: "", spoor: "", rol: "", doc: "", onzeker: false },
                  wachtrij: opties.wachtrij || null };
    var cards = {};
    var bijWijziging = opties.bijWijziging || function () {};
    var bijFout = opties.bijFout || function (m) { window.alert(m); };

    root.classList.add("vh-kern");
    var lijstEl = el("div", "vh-segmenten");
    lijstEl.setAttribute("role", "list");
    var leegEl = el("p", "vh-leeg", "Geen segmenten bij deze filters.");
    root.appendChild(lijstEl);
    root.appendChild(leegEl);

    function h(sid) { return mens[sid] || { codes: [], verworpen: [], memo: "", klaar: false }; }

    function codeLabel(id) { return codeById[id] ? codeById[id].label : id; }
    function codeKleur(id) { return codeById[id] ? codeById[id].kleur : "#888888"; }

    // ------------------------------------------------------------------ filtering
    function past(s) {
      var f = state.filters;
      if (f.doc && s.doc !== f.doc) return false;
      if (f.rol && s.rollen.indexOf(f.rol) < 0) return false;
      var all = s.voorstel.map(function (p) { return p.code; }).concat(h(s.id).codes);
      if (f.code && all.indexOf(f.code) < 0) return false;
      if (f.spoor && !all.some(function (c) { return codeById[c] && (codeById[c].sporen[f.spoor] || 0) > 0; })) return false;
      return true;
    }

    function herbouw(behoudFocus) {
      var oud = state.lijst[state.focus];
      var ids;
      if (state.wachtrij) ids = state.wachtrij.filter(function (id) { return segById[id]; });
      else ids = data.segmenten.filter(past).map(function (s) { return s.id; });
      if (!state.wachtrij && state.filters.onzeker) {
        ids = ids.slice().sort(function (a, b) { return segById[b].onzekerheid - segById[a].onzekerheid; });
      }
      state.lijst = ids;
      while (lijstEl.firstChild) lijstEl.removeChild(lijstEl.firstChild);
      var frag = document.createDocumentFragment();
      ids.forEach(function (id) { frag.appendChild(kaart(id)); });
      lijstEl.appendChild(frag);
      leegEl.style.display = ids.length ? "none" : "";
      var i = behoudFocus && oud ? ids.indexOf(oud) : -1;
      zetFocus(i >= 0 ? i : 0, false);
    }

    // ------------------------------------------------------------------ rendering
    function kaart(sid) {
      var c = cards[sid];
      if (!c) { c = el("article", "vh-segment"); c.setAttribute("role", "listitem"); c.dataset.id = sid; cards[sid] = c; }
      vul(c, sid);
      return c;
    }

    function vul(c, sid) {
      var s = segById[sid], st = h(sid);
      while (c.firstChild) c.removeChild(c.firstChild);
      c.classList.toggle("vh-klaar", !!st.klaar);
      c.addEventListener("click", kaartKlik);

      var kop = el("header", "vh-kop");
      var doc = null;
      (data.documenten || []).forEach(function (d) { if (d.id === s.doc) doc = d; });
      kop.appendChild(el("span", "vh-nr", "§" + (s.nr + 1)));
      kop.appendChild(el("span", "vh-doc", doc ? doc.titel : s.doc));
      if (s.sectie) kop.appendChild(el("span", "vh-sectie", s.sectie));
      if (s.sprekers.length || s.rollen.length) {
        kop.appendChild(el("span", "vh-spreker", s.sprekers.join(", ") + (s.rollen.length ? " (" + s.rollen.join(", ") + ")" : "")));
      }
      var status = el("span", "vh-status", st.klaar ? "beoordeeld" : "open");
      kop.appendChild(status);
      c.appendChild(kop);

      // the text: sentences, evidence sentences marked in the colour of their code
      var tekst = el("p", "vh-tekst");
      var pos = 0;
      s.zinnen.forEach(function (z) {
        if (z.van > pos) tekst.appendChild(document.createTextNode(s.tekst.slice(pos, z.van)));
        var span = el("span", z.codes.length ? "vh-zin vh-bewijs" : "vh-zin", s.tekst.slice(z.van, z.tot));
        if (z.codes.length) {
          var k = codeKleur(z.codes[0]);
          span.style.backgroundColor = tint(k, 0.16);
          span.style.borderBottomColor = k;
          span.title = "bewijs voor: " + z.codes.map(codeLabel).join(", ");
        }
        tekst.appendChild(span);
        pos = z.tot;
      });
      if (pos < s.tekst.length) tekst.appendChild(document.createTextNode(s.tekst.slice(pos)));
      c.appendChild(tekst);

      // machine proposals: accept / reject each
      var vs = el("div", "vh-voorstellen");
      var lab = el("span", "vh-label", s.bron === "herleerd" ? "Voorstel (herleerd):" : "Voorstel machine:");
      vs.appendChild(lab);
      if (!s.voorstel.length) vs.appendChild(el("span", "vh-geen", "geen code voorgesteld"));
      s.voorstel.forEach(function (p) {
        var besluit = st.codes.indexOf(p.code) >= 0 ? "aanvaard" : (st.verworpen.indexOf(p.code) >= 0 ? "verworpen" : "open");
        var chip = el("span", "vh-chip vh-" + besluit);
        chip.dataset.code = p.code;
        chip.style.borderColor = codeKleur(p.code);
        chip.style.backgroundColor = tint(codeKleur(p.code), besluit === "verworpen" ? 0.04 : 0.14);
        var stip = el("span", "vh-stip"); stip.style.backgroundColor = codeKleur(p.code);
        chip.appendChild(stip);
        chip.appendChild(el("span", "vh-naam", codeLabel(p.code)));
        chip.appendChild(el("span", "vh-zeker", pct(p.zekerheid)));
        chip.title = (p.bewijs.length ? "Bewijs:\n" + p.bewijs.join("\n") : "geen bewijszinnen");
        var ja = el("button", "vh-ja", "✓"); ja.type = "button";
        ja.title = "aanvaard " + codeLabel(p.code) + " (a)"; ja.setAttribute("aria-label", ja.title);
        ja.addEventListener("click", function (e) { e.stopPropagation(); doe(sid, "accepteer", p.code); });
        var nee = el("button", "vh-nee", "✗"); nee.type = "button";
        nee.title = "verwerp " + codeLabel(p.code) + " (r)"; nee.setAttribute("aria-label", nee.title);
        nee.addEventListener("click", function (e) { e.stopPropagation(); doe(sid, "verwerp", p.code); });
        if (besluit !== "aanvaard") chip.appendChild(ja);
        if (besluit !== "verworpen") chip.appendChild(nee);
        vs.appendChild(chip);
      });
      c.appendChild(vs);

      // the researcher's codes
      var mc = el("div", "vh-mens");
      mc.appendChild(el("span", "vh-label", "Uw codes:"));
      if (!st.codes.length) mc.appendChild(el("span", "vh-geen", st.klaar ? "geen code (beoordeeld)" : "nog geen"));
      st.codes.forEach(function (code) {
        var chip = el("span", "vh-chip vh-eigen");
        chip.dataset.code = code;
        chip.style.borderColor = codeKleur(code);
        chip.style.backgroundColor = tint(codeKleur(code), 0.22);
        var stip = el("span", "vh-stip"); stip.style.backgroundColor = codeKleur(code);
        chip.appendChild(stip);
        chip.appendChild(el("span", "vh-naam", codeLabel(code)));
        var weg = el("button", "vh-weg", "×"); weg.type = "button";
        weg.title = "verwijder " + codeLabel(code); weg.setAttribute("aria-label", weg.title);
        weg.addEventListener("click", function (e) { e.stopPropagation(); doe(sid, "verwijder", code); });
        chip.appendChild(weg);
        mc.appendChild(chip);
      });
      var plus = el("button", "vh-plus", "+ code"); plus.type = "button";
      plus.title = "code toevoegen (/ of 1-9)";
      plus.addEventListener("click", function (e) { e.stopPropagation(); zoek(sid); });
      mc.appendChild(plus);
      var klaar = el("button", "vh-klaarknop", st.klaar ? "✓ beoordeeld" : "Klaar"); klaar.type = "button";
      klaar.title = "segment beoordeeld (Enter)";
      klaar.addEventListener("click", function (e) { e.stopPropagation(); doe(sid, "klaar"); });
      mc.appendChild(klaar);
      c.appendChild(mc);

      // memo
      var memo = el("div", "vh-memo");
      if (st.memo) {
        memo.appendChild(el("span", "vh-label", "Memo:"));
        memo.appendChild(el("span", "vh-memotekst", st.memo));
      }
      c.appendChild(memo);
    }

    function kaartKlik(e) {
      var i = state.lijst.indexOf(e.currentTarget.dataset.id);
      if (i >= 0 && i !== state.focus) zetFocus(i, false);
    }

    function zetFocus(i, scroll) {
      if (!state.lijst.length) return;
      i = Math.max(0, Math.min(state.lijst.length - 1, i));
      var oud = cards[state.lijst[state.focus]];
      if (oud) oud.classList.remove("vh-focus");
      state.focus = i;
      var c = cards[state.lijst[i]];
      if (c) {
        c.classList.add("vh-focus");
        if (scroll !== false) c.scrollIntoView({ block: "nearest", behavior: "auto" });
      }
    }

    function huidig() { return state.lijst[state.focus]; }

    // ------------------------------------------------------------------ decisions
    var wacht = Promise.resolve();
    function doe(sid, actie, code, memo) {
      var vraag = { segment: sid, actie: actie };
      if (code !== undefined && code !== null) vraag.code = code;
      if (memo !== undefined && memo !== null) vraag.memo = memo;
      var c = cards[sid];
      if (c) c.classList.add("vh-bezig");
      // decisions go out one after another, in the order they were made
      wacht = wacht.then(function () { return transport.besluit(vraag); }).then(function (antw) {
        mens[antw.segment] = antw.mens;
        if (cards[sid]) { cards[sid].classList.remove("vh-bezig"); vul(cards[sid], sid); }
        if (state.lijst[state.focus] === sid && cards[sid]) cards[sid].classList.add("vh-focus");
        bijWijziging(sid, antw);
      }, function (err) {
        if (cards[sid]) cards[sid].classList.remove("vh-bezig");
        bijFout("Niet bewaard: " + (err && err.message ? err.message : err));
      });
      return wacht;
    }

    function eersteOpen(sid) {
      var st = h(sid);
      var s = segById[sid];
      for (var i = 0; i < s.voorstel.length; i++) {
        var c = s.voorstel[i].code;
        if (st.codes.indexOf(c) < 0 && st.verworpen.indexOf(c) < 0) return c;
      }
      return null;
    }

    function wisselCode(sid, code) {
      if (h(sid).codes.indexOf(code) >= 0) return doe(sid, "verwijder", code);
      var voorgesteld = segById[sid].voorstel.some(function (p) { return p.code === code; });
      return doe(sid, voorgesteld ? "accepteer" : "voeg_toe", code);
    }

    // ------------------------------------------------------------------ code search (/)
    var palet = null;
    function zoek(sid) {
      sluitPalet();
      var c = cards[sid];
      if (!c) return;
      palet = el("div", "vh-palet");
      palet.setAttribute("role", "dialog");
      palet.setAttribute("aria-label", "Code zoeken");
      var inp = el("input", "vh-zoek");
      inp.type = "search"; inp.placeholder = "Zoek een code… (Enter kiest, Esc sluit)";
      inp.setAttribute("aria-label", "Zoek een code");
      var ul = el("ul", "vh-paletlijst");
      var sel = 0, treffers = [];
      function toon() {
        var q = inp.value.trim().toLowerCase();
        // codes whose name matches first, then codes whose definition mentions the words
        var naam = codes.filter(function (k) { return !q || k.label.toLowerCase().indexOf(q) >= 0 || k.id.indexOf(q) >= 0; });
        var def = q.length < 3 ? [] : codes.filter(function (k) { return naam.indexOf(k) < 0 && (k.definitie || "").toLowerCase().indexOf(q) >= 0; });
        treffers = naam.concat(def);
        sel = Math.min(sel, Math.max(0, treffers.length - 1));
        while (ul.firstChild) ul.removeChild(ul.firstChild);
        treffers.forEach(function (k, i) {
          var li = el("li", i === sel ? "vh-gekozen" : "");
          var stip = el("span", "vh-stip"); stip.style.backgroundColor = k.kleur;
          li.appendChild(stip);
          li.appendChild(el("span", "vh-nummer", k.nummer <= 9 ? k.nummer : ""));
          li.appendChild(el("span", "vh-naam", k.label));
          li.appendChild(el("span", "vh-def", k.definitie));
          li.addEventListener("mousedown", function (e) { e.preventDefault(); kies(k.id); });
          ul.appendChild(li);
        });
      }
      function kies(id) { sluitPalet(); if (h(sid).codes.indexOf(id) < 0) wisselCode(sid, id); }
      inp.addEventListener("input", function () { sel = 0; toon(); });
      inp.addEventListener("keydown", function (e) {
        if (e.key === "ArrowDown") { sel = Math.min(treffers.length - 1, sel + 1); toon(); e.preventDefault(); }
        else if (e.key === "ArrowUp") { sel = Math.max(0, sel - 1); toon(); e.preventDefault(); }
        else if (e.key === "Enter") { if (treffers[sel]) kies(treffers[sel].id); e.preventDefault(); }
        else if (e.key === "Escape") { sluitPalet(); e.preventDefault(); }
        e.stopPropagation();
      });
      inp.addEventListener("blur", function () { setTimeout(sluitPalet, 150); });
      palet.appendChild(inp);
      palet.appendChild(ul);
      c.classList.add("vh-open");      // the list hangs below the card: no paint containment now
      c.appendChild(palet);
      toon();
      inp.focus();
    }
    function sluitPalet() {
      if (palet && palet.parentNode) {
        palet.parentNode.classList.remove("vh-open");
        palet.parentNode.removeChild(palet);
      }
      palet = null;
    }

    // ------------------------------------------------------------------ memo (m)
    function memo(sid) {
      var c = cards[sid];
      if (!c) return;
      var vak = c.querySelector(".vh-memo");
      while (vak.firstChild) vak.removeChild(vak.firstChild);
      var ta = el("textarea", "vh-memoveld");
      ta.value = h(sid).memo || "";
      ta.rows = 3;
      ta.setAttribute("aria-label", "Memo bij dit segment");
      ta.placeholder = "Memo… (Ctrl+Enter bewaart, Esc annuleert)";
      var bewaar = el("button", "vh-bewaar", "Memo bewaren"); bewaar.type = "button";
      function opslaan() {
        var v = ta.value;
        if (v !== (h(sid).memo || "")) doe(sid, "memo", null, v);
        else vul(c, sid);
      }
      bewaar.addEventListener("click", function (e) { e.stopPropagation(); opslaan(); });
      ta.addEventListener("keydown", function (e) {
        e.stopPropagation();
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); opslaan(); }
        else if (e.key === "Escape") { e.preventDefault(); vul(c, sid); c.classList.add("vh-focus"); }
      });
      vak.appendChild(ta);
      vak.appendChild(bewaar);
      ta.focus();
    }

    // ------------------------------------------------------------------ keyboard
    function toets(e) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
      var sid = huidig();
      var k = e.key;
      if (k === "j") { zetFocus(state.focus + 1); }
      else if (k === "k") { zetFocus(state.focus - 1); }
      else if (!sid) { return; }
      else if (k === "a") { var c1 = eersteOpen(sid); if (c1) doe(sid, "accepteer", c1); }
      else if (k === "r") { var c2 = eersteOpen(sid); if (c2) doe(sid, "verwerp", c2); }
      else if (/^[1-9]$/.test(k)) { var code = codes[Number(k) - 1]; if (code) wisselCode(sid, code.id); }
      else if (k === "/") { zoek(sid); }
      else if (k === "m") { memo(sid); }
      else if (k === "Enter") { doe(sid, "klaar"); zetFocus(state.focus + 1); }
      else return;
      e.preventDefault();
      if (opties.stopToetsen) e.stopPropagation();   // in JupyterLab: not the notebook's keys
    }
    if (opties.toetsen !== false) {
      var doel = opties.toetsDoel || document;
      doel.addEventListener("keydown", toets);
    }

    herbouw(false);

    return {
      filter: function (f) { for (var k in f) state.filters[k] = f[k]; state.wachtrij = null; herbouw(true); },
      wachtrij: function (ids) { state.wachtrij = ids; herbouw(false); },
      verversData: function (nieuw) {
        data = nieuw; mens = nieuw.mens || {}; segById = {};
        data.segmenten.forEach(function (s) { segById[s.id] = s; });
        cards = {}; herbouw(true);
      },
      mens: function () { return mens; },
      focus: zetFocus,
      huidig: huidig,
      besluit: doe,
      toets: toets,
    };
  }

  var WOORD = { accepteer: "aanvaard", verwerp: "verworpen", voeg_toe: "toegevoegd",
                verwijder: "verwijderd", memo: "memo", klaar: "beoordeeld" };
  /* "Bewaard: aanvaard · Preventie" for a stored decision */
  function bewaard(besluit, codes) {
    var label = besluit.code;
    (codes || []).forEach(function (c) { if (c.id === besluit.code) label = c.label; });
    return "Bewaard: " + (WOORD[besluit.actie] || besluit.actie) + (label ? " · " + label : "");
  }

  return { maak: maak, el: el, tint: tint, pct: pct, bewaard: bewaard };
})();
