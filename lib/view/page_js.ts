/**
 * The viewer's script (`app.js`): plain browser JavaScript, no framework. It reads the JSON API of
 * `server.ts` or, in a static export, the data `export.ts` wrote (`window.EVALKIT_STATIC`, per-run scripts
 * under `runs/`). Every string from a log goes into the page through `textContent` (the `el` helper), so
 * transcript text can never become markup.
 *
 * @module
 */

/** The script served as `app.js`. */
export const PAGE_JS = String.raw`"use strict";
(function () {
  var STATIC = window.EVALKIT_STATIC || null;
  var PAGE = 50;
  var LONG = 1500;
  var state = { offset: 0, total: 0, selected: null, facets: null };

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }
  function $(id) { return document.getElementById(id); }
  function fmt(v, digits) {
    if (v === null || v === undefined) return "–";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(digits === undefined ? 3 : digits);
    return String(v);
  }
  function cls(s) { return String(s).toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, 40); }

  async function getJson(url, init) {
    var r = await fetch(url, init);
    var body = await r.json().catch(function () { return { error: "not JSON (HTTP " + r.status + ")" }; });
    if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
    return body;
  }

  // ---- data access: the server's API, or the static export's embedded data ----
  function facets() {
    return STATIC ? Promise.resolve(STATIC.facets) : getJson("api/facets");
  }
  function filterFromForm() {
    var f = {};
    var form = $("filters");
    ["task", "alias", "model", "score_min", "score_max", "limit_hit", "error", "failed", "reviewed"].forEach(function (k) {
      var v = form.elements[k].value.trim();
      if (v !== "") f[k] = (k === "score_min" || k === "score_max") ? Number(v) : v;
    });
    return f;
  }
  function runs(filter, offset) {
    if (STATIC) {
      var match = window.EVALKIT_MATCH;
      var rows = [], total = 0, failed = 0, reviewed = 0;
      for (var i = 0; i < STATIC.runs.length; i++) {
        var r = STATIC.runs[i];
        if (!match(r, filter)) continue;
        if (total >= offset && rows.length < PAGE) rows.push(r);
        total++;
        if (r.failed) { failed++; if (r.reviewed) reviewed++; }
      }
      return Promise.resolve({ total: total, failed: failed, reviewed: reviewed, offset: offset, limit: PAGE, rows: rows });
    }
    var p = new URLSearchParams();
    Object.keys(filter).forEach(function (k) { p.set(k, String(filter[k])); });
    p.set("offset", String(offset));
    p.set("limit", String(PAGE));
    return getJson("api/runs?" + p.toString());
  }
  var pendingRun = {};
  window.EVALKIT_RUN = function (n, data) { var f = pendingRun[n]; delete pendingRun[n]; if (f) f(data); };
  function run(id) {
    if (!STATIC) return getJson("api/run/" + encodeURIComponent(id));
    var n = STATIC.files[id];
    if (n === undefined) return Promise.reject(new Error("unknown run " + id));
    return new Promise(function (resolve, reject) {
      pendingRun[n] = resolve;
      var s = document.createElement("script");
      s.src = "runs/" + n + ".js";
      s.onerror = function () { reject(new Error("cannot load runs/" + n + ".js")); };
      document.body.appendChild(s);
    });
  }

  // ---- the list ----
  function fillSelect(sel, values) {
    values.forEach(function (v) { var o = el("option", null, v); o.value = v; sel.appendChild(o); });
  }
  async function loadList() {
    document.body.dataset.list = "loading";
    var status = $("list-status");
    try {
      var page = await runs(filterFromForm(), state.offset);
      state.total = page.total;
      var tb = $("runs").tBodies[0];
      tb.textContent = "";
      page.rows.forEach(function (r) {
        var tr = el("tr");
        tr.dataset.run = r.run_id;
        if (r.run_id === state.selected) tr.classList.add("selected");
        [r.run_id, r.task_id, r.alias, fmt(r.epoch), fmt(r.score), r.limit || "", r.error || "", r.tag ? (r.tag + (r.reviewed ? " ✓" : " ?")) : ""]
          .forEach(function (v, i) {
            var td = el("td", i === 4 ? (r.failed ? "fail" : "ok") : null, v);
            td.title = String(v);
            tr.appendChild(td);
          });
        tr.tabIndex = 0;
        tr.addEventListener("click", function () { openRun(r.run_id); });
        tr.addEventListener("keydown", function (ev) { if (ev.key === "Enter") openRun(r.run_id); });
        tb.appendChild(tr);
      });
      var end = Math.min(page.offset + page.rows.length, page.total);
      $("page-info").textContent = page.total === 0 ? "no runs match" : (page.offset + 1) + "–" + end + " of " + page.total;
      $("list-counts").textContent = page.failed + " failed, " + page.reviewed + " of them reviewed";
      $("prev").disabled = page.offset === 0;
      $("next").disabled = end >= page.total;
      status.textContent = "";
      status.className = "";
    } catch (e) {
      status.textContent = "Could not load runs: " + e.message;
      status.className = "fail";
    }
    document.body.dataset.list = "ready";
  }
  var timer = null;
  function refilter() {
    clearTimeout(timer);
    timer = setTimeout(function () { state.offset = 0; loadList(); }, 150);
  }

  // ---- one run ----
  function textBlock(text) {
    var s = String(text === undefined || text === null ? "" : text);
    var wrap = el("div", "text");
    var pre = el("pre", null, s.length > LONG ? s.slice(0, LONG) + " …" : s);
    wrap.appendChild(pre);
    if (s.length > LONG) {
      var b = el("button", "more", "show all (" + s.length + " characters)");
      b.type = "button";
      var open = false;
      b.addEventListener("click", function () {
        open = !open;
        pre.textContent = open ? s : s.slice(0, LONG) + " …";
        b.textContent = open ? "show less" : "show all (" + s.length + " characters)";
      });
      wrap.appendChild(b);
    }
    return wrap;
  }
  function json(v) {
    if (typeof v === "string") return v;
    try { return JSON.stringify(v, null, 2); } catch (e) { return String(v); }
  }
  function contentText(c) {
    if (typeof c === "string") return c;
    if (Array.isArray(c)) {
      return c.map(function (p) {
        if (p && typeof p === "object") {
          if (typeof p.text === "string") return p.text;
          if (typeof p.reasoning === "string") return "[reasoning] " + p.reasoning;
          return "[" + (p.type || "content") + "] " + json(p);
        }
        return String(p);
      }).join("\n");
    }
    return json(c);
  }
  function toolCalls(calls) {
    var box = el("div", "calls");
    (calls || []).forEach(function (c) {
      var name = c && (c.name || c["function"] || (c.function && c.function.name)) || "tool";
      box.appendChild(el("div", null, "→ " + name));
      var args = c && (c.arguments !== undefined ? c.arguments : c.args);
      if (args !== undefined) box.appendChild(textBlock(json(args)));
    });
    return box;
  }
  function head(e, t0, label) {
    var h = el("div", "ev-head");
    h.appendChild(el("b", null, label));
    if (typeof e.t === "number" && typeof t0 === "number") h.appendChild(el("span", null, "+" + ((e.t - t0) / 1000).toFixed(1) + " s"));
    return h;
  }
  var SHOWN = { type: 1, run_id: 1, t: 1, cell: 1 };
  function renderEvent(e, t0) {
    var box = el("div", "ev ev-" + cls(e.type));
    box.dataset.type = String(e.type);
    var add = function (n) { box.appendChild(n); };
    switch (e.type) {
      case "cell_start":
        add(head(e, t0, "start"));
        add(el("div", null, [e.task_id, e.variant, e.model, "epoch " + fmt(e.epoch), "attempt " + fmt(e.attempt)].filter(Boolean).join(" · ")));
        break;
      case "model_call":
        add(head(e, t0, "model · " + (e.purpose || "call")));
        add(el("div", "ev-head", fmt(e.input_tokens) + " in / " + fmt(e.output_tokens) + " out tokens · " + fmt(e.duration_ms, 0) + " ms" + (e.retries ? " · " + e.retries + " retries" : "")));
        if (e.content) add(textBlock(e.content));
        if (e.tool_calls && e.tool_calls.length) add(toolCalls(e.tool_calls));
        break;
      case "action":
        add(head(e, t0, "tool call · " + e.tool));
        if (e.args !== undefined) add(textBlock(json(e.args)));
        break;
      case "observation":
        if (e.is_error) box.classList.add("ev-error");
        add(head(e, t0, "output · " + e.tool + (e.is_error ? " · error" : "")));
        add(textBlock(e.output));
        break;
      case "note":
        add(head(e, t0, "note"));
        add(textBlock(e.message));
        break;
      case "score":
        add(head(e, t0, "score " + fmt(e.score) + (e.submitted === false ? " · nothing submitted" : "")));
        if (e.submission) add(textBlock(e.submission));
        break;
      case "cell_end":
        if (e.status === "error") box.classList.add("ev-error");
        add(head(e, t0, "end · " + e.status + (e.limit ? " · " + e.limit + " limit" : "")));
        add(el("div", null, "score " + fmt(e.score) + " · " + fmt(e.actions) + " actions · " + fmt(e.input_tokens) + " in / " + fmt(e.output_tokens) + " out tokens · " + fmt(e.agent_s, 1) + " s agent / " + fmt(e.duration_s, 1) + " s total"));
        if (e.error) add(textBlock((e.error_source ? e.error_source + ": " : "") + e.error));
        break;
      case "message":
        box.classList.add("ev-role-" + cls(e.role || "unknown"));
        if (e.error) box.classList.add("ev-error");
        add(head(e, t0, (e.role || "message") + (e.function ? " · " + e.function : "")));
        add(textBlock(contentText(e.content)));
        if (e.tool_calls && e.tool_calls.length) add(toolCalls(e.tool_calls));
        if (e.error) add(textBlock(json(e.error)));
        break;
      default: {
        add(head(e, t0, String(e.type)));
        var rest = {};
        Object.keys(e).forEach(function (k) { if (!SHOWN[k]) rest[k] = e[k]; });
        add(textBlock(json(rest)));
      }
    }
    return box;
  }
  function meta(pairs) {
    var dl = el("dl", "meta");
    pairs.forEach(function (p) {
      if (p[1] === null || p[1] === undefined || p[1] === "") return;
      dl.appendChild(el("dt", null, p[0]));
      dl.appendChild(el("dd", null, p[1]));
    });
    return dl;
  }
  function time(ms) { return typeof ms === "number" && ms > 0 ? new Date(ms).toISOString() : null; }

  function reviewPanel(d) {
    var box = el("div");
    box.id = "review";
    box.appendChild(el("h3", null, "Failure review"));
    var s = d.suggestion;
    if (s) {
      var p = el("p", "suggestion");
      p.id = "rv-suggestion";
      p.textContent = "Heuristics suggest: " + s.category + " (" + s.signal + ", " + s.confidence + " confidence) — " + s.reason;
      box.appendChild(p);
    }
    var list = el("ul", "tags");
    list.id = "rv-tags";
    (d.tags || []).forEach(function (t) {
      list.appendChild(el("li", null, t.at + " · " + t.source + (t.reviewer ? " by " + t.reviewer : "") + " · " + t.category + (t.signal ? " (" + t.signal + ")" : "") + " — " + t.reason));
    });
    if (d.tags && d.tags.length) {
      box.appendChild(el("div", null, "Resolved tag: " + (d.resolved ? d.resolved.category + " (" + d.resolved.source + ")" : "none")));
      box.appendChild(list);
    }
    if (STATIC || !state.facets.review) {
      box.appendChild(el("p", "hint", "Review controls are disabled in the static export: run deno task view --log <log> to tag failures."));
      return box;
    }
    var form = el("form");
    form.id = "rv-form";
    var cats = el("div", "row");
    ["spurious", "real", "tradeoff"].forEach(function (c) {
      var l = el("label");
      var r = el("input");
      r.type = "radio"; r.name = "category"; r.value = c; r.id = "rv-" + c;
      if (s && s.category === c) r.checked = true;
      l.appendChild(r); l.appendChild(document.createTextNode(" " + c));
      cats.appendChild(l);
    });
    var sig = el("select"); sig.name = "signal"; sig.id = "rv-signal";
    ["", "tool_format", "refusal", "gave_up", "limit", "context", "environment", "agent_error", "none"].forEach(function (v) {
      var o = el("option", null, v || "(signal)"); o.value = v; if (s && s.signal === v) o.selected = true; sig.appendChild(o);
    });
    cats.appendChild(sig);
    form.appendChild(cats);
    var note = el("textarea"); note.name = "note"; note.id = "rv-note"; note.placeholder = "why (required)";
    form.appendChild(note);
    var row = el("div", "row");
    var who = el("input"); who.name = "reviewer"; who.id = "rv-reviewer"; who.placeholder = "reviewer";
    who.value = localStorage.getItem("evalkit.reviewer") || state.facets.reviewer || "";
    row.appendChild(who);
    var btn = el("button", null, "save tag"); btn.type = "submit"; btn.id = "rv-submit";
    row.appendChild(btn);
    var msg = el("span"); msg.id = "rv-msg"; msg.setAttribute("role", "status");
    row.appendChild(msg);
    form.appendChild(row);
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var cat = form.querySelector("input[name=category]:checked");
      var body = { category: cat ? cat.value : "", note: note.value };
      if (sig.value) body.signal = sig.value;
      if (who.value.trim()) { body.reviewer = who.value.trim(); localStorage.setItem("evalkit.reviewer", body.reviewer); }
      msg.className = ""; msg.textContent = "saving…";
      try {
        var r = await getJson("api/run/" + encodeURIComponent(d.run.run_id) + "/tags", {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
        });
        await openRun(d.run.run_id);
        var m = $("rv-msg");
        if (m) { m.className = "good"; m.textContent = "saved: " + r.tag.category + " → " + r.file; }
        loadList();
      } catch (e) {
        msg.className = "bad"; msg.textContent = e.message;
      }
    });
    box.appendChild(form);
    return box;
  }

  async function openRun(id) {
    state.selected = id;
    Array.prototype.forEach.call(document.querySelectorAll("#runs tbody tr"), function (tr) {
      tr.classList.toggle("selected", tr.dataset.run === id);
    });
    var det = $("detail");
    det.dataset.state = "loading";
    if (location.hash !== "#run=" + encodeURIComponent(id)) history.replaceState(null, "", "#run=" + encodeURIComponent(id));
    var d;
    try {
      d = await run(id);
    } catch (e) {
      det.textContent = "";
      det.appendChild(el("p", "fail", "Could not load run " + id + ": " + e.message));
      det.dataset.state = "error";
      return;
    }
    det.textContent = "";
    var r = d.run;
    det.appendChild(el("h2", null, "run " + r.run_id));
    var tokens = (r.input_tokens !== undefined && r.input_tokens !== null) ? fmt(r.input_tokens) + " in / " + fmt(r.output_tokens) + " out" : null;
    det.appendChild(meta([
      ["task", r.task_id], ["agent", r.alias], ["model", r.model], ["variant", r.variant], ["epoch", r.epoch],
      ["score", fmt(r.score) + (d.failed ? " (failed)" : " (success)")],
      ["human minutes", r.human_minutes === null || r.human_minutes === undefined ? null : fmt(r.human_minutes, 1)],
      ["status", r.status], ["limit", r.limit], ["error", r.error], ["fatal error from", r.fatal_error_from],
      ["time limit", r.time_limit], ["duration", r.duration_s === null || r.duration_s === undefined ? null : fmt(r.duration_s, 1) + " s"],
      ["started", time(r.started_at)], ["completed", time(r.completed_at)],
      ["tokens", tokens], ["total tokens", r.total_tokens], ["actions", r.actions],
      ["cost", r.dollar_equivalent === null || r.dollar_equivalent === undefined ? null : "$" + fmt(r.dollar_equivalent, 4)],
    ]));
    if (d.failed) det.appendChild(reviewPanel(d));
    var tr = el("section");
    tr.id = "transcript";
    tr.appendChild(el("h3", null, "Transcript"));
    if (d.note) tr.appendChild(el("p", "hint transcript-note", d.note));
    var evs = d.events || [];
    var t0 = evs.length && typeof evs[0].t === "number" ? evs[0].t : null;
    evs.forEach(function (e) { tr.appendChild(renderEvent(e, t0)); });
    det.appendChild(tr);
    det.dataset.run = r.run_id;
    det.dataset.state = "ready";
  }

  async function init() {
    try {
      state.facets = await facets();
    } catch (e) {
      $("list-status").textContent = "Could not reach the viewer: " + e.message;
      return;
    }
    var f = state.facets;
    $("source").textContent = f.path + " · " + f.kind + " · " + f.total + " runs" + (f.transcripts ? "" : " · no transcripts");
    if (STATIC) $("static-note").hidden = false;
    fillSelect($("f-alias"), f.aliases);
    fillSelect($("f-model"), f.models);
    fillSelect($("f-limit"), f.limits);
    f.tasks.slice(0, 2000).forEach(function (t) { var o = el("option"); o.value = t; $("task-list").appendChild(o); });
    var form = $("filters");
    form.addEventListener("input", refilter);
    form.addEventListener("change", refilter);
    form.addEventListener("reset", function () { setTimeout(refilter, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); refilter(); });
    $("prev").addEventListener("click", function () { state.offset = Math.max(0, state.offset - PAGE); loadList(); });
    $("next").addEventListener("click", function () { state.offset += PAGE; loadList(); });
    await loadList();
    var m = /^#run=(.+)$/.exec(location.hash);
    if (m) openRun(decodeURIComponent(m[1]));
    document.body.dataset.ready = "1";
  }
  init();
})();
`;
