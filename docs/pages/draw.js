"use strict";
// Draw a digit: predict.py's preprocessing and forward pass, in JavaScript. The built-in weights
// come in the JSON block above, base64 float32 in the canonical layout of mnist.init_weights; a
// user's own come from a .npz that a script's --save wrote, read here (readNpz) as predict.py reads it.
const DATA = JSON.parse(document.getElementById("data").textContent);
const $ = (id) => document.getElementById(id);
const f32 = Math.fround;  // NumPy computes in float32: round where it does
const NAMES = {mlp: "MLP", conv: "conv net", "deep conv": "deep conv net"};  // predict.MODELS' names
const DATASETS = {mnist: "MNIST", fashion: "Fashion-MNIST"};

function decode(net) {
  const bytes = Uint8Array.from(atob(net.weights), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  let offset = 0;
  return net.shapes.map((shape) => {
    const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < a.length; i++, offset += 4) a[i] = view.getFloat32(offset, true);
    return a;
  });
}
// the nets on the page, in order: the built-in ones, then any the user opened (until a reload)
const NETS = Object.fromEntries(DATA.order.map((k) => [k, {
  ...DATA.nets[k], params: decode(DATA.nets[k]), title: NAMES[DATA.nets[k].model], classes: DATA.classes.mnist,
  note: `${DATA.nets[k].script}, test accuracy ${DATA.nets[k].test_accuracy}`}]));

// ---- the forward pass: predict.probabilities ----
const ACTIVATIONS = {sigmoid: (z) => 1 / (1 + Math.exp(-z)), relu: (z) => Math.max(z, 0)};

function dense(x, w, b, act) {  // x (in) @ w (in, out) + b
  const n = b.length, out = Float64Array.from(b);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (xi !== 0) for (let o = 0, r = i * n; o < n; o++) out[o] += xi * w[r + o];
  }
  return act ? out.map(act) : out;
}

function conv(x, h, w, cin, k, b, act) {  // valid 5x5 cross-correlation, (h, w, cin) -> (h-4, w-4, cout)
  const cout = b.length, oh = h - 4, ow = w - 4, out = new Float64Array(oh * ow * cout);
  for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    const at = (i * ow + j) * cout;
    for (let o = 0; o < cout; o++) out[at + o] = b[o];
    for (let di = 0; di < 5; di++) for (let dj = 0; dj < 5; dj++) for (let c = 0; c < cin; c++) {
      const xv = x[((i + di) * w + j + dj) * cin + c], kr = ((di * 5 + dj) * cin + c) * cout;
      for (let o = 0; o < cout; o++) out[at + o] += xv * k[kr + o];
    }
  }
  return out.map(act);
}

function pool(x, h, w, c) {  // 2x2 max-pool, (h, w, c) -> (h/2, w/2, c)
  const out = new Float64Array((h / 2) * (w / 2) * c);
  for (let i = 0; i < h / 2; i++) for (let j = 0; j < w / 2; j++) for (let k = 0; k < c; k++) {
    const at = (a, b) => x[((2 * i + a) * w + 2 * j + b) * c + k];
    out[(i * (w / 2) + j) * c + k] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
  }
  return out;
}

function probabilities(net, image) {  // image: 784 floats in [0, 1], row-major 28x28
  const act = ACTIVATIONS[net.activation], p = net.params;
  let a = image, size = 28, channels = 1, at = 0;
  for (; net.shapes[at].length === 4; at += 2) {  // conv layers: (5, 5, in, out)
    a = conv(a, size, size, channels, p[at], p[at + 1], act);
    size -= 4; channels = net.shapes[at][3];
  }
  if (at) { a = pool(a, size, size, channels); size /= 2; }
  const z = dense(dense(a, p[at], p[at + 1], act), p[at + 2], p[at + 3]);
  const top = Math.max(...z), e = z.map((v) => Math.exp(v - top)), s = e.reduce((x, y) => x + y);
  return Array.from(e, (v) => v / s);
}

// ---- the preprocessing: predict.preprocess ----
// Pillow 13's LANCZOS resize of an 8-bit image, in its fixed-point arithmetic (Resample.c).
function lanczos(x) {
  const sinc = (t) => (t === 0 ? 1 : Math.sin(t * Math.PI) / (t * Math.PI));
  return -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

function coefficients(inSize, outSize) {
  const scale = inSize / outSize, filterscale = Math.max(scale, 1), support = 3 * filterscale;
  const out = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const min = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - min;
    const k = [];
    let sum = 0;
    for (let x = 0; x < count; x++) {
      k.push(lanczos((x + min - center + 0.5) / filterscale));
      sum += k[x];
    }
    out.push({min, k: k.map((v) => {  // to 22-bit fixed point, rounded away from zero
      v = sum !== 0 ? v / sum : v;
      return Math.trunc(v < 0 ? -0.5 + v * 4194304 : 0.5 + v * 4194304);
    })});
  }
  return out;
}

function pass(src, w, h, outW, outH, horizontal) {
  const cs = coefficients(horizontal ? w : h, horizontal ? outW : outH);
  const out = new Uint8Array(outW * outH);
  for (let y = 0; y < outH; y++) for (let x = 0; x < outW; x++) {
    const {min, k} = cs[horizontal ? x : y];
    let s = 2097152;  // 1 << 21: rounds the final shift
    for (let i = 0; i < k.length; i++)
      s += k[i] * (horizontal ? src[y * w + min + i] : src[(min + i) * w + x]);
    out[y * outW + x] = Math.min(255, Math.max(0, Math.floor(s / 4194304)));
  }
  return out;
}

function resize(src, w, h, outW, outH) {
  if (w === outW && h === outH) return src;
  // Pillow runs the vertical pass first when the height shrinks more than twice the width
  if (h - outH > 0 && h - outH > (w - outW) * 2) {
    const tmp = pass(src, w, h, w, outH, false);
    return outW === w ? tmp : pass(tmp, w, outH, outW, outH, true);
  }
  const tmp = outW === w ? src : pass(src, w, h, outW, h, true);
  return outH === h ? tmp : pass(tmp, outW, h, outW, outH, false);
}

function roundHalfEven(x) {  // Python's round()
  const f = Math.floor(x), d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

function edgeMedian(g, w, h) {  // the paper's grey level: the median of the outermost rows and columns
  const v = [];
  for (let x = 0; x < w; x++) v.push(g[x], g[(h - 1) * w + x]);
  for (let y = 0; y < h; y++) v.push(g[y * w], g[y * w + w - 1]);
  v.sort((a, b) => a - b);
  const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : f32(f32(v[n / 2 - 1] + v[n / 2]) / 2);
}

class NoInk extends Error {}

// RGBA pixels (w, h) -> the 28x28 image the nets see (784 floats in [0, 1]).
function preprocess(rgba, w, h) {
  const g = new Float32Array(w * h);
  for (let p = 0; p < w * h; p++) {
    let r = rgba[4 * p], gr = rgba[4 * p + 1], b = rgba[4 * p + 2];
    const a = rgba[4 * p + 3];
    if (a < 255) {  // transparent: onto white paper, as Pillow's alpha_composite rounds
      const c1 = a * 128, c2 = 255 * 128 - c1;
      const mix = (s) => { const t = s * c1 + 255 * c2 + 16384; return ((t >> 8) + t) >> 15; };
      r = mix(r); gr = mix(gr); b = mix(b);
    }
    g[p] = ((r * 19595 + gr * 38470 + b * 7471 + 0x8000) >> 16) / 255;  // Pillow's convert("L")
  }
  if (edgeMedian(g, w, h) > 0.5) for (let p = 0; p < g.length; p++) g[p] = 1 - g[p];  // light paper
  const paper = edgeMedian(g, w, h), scale = f32(Math.max(f32(1 - paper), f32(1e-3)));
  let max = 0;
  for (let p = 0; p < g.length; p++) {  // the background becomes 0
    g[p] = Math.min(Math.max(f32(g[p] - paper) / scale, 0), 1);
    max = Math.max(max, g[p]);
  }
  const threshold = f32(f32(0.2) * max);
  let top = h, bottom = -1, left = w, right = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (max > 0 && g[y * w + x] > threshold) {
    top = Math.min(top, y); bottom = Math.max(bottom, y);
    left = Math.min(left, x); right = Math.max(right, x);
  }
  if (bottom < 0) throw new NoInk("no ink found");
  const iw = right - left + 1, ih = bottom - top + 1, ink = new Uint8Array(iw * ih);  // cropped
  for (let y = 0; y < ih; y++) for (let x = 0; x < iw; x++)
    ink[y * iw + x] = Math.trunc(f32(f32(g[(y + top) * w + x + left] / max) * 255));
  const s = 20 / Math.max(iw, ih);  // the longer side becomes 20 pixels, the aspect ratio stays
  const sw = Math.max(1, roundHalfEven(iw * s)), sh = Math.max(1, roundHalfEven(ih * s));
  const small = Float32Array.from(resize(ink, iw, ih, sw, sh), (v) => v / 255);
  let mass = 0, my = 0, mx = 0;
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) {
    const v = small[y * sw + x];
    mass += v; my += y * v; mx += x * v;
  }
  const oy = Math.min(Math.max(roundHalfEven(14 - my / mass), 0), 28 - sh);  // centre of mass to (14, 14)
  const ox = Math.min(Math.max(roundHalfEven(14 - mx / mass), 0), 28 - sw);
  const out = new Float32Array(784);
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) out[(y + oy) * 28 + x + ox] = small[y * sw + x];
  return out;
}

// ---- the page ----
const pad = $("pad"), ctx = pad.getContext("2d", {willReadFrequently: true});
const digits = {preprocess, probabilities, nets: NETS, last: null, updates: 0};
window.digits = digits;

function blank() {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, pad.width, pad.height);
}

function say(message, image, probs) {
  $("message").textContent = message;
  const seen = $("seen").getContext("2d"), px = seen.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = image ? Math.round(image[i] * 255) : 0;
    px.data.set([v, v, v, 255], 4 * i);
  }
  seen.putImageData(px, 0, 0);
  for (const key of Object.keys(NETS)) {
    const bars = $(netId(key)).querySelector(".bars");
    bars.replaceChildren();
    if (!probs) continue;
    const order = probs[key].map((p, k) => [p, k]).sort((a, b) => b[0] - a[0]).slice(0, 3);
    for (const [p, k] of order) {
      const row = document.createElement("div"), digit = document.createElement("span");
      const track = document.createElement("span"), fill = document.createElement("span");
      const value = document.createElement("span");
      row.className = "bar"; digit.className = "digit"; track.className = "track"; fill.className = "fill";
      digit.textContent = NETS[key].classes[k]; value.textContent = p.toFixed(4);
      fill.style.width = (100 * p).toFixed(1) + "%";
      track.append(fill);
      row.append(digit, track, value);
      row.setAttribute("aria-label", `${NETS[key].classes[k]}: ${(100 * p).toFixed(1)} %`);
      bars.append(row);
    }
  }
}

function nothing(source, message) {  // no image to classify: one line on the page, no bars
  digits.last = {source, image: null, probs: null, message};
  say(message);
  digits.updates++;
}

function recognize(rgba, w, h, source) {
  let image;
  try {
    image = preprocess(rgba, w, h);
  } catch (e) {
    if (!(e instanceof NoInk)) throw e;
    return nothing(source, source === "canvas" ? "Draw a digit" : `${source}: no ink found`);
  }
  classify(image, source);
}

function classify(image, source) {  // every net on the page, on the 28x28 image
  const probs = {}, ms = {};
  for (const [key, net] of Object.entries(NETS)) {
    const t0 = performance.now();
    probs[key] = probabilities(net, image);
    ms[key] = performance.now() - t0;
  }
  const best = (p) => p.indexOf(Math.max(...p));
  const guesses = Object.entries(NETS).map(([k, net]) =>
    `${net.title}: ${net.classes[best(probs[k])]} (${Math.max(...probs[k]).toFixed(4)})`).join(", ");
  digits.last = {source, image: Array.from(image), probs, ms, message: guesses};
  say(guesses, image, probs);
  $("timing").textContent = "prediction time here: " +
    Object.entries(NETS).map(([k, net]) => `${net.title} ${ms[k].toFixed(1)} ms`).join(", ");
  digits.updates++;
}

function recognizePad() {
  recognize(ctx.getImageData(0, 0, pad.width, pad.height).data, pad.width, pad.height, "canvas");
}

let scheduled = false, last = null;
function point(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
}
function stroke(from, to) {
  ctx.strokeStyle = "#000"; ctx.lineWidth = 18; ctx.lineCap = ctx.lineJoin = "round";
  ctx.beginPath(); ctx.moveTo(...from); ctx.lineTo(...to); ctx.stroke();
}
function later() {  // at most one recognition per frame while drawing
  if (!scheduled) { scheduled = true; requestAnimationFrame(() => { scheduled = false; recognizePad(); }); }
}
pad.addEventListener("pointerdown", (e) => {
  pad.setPointerCapture(e.pointerId);
  last = point(e);
  stroke(last, last);
  later();
});
pad.addEventListener("pointermove", (e) => {
  if (last === null) return;
  for (const c of e.getCoalescedEvents ? e.getCoalescedEvents() : [e]) {
    const p = point(c);
    stroke(last, p);
    last = p;
  }
  later();
});
for (const type of ["pointerup", "pointercancel"])
  pad.addEventListener(type, () => { if (last !== null) { last = null; recognizePad(); } });

$("clear").addEventListener("click", () => { blank(); recognizePad(); });

async function open(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, {imageOrientation: "from-image", premultiplyAlpha: "none",
      colorSpaceConversion: "none"});
  } catch {
    return nothing(file.name, `${file.name}: not a readable image`);
  }
  const {width: w, height: h} = bitmap;
  if (w * h > 89478485) {  // Pillow's limit, which predict.py keeps
    return nothing(file.name, `${file.name}: too large an image`);
  }
  const full = document.createElement("canvas");
  full.width = w; full.height = h;
  const fctx = full.getContext("2d", {willReadFrequently: true});
  fctx.drawImage(bitmap, 0, 0);
  blank();  // show it on the pad, fitted; the nets see the file's own pixels
  const fit = Math.min(pad.width / w, pad.height / h);
  ctx.drawImage(bitmap, (pad.width - w * fit) / 2, (pad.height - h * fit) / 2, w * fit, h * fit);
  recognize(fctx.getImageData(0, 0, w, h).data, w, h, file.name);
}

// ---- your own weights: a .npz from a script's --save, read as predict.load_weights reads it ----
class BadWeights extends Error {}
const MAX_WEIGHTS = 16 * 2 ** 20;  // bytes, of a file and of its arrays inflated; the largest net saves under 1 MiB
const MAX_TEXT = 256;  // characters of the dataset's name
const ZIP = 0x04034b50;  // "PK\x03\x04": a zip archive's first bytes, and each entry's
const tooLarge = (what, bytes) => new BadWeights(`${what} (${(bytes / 2 ** 20).toFixed(1)} MiB; ` +
  "weights saved by --save are under 1 MiB)");

async function inflate(bytes, size, damaged) {  // a deflated zip entry (np.savez_compressed), by the browser's
  // own codec, into the size that its central directory gives: a byte more is a damaged archive, not a bomb
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  const out = new Uint8Array(size);
  let filled = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      if (filled + chunk.value.length > size) throw damaged();
      out.set(chunk.value, filled);
      filled += chunk.value.length;
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e instanceof BadWeights ? e : damaged();
  }
  if (filled !== size) throw damaged();
  return out;
}

async function unzip(buffer) {  // {name: bytes} of the entries of a zip archive, from its central directory
  const n = buffer.byteLength, view = new DataView(buffer);
  const damaged = () => new BadWeights("not a .npz file (a damaged zip archive)");
  if (n < 22 || view.getUint32(0, true) !== ZIP) throw new BadWeights("not a .npz file (not a zip archive)");
  let end = -1;  // the end-of-central-directory record, behind at most a 64 KiB comment
  for (let i = n - 22; i >= Math.max(0, n - 22 - 65535) && end < 0; i--) if (view.getUint32(i, true) === 0x06054b50) end = i;
  if (end < 0) throw damaged();
  let count = view.getUint16(end + 10, true), at = view.getUint32(end + 16, true);
  if ((count === 0xffff || at === 0xffffffff) && end >= 20 && view.getUint32(end - 20, true) === 0x07064b50) {
    const z = Number(view.getBigUint64(end - 12, true));  // ZIP64's own end record
    if (z + 56 > n || view.getUint32(z, true) !== 0x06064b50) throw damaged();
    count = Number(view.getBigUint64(z + 32, true)); at = Number(view.getBigUint64(z + 48, true));
  }
  const entries = [];  // every entry's place and sizes first: nothing is inflated before all are known
  let total = 0;
  for (let k = 0; k < count; k++) {
    if (at + 46 > n || view.getUint32(at, true) !== 0x02014b50) throw damaged();
    const method = view.getUint16(at + 10, true), nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true), commentLength = view.getUint16(at + 32, true);
    if (at + 46 + nameLength + extraLength + commentLength > n) throw damaged();
    let size = view.getUint32(at + 20, true), inflated = view.getUint32(at + 24, true), local = view.getUint32(at + 42, true);
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {  // ZIP64's sizes
      const id = view.getUint16(e, true), length = view.getUint16(e + 2, true);
      if (id === 1) {
        let p = e + 4;
        const next = () => { if (p + 8 > e + 4 + length) throw damaged(); p += 8; return Number(view.getBigUint64(p - 8, true)); };
        if (inflated === 0xffffffff) inflated = next();  // the uncompressed size first
        if (size === 0xffffffff) size = next();
        if (local === 0xffffffff) local = next();
      }
      e += 4 + length;
    }
    const name = new TextDecoder().decode(new Uint8Array(buffer, at + 46, nameLength));
    total += inflated;
    if (total > MAX_WEIGHTS) throw tooLarge(`${name} inflates to more than the largest weights`, total);
    if (method !== 0 && method !== 8) throw new BadWeights(`not a .npz file as NumPy writes it (${name} compressed by method ${method})`);
    entries.push({name, method, size, inflated, local});
    at += 46 + nameLength + extraLength + commentLength;
  }
  const files = Object.create(null);  // no prototype: an entry named __proto__.npy is an entry
  for (const {name, method, size, inflated, local} of entries) {
    if (local + 30 > n || view.getUint32(local, true) !== ZIP) throw damaged();
    const data = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (data + size > n || (method === 0 && size !== inflated)) throw damaged();
    const raw = new Uint8Array(buffer, data, size);
    files[name] = method === 0 ? raw : await inflate(raw, inflated, damaged);
  }
  return files;
}

function npy(name, bytes) {  // a .npy array: {shape, data: Float32Array} or, for text, {shape, text}
  const bad = (why) => new BadWeights(`${name} is ${why}`);
  const magic = [0x93, 78, 85, 77, 80, 89];  // \x93NUMPY
  if (bytes.length < 12 || magic.some((b, i) => bytes[i] !== b)) throw bad("not a .npy array");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), major = bytes[6];
  const start = major === 1 ? 10 : 12, length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const header = new TextDecoder(major >= 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + length));
  const descr = /'descr':\s*'([^']*)'/.exec(header), order = /'fortran_order':\s*(True|False)/.exec(header);
  const dims = /'shape':\s*\(([^)]*)\)/.exec(header);
  const shape = dims ? dims[1].split(",").map((d) => d.trim()).filter(Boolean) : null;
  if (!descr || !order || !shape || !shape.every((d) => /^\d+$/.test(d))) throw bad("not a .npy array (its header)");
  const count = shape.map(Number).reduce((a, b) => a * b, 1), body = start + length;
  const text = /^[<>=|]U(\d+)$/.exec(descr[1]), float = /^([<>=|])f([48])$/.exec(descr[1]);
  if (!text && !float) throw bad(`an array of ${descr[1]}, not of numbers as --save writes them`);
  const width = text ? 4 * Number(text[1]) : Number(float[2]);  // every size checked before anything is made
  if (text && count * width / 4 > MAX_TEXT) throw bad(`too long a text (${count * width / 4} characters; a dataset's name is short)`);
  if (body + count * width > bytes.length) throw bad("cut short");
  if (body + count * width < bytes.length) throw bad("longer than its array (not written by --save)");
  const little = descr[1][0] !== ">";
  if (text) {
    const codes = Array.from({length: count * width / 4}, (_, i) => view.getUint32(body + 4 * i, little)).filter((c) => c);
    if (codes.some((c) => c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))) throw bad("not text (a character past U+10FFFF, or a lone surrogate)");
    return {shape: shape.map(Number), text: String.fromCodePoint(...codes)};
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++)
    data[i] = width === 4 ? view.getFloat32(body + 4 * i, little) : view.getFloat64(body + 8 * i, little);
  return {shape: shape.map(Number), data: order[1] === "True" ? fromFortran(data, shape.map(Number)) : data};
}

function fromFortran(data, shape) {  // an array stored first axis fastest (PyTorch's transposed weights) in C order
  const out = new Float32Array(data.length), strides = [], index = shape.map(() => 0);
  for (let d = 0, s = 1; d < shape.length; s *= shape[d++]) strides.push(s);
  for (let i = 0; i < out.length; i++) {  // index: the indices of out[i]
    out[i] = data[index.reduce((at, k, d) => at + k * strides[d], 0)];
    for (let d = shape.length - 1; d >= 0 && ++index[d] === shape[d]; d--) index[d] = 0;
  }
  return out;
}

function weightsModel(arrays) {  // predict.weights_model: the dataset, the model by its shapes, checks
  const dataset = arrays.dataset ? arrays.dataset.text : "mnist";
  delete arrays.dataset;
  if (typeof dataset !== "string") throw new BadWeights("dataset.npy is not text, as --save writes it");
  if (!Object.hasOwn(DATA.classes, dataset)) throw new BadWeights(`weights trained on ${dataset}, not MNIST or ` +
    "Fashion-MNIST: predict.py and the draw page read MNIST-like digits only (28x28, grey)");
  const layers = Math.floor(Object.keys(arrays).length / 2), params = [];
  for (let i = 1; i <= layers; i++) for (const kind of "wb") {
    const a = Object.hasOwn(arrays, kind + i) ? arrays[kind + i] : null;
    if (!a || !a.data) throw new BadWeights(`no array '${kind}${i}' (not weights saved by a script's --save)`);
    params.push(a);
    delete arrays[kind + i];
  }
  const shapes = params.filter((_, i) => i % 2 === 0).map((w) => w.shape);
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  for (const [model, modelShapes, activation] of DATA.models) {
    if (shapes.length === modelShapes.length && shapes.every((s, i) => same(s, modelShapes[i])) &&
        params.every((p, i) => i % 2 === 0 || same(p.shape, [shapes[(i - 1) / 2].at(-1)]))) {
      if (Object.keys(arrays).length) throw new BadWeights(`unexpected content for the ${model} model`);
      if (params.some((p) => p.data.some((v) => !Number.isFinite(v)))) throw new BadWeights("the weights hold NaN or infinity (a diverged run?)");
      return {model, activation, dataset, shapes: params.map((p) => p.shape), params: params.map((p) => p.data)};
    }
  }
  const shown = shapes.map((s) => `(${s.join(", ")}${s.length === 1 ? "," : ""})`).join(", ");
  throw new BadWeights(`weights of shapes [${shown}] match none of the models (${DATA.models.map((m) => m[0]).join(", ")})`);
}

async function readNpz(file) {  // {model, activation, dataset, shapes, params} of a .npz, or BadWeights
  if (file.size > MAX_WEIGHTS) throw tooLarge("too large a file", file.size);
  const arrays = Object.create(null);
  for (const [name, bytes] of Object.entries(await unzip(await file.arrayBuffer()))) {
    if (!name.endsWith(".npy")) throw new BadWeights(`not .npy arrays (${name})`);
    arrays[name.slice(0, -4)] = npy(name, bytes);
  }
  return weightsModel(arrays);
}

function netId(key) { return "net-" + key; }

function addSection(key, net) {  // the net's box: its name, where it comes from, its top 3
  const section = document.createElement("section"), h2 = document.createElement("h2");
  const note = document.createElement("p"), bars = document.createElement("div");
  section.className = `net ${net.builtin ? key.replace(" ", "-") : "yours"}`;
  section.id = netId(key);
  section.setAttribute("aria-live", "polite");
  note.className = "muted"; bars.className = "bars";
  h2.textContent = net.title; note.textContent = net.note;
  section.append(h2, note, bars);
  const old = $(netId(key));
  if (old) old.replaceWith(section); else $("nets").append(section);
}

async function openWeights(file) {  // runs the file's net beside the others, under its name
  let net;
  try {
    net = await readNpz(file);
  } catch (e) {  // every error of the reader ends in the file's one line; the built-in nets go on
    const why = e instanceof BadWeights ? e.message : `not a readable .npz file (${e.name})`;
    return tell({name: file.name, message: `${file.name}: ${why}`, key: null});
  }
  const key = Object.keys(NETS).find((k) => NETS[k].file === file.name) || `yours-${++digits.opened}`;
  const on = `${NAMES[net.model]}, trained on ${DATASETS[net.dataset]}`;
  NETS[key] = {...net, file: file.name, title: file.name, classes: DATA.classes[net.dataset],
    note: `${on}: your weights, until the page is reloaded`};
  addSection(key, NETS[key]);
  if (digits.last && digits.last.image) classify(Float32Array.from(digits.last.image), digits.last.source);
  tell({name: file.name, message: `${file.name}: a ${on}, beside the built-in nets`, key});
}

function tell(account) {  // what came of a weights file: its line under the buttons
  digits.weights = account;
  $("weights-message").textContent = account.message;
  digits.weightsUpdates++;
}

async function isWeights(file) {  // a .npz by its name, or any zip archive (an image is never one)
  if (file.name.toLowerCase().endsWith(".npz")) return true;
  const head = new DataView(await file.slice(0, 4).arrayBuffer());
  return head.byteLength === 4 && head.getUint32(0, true) === ZIP;
}

async function take(file) {  // a file opened or dropped: weights or an image
  if (await isWeights(file)) await openWeights(file); else await open(file);
}

$("file").addEventListener("change", (e) => { if (e.target.files[0]) take(e.target.files[0]); });
$("weights").addEventListener("change", (e) => { if (e.target.files[0]) openWeights(e.target.files[0]); });
pad.addEventListener("dragover", (e) => { e.preventDefault(); pad.classList.add("over"); });
pad.addEventListener("dragleave", () => pad.classList.remove("over"));
pad.addEventListener("drop", (e) => {
  e.preventDefault();
  pad.classList.remove("over");
  if (e.dataTransfer.files[0]) take(e.dataTransfer.files[0]);
});

digits.benchmark = (n) => {  // mean ms of one prediction per net (the image last seen), and of the pad's preprocessing
  const image = digits.last && digits.last.image ? Float32Array.from(digits.last.image) : new Float32Array(784);
  const out = {};
  for (const [key, net] of Object.entries(NETS)) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) probabilities(net, image);
    out[key] = (performance.now() - t0) / n;
  }
  const px = ctx.getImageData(0, 0, pad.width, pad.height).data, t0 = performance.now();
  for (let i = 0; i < n; i++) { try { preprocess(px, pad.width, pad.height); } catch (e) { if (!(e instanceof NoInk)) throw e; } }
  out.preprocess = (performance.now() - t0) / n;
  return out;
};

digits.weights = null; digits.weightsUpdates = 0; digits.opened = 0;
for (const [key, net] of Object.entries(NETS)) addSection(key, {...net, builtin: true});
blank();
recognizePad();
