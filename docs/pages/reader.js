"use strict";
// The reader: two scripts side by side, aligned section by section, or one section in every
// framework (the Rosetta view). The scripts come as Pygments tokens (highlighted at build time)
// in the JSON block above; this aligns them, marks the words that differ and draws.
const DATA = JSON.parse(document.getElementById("data").textContent);
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
for (const s of Object.values(DATA.scripts)) s.lines = s.tokens.map((t) => t.filter((_, k) => k % 2).join(""));

// Longest common subsequence of a and b: the [i, j] pairs that match, in order.
function lcs(a, b) {
  const n = a.length, m = b.length;
  const len = Array.from({length: n + 1}, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      len[i][j] = a[i] === b[j] ? len[i + 1][j + 1] + 1 : Math.max(len[i + 1][j], len[i][j + 1]);
  const pairs = [];
  for (let i = 0, j = 0; i < n && j < m;) {
    if (a[i] === b[j]) { pairs.push([i, j]); i++; j++; }
    else if (len[i + 1][j] >= len[i][j + 1]) i++;
    else j++;
  }
  return pairs;
}

// Rows of two line lists: {left, right} indices into them (null: a padding row) and whether the
// row differs. Equal lines (their longest common subsequence) share a row; the lines between
// face each other in order, the shorter run padded.
function pairLines(la, lb, offA = 0, offB = 0) {
  const rows = [];
  let i = 0, j = 0;
  for (const [pi, pj] of lcs(la, lb).concat([[la.length, lb.length]])) {
    for (; i < pi || j < pj; i++, j++)
      rows.push({left: i < pi ? offA + i : null, right: j < pj ? offB + j : null, changed: true});
    if (pi < la.length) rows.push({left: offA + pi, right: offB + pj, changed: false});
    i = pi + 1; j = pj + 1;
  }
  return rows;
}

// The side-by-side rows of two scripts: sections both have are aligned line by line, and the
// first row of each is named; sections only one has face each other, changed.
function align(a, b) {
  const rows = [];
  const names = (s) => s.sections.map((x) => x[0]);
  const span = (s, i, k) => i < k ? [s.sections[i][1], s.sections[k - 1][2]] : [0, 0];
  let i = 0, j = 0;
  for (const [si, sj] of lcs(names(a), names(b)).concat([[a.sections.length, b.sections.length]])) {
    if (si > i || sj > j) {
      const [a0, a1] = span(a, i, si), [b0, b1] = span(b, j, sj);
      for (let k = 0; k < Math.max(a1 - a0, b1 - b0); k++)
        rows.push({left: a0 + k < a1 ? a0 + k : null, right: b0 + k < b1 ? b0 + k : null, changed: true});
    }
    if (si < a.sections.length) {
      const sa = a.sections[si], sb = b.sections[sj], first = rows.length;
      rows.push(...pairLines(a.lines.slice(sa[1], sa[2]), b.lines.slice(sb[1], sb[2]), sa[1], sb[1]));
      if (rows.length > first) rows[first].section = sa[0];
    }
    i = si + 1; j = sj + 1;
  }
  return rows;
}

// A line's tokens split into words, spaces and single other characters: [[class, text], ...].
function words(flat) {
  const out = [];
  for (let k = 0; k < flat.length; k += 2)
    for (const w of flat[k + 1].match(/\s+|\w+|[^\w\s]/g) || []) out.push([flat[k], w]);
  return out;
}

// Which words of line a and of line b differ (not in their longest common subsequence); spaces
// only between two of them.
function wordDiff(a, b) {
  const pairs = lcs(a.map((w) => w[1]), b.map((w) => w[1]));
  const mark = (list, side) => {
    const keep = new Set(pairs.map((p) => p[side]));
    const marked = list.map((w, k) => !keep.has(k) && /\S/.test(w[1]));
    // a space between two marked words is marked too: one mark for "a b", not two
    return marked.map((m, k) => m || (!/\S/.test(list[k][1]) && k > 0 && marked[k - 1] && marked[k + 1] === true));
  };
  return [mark(a, 0), mark(b, 1)];
}

// A line's HTML nodes: its words in runs of one class, those that differ inside <mark>.
function lineNodes(list, marks) {
  const frag = document.createDocumentFragment();
  let mark = null, last = null;  // the open <mark>; the last span, with its class and mark
  list.forEach(([cls, text], k) => {
    const marked = Boolean(marks && marks[k]);
    if (last && last.cls === cls && last.marked === marked) { last.span.textContent += text; return; }
    if (!marked) mark = null;
    else if (!mark) { mark = document.createElement("mark"); frag.append(mark); }
    const span = document.createElement("span");
    if (cls) span.className = cls;
    span.textContent = text;
    (mark || frag).append(span);
    last = {cls, marked, span};
  });
  return frag;
}

// One row element: line number and source, wrapped with a hanging indent (its own indentation
// plus four), placed on grid row r. The indentation is a span of its own (never marked), which a
// phone shows at most 12 columns wide.
function rowElement(s, line, marks, cls, r) {
  const div = document.createElement("div"), ln = document.createElement("span");
  const src = document.createElement("span");
  div.className = "row" + cls;
  div.style.setProperty("--r", r);
  ln.className = "ln"; src.className = "src";
  if (line !== null) {
    ln.textContent = line + 1;
    const list = words(s.tokens[line]), indent = s.lines[line].match(/^ */)[0].length;
    if (indent && list.length && list[0][1] === " ".repeat(indent)) {
      const ind = document.createElement("span");
      ind.className = "ind"; ind.textContent = list[0][1];
      src.append(ind, lineNodes(list.slice(1), marks && marks.slice(1)));
    } else src.append(lineNodes(list, marks));
    src.style.setProperty("--indent", indent);
  }
  div.append(ln, src);
  return div;
}

// The words that differ in each changed row that has a line on both sides.
function rowMarks(a, b, rows) {
  return rows.map((row) => row.changed && row.left !== null && row.right !== null
    ? wordDiff(words(a.tokens[row.left]), words(b.tokens[row.right])) : [null, null]);
}

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value; o.textContent = text;
  select.append(o);
}

function script(model, framework) {
  return DATA.models[model].prefix + framework + ".py";
}

// A section's name in the Rosetta view: the function's, less "compile_" (PyTensor, MLX and tinygrad
// compile their step), or "docstring" and "imports".
function key(section) {
  return section.replace(/^def (compile_)?/, "");
}
const ROSETTA = (name) => name === "docstring" || name === "imports" || name.startsWith("def ");
// what a script has instead of a section it lacks
const INSTEAD = {build_model: ["feed_forward"], feed_forward: ["build_model"], train_step: ["train_epoch"]};

function sectionsOf(model) {  // the model's Rosetta sections, by their mean position in the scripts
  const where = {};
  for (const f of DATA.models[model].frameworks) {
    const secs = DATA.scripts[script(model, f)].sections.filter((x) => ROSETTA(x[0]));
    secs.forEach((x, k) => (where[key(x[0])] = where[key(x[0])] || []).push(k / secs.length));
  }
  const mean = (v) => v.reduce((p, q) => p + q, 0) / v.length;
  return Object.keys(where).sort((p, q) => mean(where[p]) - mean(where[q]));
}

// [name, first, end] of the script's section of that Rosetta name, less its trailing blank lines
function findSection(s, name) {
  const sec = s.sections.find((x) => ROSETTA(x[0]) && key(x[0]) === name);
  if (!sec) return sec;
  let end = sec[2];
  while (end > sec[1] + 1 && !s.lines[end - 1].trim()) end--;
  return [sec[0], sec[1], end];
}

function parse(hash) {
  const parts = decodeURIComponent(hash.replace(/^#/, "")).split("/");
  if (parts.length !== 3) return null;
  const [model, left, right] = parts;
  const m = DATA.models[model];
  if (!m) return null;
  if (left === "all") return sectionsOf(model).includes(right) ? {model, section: right} : null;
  if (!m.frameworks.includes(left) || !m.frameworks.includes(right)) return null;
  return {model, left, right};
}

function fmt(value, digits, unit) {
  return value === null || value === undefined ? "–" : value.toFixed(digits) + (unit || "");
}

// A link that downloads the script itself, from the page (no request: it works from disk, when
// only docs/ is served, and on a Pages site).
const blobs = {};
function fileLink(name) {
  const link = document.createElement("a");
  link.className = "file"; link.textContent = name; link.download = name;
  blobs[name] = blobs[name] || URL.createObjectURL(
    new Blob([DATA.scripts[name].lines.join("\n") + "\n"], {type: "text/plain;charset=utf-8"}));
  link.href = blobs[name];
  link.title = "download " + name;
  return link;
}

function header(el, name, side) {
  const s = DATA.scripts[name], r = s.result;
  el.replaceChildren();
  const title = document.createElement("div");
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  title.append(swatch, fileLink(name), ` ${s.framework} ${s.version} · ${s.lines.length} lines`);
  const dl = document.createElement("dl");
  const facts = r ? [["test accuracy", fmt(r.test_accuracy, 4)], ["s/epoch", fmt(r.s_per_epoch, 1)],
    ["wall time", fmt(r.seconds, 0, " s")], ["peak memory", r.peak_mib + " MiB"], ["run", r.date]]
    : [["results", "no default run in docs/results-mnist.json"]];
  if (r && r.seed_mean !== null) facts.splice(1, 0, ["mean of seeds 0-2", fmt(r.seed_mean, 4)]);
  for (const [k, v] of facts) {
    const div = document.createElement("div"), dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = k; dd.textContent = v;
    div.append(dt, dd); dl.append(div);
  }
  el.append(title, dl);
  el.dataset.side = side;
}

function chart(el, left, right) {
  const curves = [[left, "left"], [right, "right"]]
    .filter(([n]) => DATA.scripts[n].result).map(([n, c]) => [DATA.scripts[n].result.val_accuracy, c, n]);
  el.replaceChildren();
  if (!curves.length) return;
  const W = 640, H = 180, L = 48, R = 12, T = 12, B = 30;
  const all = curves.flatMap(([v]) => v);
  const lo = Math.floor(Math.min(...all) * 100) / 100, hi = Math.ceil(Math.max(...all) * 100) / 100;
  const epochs = Math.max(...curves.map(([v]) => v.length));
  const x = (e) => L + (W - L - R) * (epochs > 1 ? (e - 1) / (epochs - 1) : 0.5);
  const y = (a) => T + (H - T - B) * (hi - a) / (hi - lo || 1);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  add("title", {}, "validation accuracy per epoch: " + curves.map((c) => c[2]).join(" and "));
  add("line", {class: "axis", x1: L, y1: H - B, x2: W - R, y2: H - B});
  add("line", {class: "axis", x1: L, y1: T, x2: L, y2: H - B});
  for (const a of [lo, (lo + hi) / 2, hi])
    add("text", {x: L - 6, y: y(a) + 4, "text-anchor": "end"}, a.toFixed(3));
  for (const e of [1, Math.round(epochs / 2), epochs])
    add("text", {x: x(e), y: H - B + 16, "text-anchor": "middle"}, String(e));
  add("text", {x: (L + W - R) / 2, y: H - 2, "text-anchor": "middle"}, "epoch");
  for (const [v, cls] of curves)
    add("polyline", {class: cls, points: v.map((a, k) => `${x(k + 1).toFixed(1)},${y(a).toFixed(1)}`).join(" ")});
  const caption = document.createElement("figcaption");
  caption.className = "muted";
  caption.textContent = "Validation accuracy per epoch (left solid, right dashed; where they agree, one line hides the other).";
  el.append(svg, caption);
}

// One side of the two panes. Its rows sit on the same grid rows as the other side's, so a row
// that wraps is as tall on both sides; the first row of a section links to its Rosetta view.
function pane(el, model, name, rows, marks, side, framework) {
  const s = DATA.scripts[name], k = side === "left" ? 0 : 1;
  const frag = document.createDocumentFragment();
  rows.forEach((row, i) => {
    const line = row[side], other = row[side === "left" ? "right" : "left"];
    const cls = (line === null ? " pad" : row.changed ? " changed" + (other === null ? " only" : "") : "") +
      (row.section ? " section" : "");
    const div = rowElement(s, line, marks[i][k], cls, i + 1);
    div.dataset.fw = framework;
    if (row.section) {
      div.dataset.section = row.section;
      if (side === "right" && row.section.startsWith("def ")) {
        const a = document.createElement("a");
        a.className = "sec"; a.href = `#${model}/all/${key(row.section)}`;
        a.textContent = `${key(row.section)} in every framework`;
        div.append(a);
      }
    }
    frag.append(div);
  });
  el.replaceChildren(frag);
  el.setAttribute("aria-label", name);
}

// The Rosetta view: one section in every script of the model, a card each, the words that
// differ from the first card marked.
function rosetta(el, model, name) {
  el.replaceChildren();
  const h = document.createElement("h2");
  h.textContent = `${name} in every framework (${DATA.models[model].label})`;
  el.append(h);
  let first = null;
  for (const f of DATA.models[model].frameworks) {
    const file = script(model, f), s = DATA.scripts[file];
    let sec = findSection(s, name), note = "";
    if (!sec) {
      const alt = (INSTEAD[name] || []).map((n) => findSection(s, n)).find(Boolean);
      note = alt ? `no ${name}: ${key(alt[0])} instead` : `no ${name} in this script`;
      sec = alt;
    }
    const card = document.createElement("section");
    card.className = "card"; card.dataset.framework = f;
    const head = document.createElement("div");
    head.className = "card-head";
    const count = sec ? sec[2] - sec[1] : 0;
    head.append(fileLink(file), ` ${s.framework} ${s.version} · ${count} lines` + (sec ? ` (${sec[1] + 1}-${sec[2]})` : ""));
    if (note) {
      const n = document.createElement("div");
      n.className = "card-note"; n.textContent = note;
      head.append(n);
    }
    const code = document.createElement("div");
    code.className = "code card-code";
    if (sec) {
      const lines = s.lines.slice(sec[1], sec[2]);
      if (!first) {
        first = {s, sec, lines};
        lines.forEach((_, k) => code.append(rowElement(s, sec[1] + k, null, "", k + 1)));
      } else {  // against the first card: its lines as the left side of a pairing
        const rows = pairLines(first.lines, lines, first.sec[1], sec[1]).filter((r) => r.right !== null);
        rows.forEach((row, k) => {
          const marks = row.changed && row.left !== null
            ? wordDiff(words(first.s.tokens[row.left]), words(s.tokens[row.right]))[1] : null;
          const cls = row.changed ? " changed" + (row.left === null ? " only" : "") : "";
          code.append(rowElement(s, row.right, marks, cls, k + 1));
        });
      }
    }
    card.append(head, code);
    el.append(card);
  }
}

function fill(select, model, value) {
  select.replaceChildren();
  for (const f of DATA.models[model].frameworks) option(select, f, f);
  select.value = value;
}

function fillSections(model, value) {
  const select = $("section");
  select.replaceChildren();
  option(select, "", "(two scripts)");
  for (const name of sectionsOf(model)) option(select, name, name);
  select.value = value || "";
}

let current = null;  // the view shown: {model, left, right} or {model, section}

function show(pick) {
  const {model} = pick, m = DATA.models[model];
  const left = pick.left || (current && m.frameworks.includes(current.left) ? current.left : m.frameworks[0]);
  const right = pick.right || (current && m.frameworks.includes(current.right) && current.right !== left
    ? current.right : m.frameworks.find((f) => f !== left));
  current = {model, left, right, section: pick.section};
  $("model").value = model;
  fill($("left"), model, left);
  fill($("right"), model, right);
  fillSections(model, pick.section);
  $("pair").hidden = Boolean(pick.section);
  $("rosetta").hidden = !pick.section;
  if (pick.section) {
    rosetta($("rosetta"), model, pick.section);
    $("permalink").href = `#${model}/all/${pick.section}`;
    document.title = `${pick.section} in every framework: simple-neural-networks`;
    return;
  }
  const a = script(model, left), b = script(model, right);
  header($("head-left"), a, "left");
  header($("head-right"), b, "right");
  chart($("chart"), a, b);
  const rows = align(DATA.scripts[a], DATA.scripts[b]);
  const marks = rowMarks(DATA.scripts[a], DATA.scripts[b], rows);
  pane($("code-left"), model, a, rows, marks, "left", left);
  pane($("code-right"), model, b, rows, marks, "right", right);
  $("permalink").href = `#${model}/${left}/${right}`;
  document.title = `${a} and ${b}: simple-neural-networks`;
}

function route() {
  const hash = location.hash;
  let pick = hash ? parse(hash) : parse("#" + DATA.default);
  $("note").textContent = "";
  if (!pick) {
    pick = parse("#" + DATA.default);
    $("note").textContent = `No such view: “${hash.slice(1)}”. Showing #${DATA.default}; a link reads ` +
      `#MODEL/LEFT/RIGHT (for example #conv/jax/tensorflow) or #MODEL/all/SECTION (#conv/all/train_step).`;
    history.replaceState(null, "", "#" + DATA.default);
  }
  show(pick);
}

function changed(event) {
  const model = $("model").value, m = DATA.models[model];
  let left = $("left").value, right = $("right").value, section = $("section").value;
  if (event.target.id === "model") {  // keep the frameworks the new model has, else its first two
    if (!m.frameworks.includes(left)) left = m.frameworks[0];
    if (!m.frameworks.includes(right)) right = m.frameworks.find((f) => f !== left);
    if (section && !sectionsOf(model).includes(section)) section = "";
  } else if (event.target.id !== "section") section = "";  // a framework picked: the pair
  location.hash = section ? `${model}/all/${section}` : `${model}/${left}/${right}`;  // hashchange draws it
}

for (const [k, m] of Object.entries(DATA.models)) option($("model"), k, m.label);
$("pick").addEventListener("change", changed);
$("pick").addEventListener("submit", (e) => e.preventDefault());
window.addEventListener("hashchange", route);
route();
performance.mark("reader-drawn");
