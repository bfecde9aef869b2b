"use strict";
// The reader: two scripts side by side, aligned section by section. The scripts come
// highlighted (Pygments, at build time) in the JSON block above; this only aligns and draws.
const DATA = JSON.parse(document.getElementById("data").textContent);
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

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

// Rows of the side-by-side view: {left, right} line numbers (null: a padding row), whether the
// row differs, and on the first row of a section both scripts have, that section's name.
function align(a, b) {
  const rows = [];
  const run = (li, lEnd, ri, rEnd) => {  // unmatched lines face each other, the shorter padded
    for (; li < lEnd || ri < rEnd; li++, ri++)
      rows.push({left: li < lEnd ? li : null, right: ri < rEnd ? ri : null, changed: true});
  };
  const section = (sa, sb) => {  // a section both have: line by line, equal lines on one row
    const la = a.lines.slice(sa[1], sa[2]), lb = b.lines.slice(sb[1], sb[2]);
    const first = rows.length;
    let i = 0, j = 0;
    for (const [pi, pj] of lcs(la, lb).concat([[la.length, lb.length]])) {
      run(sa[1] + i, sa[1] + pi, sb[1] + j, sb[1] + pj);
      if (pi < la.length) rows.push({left: sa[1] + pi, right: sb[1] + pj, changed: false});
      i = pi + 1; j = pj + 1;
    }
    if (rows.length > first) rows[first].section = sa[0];
  };
  const names = (s) => s.sections.map((x) => x[0]);
  let i = 0, j = 0;
  const matched = lcs(names(a), names(b)).concat([[a.sections.length, b.sections.length]]);
  for (const [si, sj] of matched) {  // sections only one script has: side by side, changed
    if (si > i || sj > j) {
      const la = i < si ? [a.sections[i][1], a.sections[si - 1][2]] : [0, 0];
      const lb = j < sj ? [b.sections[j][1], b.sections[sj - 1][2]] : [0, 0];
      run(la[0], la[1], lb[0], lb[1]);
    }
    if (si < a.sections.length) section(a.sections[si], b.sections[sj]);
    i = si + 1; j = sj + 1;
  }
  return rows;
}

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value; o.textContent = text;
  select.append(o);
}

function script(model, framework) {
  return DATA.models[model].prefix + framework + ".py";
}

function parse(hash) {
  const parts = decodeURIComponent(hash.replace(/^#/, "")).split("/");
  if (parts.length !== 3) return null;
  const [model, left, right] = parts;
  const m = DATA.models[model];
  if (!m || !m.frameworks.includes(left) || !m.frameworks.includes(right)) return null;
  return {model, left, right};
}

function fmt(value, digits, unit) {
  return value === null || value === undefined ? "–" : value.toFixed(digits) + (unit || "");
}

function header(el, name, side) {
  const s = DATA.scripts[name], r = s.result;
  el.replaceChildren();
  const title = document.createElement("div");
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  const link = document.createElement("a");
  link.className = "file"; link.href = "../" + name; link.textContent = name;
  title.append(swatch, link, ` ${s.framework} ${s.version} · ${s.lines.length} lines`);
  const dl = document.createElement("dl");
  const facts = r ? [["test accuracy", fmt(r.test_accuracy, 4)], ["s/epoch", fmt(r.s_per_epoch, 1)],
    ["wall time", fmt(r.seconds, 0, " s")], ["peak memory", r.peak_mib + " MiB"], ["run", r.date]]
    : [["results", "no default run in docs/results-mnist.json"]];
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

function pane(el, name, rows, side) {
  const s = DATA.scripts[name];
  const frag = document.createDocumentFragment();
  for (const row of rows) {
    const line = row[side], div = document.createElement("div");
    div.className = "row" + (line === null ? " pad" : row.changed ? " changed" : "") + (row.section ? " section" : "");
    if (row.section) div.dataset.section = row.section;
    const ln = document.createElement("span"), src = document.createElement("span");
    ln.className = "ln"; src.className = "src";
    if (line !== null) {
      ln.textContent = line + 1;
      src.innerHTML = s.html[line];  // Pygments' output for this line, escaped at build time
    }
    div.append(ln, src);
    frag.append(div);
  }
  el.replaceChildren(frag);
  el.setAttribute("aria-label", name);
}

function fill(select, model, value) {
  select.replaceChildren();
  for (const f of DATA.models[model].frameworks) option(select, f, f);
  select.value = value;
}

function show(pick) {
  const {model, left, right} = pick;
  $("model").value = model;
  fill($("left"), model, left);
  fill($("right"), model, right);
  const a = script(model, left), b = script(model, right);
  header($("head-left"), a, "left");
  header($("head-right"), b, "right");
  chart($("chart"), a, b);
  const rows = align(DATA.scripts[a], DATA.scripts[b]);
  pane($("code-left"), a, rows, "left");
  pane($("code-right"), b, rows, "right");
  $("permalink").href = `#${model}/${left}/${right}`;
  document.title = `${a} and ${b}: simple-neural-networks`;
}

function route() {
  const hash = location.hash;
  let pick = hash ? parse(hash) : parse("#" + DATA.default);
  $("note").textContent = "";
  if (!pick) {
    pick = parse("#" + DATA.default);
    $("note").textContent = `No such pair: “${hash.slice(1)}”. Showing #${DATA.default}; ` +
      `a link reads #MODEL/LEFT/RIGHT, for example #conv/jax/tensorflow.`;
    history.replaceState(null, "", "#" + DATA.default);
  }
  show(pick);
}

function changed(event) {
  const model = $("model").value, m = DATA.models[model];
  let left = $("left").value, right = $("right").value;
  if (event.target.id === "model") {  // keep the frameworks the new model has, else its first two
    if (!m.frameworks.includes(left)) left = m.frameworks[0];
    if (!m.frameworks.includes(right)) right = m.frameworks.find((f) => f !== left);
  }
  location.hash = `${model}/${left}/${right}`;  // hashchange draws it
}

for (const [key, m] of Object.entries(DATA.models)) option($("model"), key, m.label);
$("pick").addEventListener("change", changed);
$("pick").addEventListener("submit", (e) => e.preventDefault());
window.addEventListener("hashchange", route);
route();
performance.mark("reader-drawn");
