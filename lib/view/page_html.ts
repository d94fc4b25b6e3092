/**
 * The viewer's HTML shell and stylesheet (the script is in `page_js.ts`). No framework and no inline script
 * or style, so the server can send a strict Content-Security-Policy; every text from a log is put into the
 * page by the script with `textContent`, never as HTML.
 *
 * @module
 */

/** The page (served at `/`, written as `index.html` by the static export). */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>evalkit · runs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
</head>
<body>
<header>
  <h1>evalkit · runs</h1>
  <span id="source"></span>
  <span id="static-note" hidden>Static export: review controls are disabled (run <code>deno task view --log …</code> to review).</span>
</header>
<main>
  <section id="list">
    <form id="filters" autocomplete="off">
      <label>task <input id="f-task" name="task" list="task-list" placeholder="substring"></label>
      <datalist id="task-list"></datalist>
      <label>agent <select id="f-alias" name="alias"><option value="">all</option></select></label>
      <label>model <select id="f-model" name="model"><option value="">all</option></select></label>
      <label>score ≥ <input id="f-score-min" name="score_min" type="number" min="0" max="1" step="0.05"></label>
      <label>score ≤ <input id="f-score-max" name="score_max" type="number" min="0" max="1" step="0.05"></label>
      <label>limit <select id="f-limit" name="limit_hit"><option value="">all</option><option value="any">any limit</option><option value="none">no limit</option></select></label>
      <label>error <select id="f-error" name="error"><option value="">all</option><option value="yes">with error</option><option value="no">without</option></select></label>
      <label>outcome <select id="f-failed" name="failed"><option value="">all</option><option value="yes">failed</option><option value="no">succeeded</option></select></label>
      <label>review <select id="f-reviewed" name="reviewed"><option value="">all</option><option value="yes">reviewed</option><option value="no">not reviewed</option></select></label>
      <button type="reset" id="f-reset">clear</button>
    </form>
    <p id="list-status" role="status"></p>
    <table id="runs">
      <thead><tr><th>run</th><th>task</th><th>agent</th><th>epoch</th><th>score</th><th>limit</th><th>error</th><th>tag</th></tr></thead>
      <tbody></tbody>
    </table>
    <nav id="pager"><button id="prev" type="button">‹ previous</button> <span id="page-info"></span> <button id="next" type="button">next ›</button> <span id="list-counts"></span></nav>
  </section>
  <section id="detail"><p class="hint">Choose a run to see its transcript.</p></section>
</main>
<script src="data.js"></script>
<script src="app.js"></script>
</body>
</html>
`;

/** The stylesheet (`app.css`). */
export const PAGE_CSS = `
:root { --fg: #1b1f24; --muted: #5b6670; --line: #d8dde3; --bg2: #f5f7f9; --bad: #b42318; --good: #067647; --warn: #b54708; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); }
header { display: flex; gap: 1em; align-items: baseline; padding: .5em 1em; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
header h1 { font-size: 1.1em; margin: 0; }
#source { color: var(--muted); word-break: break-all; }
#static-note { color: var(--warn); }
main { display: grid; grid-template-columns: minmax(420px, 45%) 1fr; height: calc(100vh - 2.6em); }
#list { overflow: auto; border-right: 1px solid var(--line); padding: .5em; }
#detail { overflow: auto; padding: .5em 1em; }
#filters { display: flex; flex-wrap: wrap; gap: .4em .8em; font-size: 12px; }
#filters label { display: flex; gap: .3em; align-items: center; }
#filters input[type=number] { width: 4.5em; }
#runs { border-collapse: collapse; width: 100%; font-size: 12px; }
#runs th, #runs td { text-align: left; padding: 2px 4px; border-bottom: 1px solid var(--line); max-width: 10em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
#runs tbody tr { cursor: pointer; }
#runs tbody tr:hover { background: var(--bg2); }
#runs tbody tr.selected { background: #e0ecff; }
.fail { color: var(--bad); } .ok { color: var(--good); }
#pager { margin: .5em 0; }
#list-counts { color: var(--muted); margin-left: 1em; }
.hint { color: var(--muted); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 1em; margin: .5em 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; word-break: break-word; }
.ev { border: 1px solid var(--line); border-radius: 4px; margin: .4em 0; padding: .3em .5em; }
.ev > .ev-head { font-size: 12px; color: var(--muted); display: flex; gap: 1em; }
.ev > .ev-head b { color: var(--fg); }
.ev-model_call, .ev-role-assistant { background: #f3f7ff; }
.ev-observation, .ev-role-tool { background: #f7f7f2; }
.ev-score { background: #f0faf3; } .ev-cell_end { background: var(--bg2); }
.ev-error { border-color: var(--bad); }
pre { white-space: pre-wrap; word-break: break-word; margin: .2em 0; font: 12px/1.4 ui-monospace, monospace; }
button.more { font-size: 11px; }
#review { border: 1px solid var(--warn); border-radius: 4px; padding: .5em; margin: .5em 0; }
#review h3 { margin: 0 0 .3em; font-size: 1em; }
#review textarea { width: 100%; min-height: 4em; }
#review .row { display: flex; gap: 1em; flex-wrap: wrap; align-items: center; margin: .3em 0; }
#rv-msg.bad { color: var(--bad); } #rv-msg.good { color: var(--good); }
ul.tags { margin: .3em 0; padding-left: 1.2em; font-size: 12px; }
`;
