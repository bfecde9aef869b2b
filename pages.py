"""Build the two static pages under docs/: the side-by-side reader and the draw-a-digit page.

    python pages.py                 # writes docs/index.html, draw.html, readme.html, README's results
    python pages.py --check         # exit 1 when a committed page is not what this builds
    python pages.py --screenshots   # also docs/index.png, rosetta.png and draw.png, in headless Chromium

The reader holds every script, highlighted here once with Pygments, and its figures from
docs/results-mnist.json; the draw page holds the weights in docs/weights/ (written by the
default runs' --save, see WEIGHTS), as base64 float32. Both are one self-contained HTML file:
no request to any host, and they work opened from disk (file://) as well as served, from
docs/ alone (a Pages site) too. readme.html is README.md, whose results table this also
writes, from docs/results-mnist.json and docs/deep-net.md's seeds.
"""
import argparse
import ast
import base64
import hashlib
import json
import os
import re
import sys
import time

from pygments.lexers import PythonLexer
from pygments.formatters import HtmlFormatter
from pygments.token import STANDARD_TYPES

import compare  # its machine_kind: the rows of two runs on one kind of machine
import predict

ROOT = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(ROOT, "docs")
SOURCES = os.path.join(DOCS, "pages")  # the pages' templates, JavaScript and CSS
PAGES = ("index.html", "draw.html", "readme.html")
MODELS = {"mlp": ("MLP", "mlp_"), "conv": ("conv", "conv_"), "deep": ("deep conv", "conv_deep_")}
# file name part -> (the framework's name, the package whose pin requirements.txt gives)
FRAMEWORKS = {
    "numpy": ("NumPy", "numpy"), "theano": ("PyTensor", "pytensor"),
    "tensorflow": ("TensorFlow", "tensorflow"), "keras": ("Keras", "keras"),
    "torch": ("PyTorch", "torch"), "jax": ("JAX", "jax"), "flax": ("Flax NNX", "flax"),
    "mlx": ("MLX", "mlx"), "tinygrad": ("tinygrad", "tinygrad"),
}
# the nets of the draw page: (weights file, the default run that wrote it with --save)
WEIGHTS = {"mlp": ("docs/weights/mlp.npz", "mlp_numpy.py"),
           "conv": ("docs/weights/conv.npz", "conv_jax.py"),
           "deep": ("docs/weights/deep.npz", "conv_deep_tensorflow.py")}


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return f.read()


def source(name):
    """A file of the pages' sources, docs/pages/NAME."""
    with open(os.path.join(SOURCES, name), encoding="utf-8") as f:
        return f.read()


def sections(text):
    """[name, first, end] per top-level section of a script (0-based lines, end excluded): the
    docstring, the imports, module-level setup, each function (with its decorators and the
    comments just above it) and the main guard. Names repeat across scripts, so the reader
    aligns two scripts by them."""
    lines, found = text.splitlines(), []
    for node in ast.parse(text).body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and not found:
            name = "docstring"
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            name = "imports"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"def {node.name}"
        elif isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
            name = "main guard"
        else:
            name = "setup"
        if found and found[-1][0] == name and name in ("imports", "setup"):
            continue  # consecutive statements of one kind are one section
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        while first > 0 and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        found.append([name, first])
    names = [name for name, _ in found]
    for i, (name, _) in enumerate(found):  # a name seen twice gets a number: "setup 2"
        if names[:i].count(name):
            found[i][0] = f"{name} {names[:i].count(name) + 1}"
    found[0][1] = 0
    ends = [first for _, first in found[1:]] + [len(lines)]
    return [[name, first, end] for (name, first), end in zip(found, ends)]


def css_class(ttype):
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    return STANDARD_TYPES[ttype]


def tokens(text):
    """Per line of text, its Pygments tokens as one flat list [class, text, class, text, ...]
    (class "" for plain text): the reader splits them into words to mark what differs."""
    out, line = [], []
    for ttype, value in PythonLexer(stripnl=False, ensurenl=True).get_tokens(text):
        cls = css_class(ttype)
        for i, part in enumerate(value.split("\n")):
            if i:
                out.append(line)
                line = []
            if part:
                if line and line[-2] == cls:
                    line[-1] += part  # one run per class: fewer, longer tokens
                else:
                    line += [cls, part]
    if line:
        out.append(line)
    if len(out) != len(text.splitlines()) or ["".join(t[1::2]) for t in out] != text.splitlines():
        raise ValueError("highlighting changed the lines")
    return out


def pins():
    """{package: version} from requirements.txt."""
    found = {}
    for line in read("requirements.txt").splitlines():
        m = re.match(r"([A-Za-z0-9_.-]+)==([^\s;#]+)", line)
        if m:
            found[m[1].lower()] = m[2]
    return found


def results():
    """The latest row of docs/results-mnist.json per script, with its seconds per epoch."""
    rows = {}
    for row in json.loads(read("docs", "results-mnist.json")):
        if row["returncode"] == 0 and row["date"] >= rows.get(row["script"], {}).get("date", ""):
            rows[row["script"]] = row
    seeds = deep_seeds()
    return {script: {"test_accuracy": row["test_accuracy"], "seconds": row["seconds"],
                     "peak_mib": row["peak_mib"], "date": row["date"], "s_per_epoch": row.get("s_per_epoch"),
                     "val_accuracy": row["val_accuracy"],
                     "seed_mean": round(sum(seeds[script]) / 3, 4) if script in seeds else None}
            for script, row in rows.items()}


def reader_data(figures):
    versions = pins()
    models, scripts = {}, {}
    for model, (label, prefix) in MODELS.items():
        names = []
        for framework, (framework_label, package) in FRAMEWORKS.items():
            script = f"{prefix}{framework}.py"
            if not os.path.exists(os.path.join(ROOT, script)):
                continue
            text = read(script)
            names.append(framework)
            scripts[script] = {"framework": framework_label, "version": versions[package],
                               "tokens": tokens(text), "sections": sections(text),
                               "result": figures.get(script)}
        models[model] = {"label": label, "prefix": prefix, "frameworks": names}
    return {"models": models, "scripts": scripts,
            "default": "mlp/numpy/torch"}


def draw_data(figures):
    nets = {}
    for net, (path, script) in WEIGHTS.items():
        try:
            params, activation, dataset = predict.load_weights(os.path.join(ROOT, path))
        except predict.InputError as e:
            sys.exit(f"pages.py: error: {e} (make it with: python {script} --save {path})")
        if dataset != "mnist":
            sys.exit(f"pages.py: error: {path} holds {dataset} weights, not MNIST's")
        shapes = [p.shape for p in params[::2]]
        nets[net] = {"script": script, "activation": activation,
                     "model": next(m for m, (s, _) in predict.MODELS.items() if s == shapes),
                     "shapes": [list(p.shape) for p in params],
                     "weights": base64.b64encode(b"".join(
                         p.astype("<f4").tobytes() for p in params)).decode("ascii"),
                     "test_accuracy": figures.get(script, {}).get("test_accuracy")}
    # what the page needs to read a user's .npz as predict.load_weights does
    # (a list: the page's JSON sorts the keys of an object)
    return {"nets": nets, "order": list(WEIGHTS), "models": [[m, shapes, a] for m, (shapes, a) in predict.MODELS.items()],
            "classes": predict.CLASSES}


def sha256(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def page(template, data, script, style, images="data: blob:", body=""):
    """A template with its CSS, data and script inline, under a CSP that allows only them: no
    connection, no other script or style, images only from the page itself (data:, blob:) or
    where images says."""
    data = json.dumps(data, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    csp = (f"default-src 'none'; script-src {sha256(script)}; style-src {sha256(style)}; "
           f"img-src {images}; base-uri 'none'; form-action 'none'")
    # {{HEAD title}}: the <head> both pages share, with that title
    out = re.sub(r"\{\{HEAD (.*?)\}\}\n", lambda m: source("head.html").replace("{{TITLE}}", m[1]),
                 source(template), count=1)
    for key, value in (("CSP", csp), ("STYLE", style), ("DATA", data), ("SCRIPT", script), ("BODY", body)):
        out = out.replace("{{" + key + "}}", value)
    return out


def readme():
    """README.md as HTML for docs/readme.html, its links made relative to docs/ (a link that would
    leave docs/ is an error: the page must work where only docs/ is served)."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(readme_text())

    def inside(m):
        target = m[2]
        if target.startswith(("https://", "#")):
            return m[0]
        if not target.startswith("docs/"):
            sys.exit(f"pages.py: error: README.md links to {target}, outside docs/: readme.html cannot")
        return f'{m[1]}="{target.removeprefix("docs/")}"'
    return re.sub(r'(href|src)="([^"]*)"', inside, body)


def luminance(rgb):
    """WCAG's relative luminance of an (r, g, b) colour, 0..255 each."""
    c = [v / 255 / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in rgb]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def backgrounds(css, scheme):
    """The colours a row of code can have under that colour scheme (0: light, 1: dark), from the
    custom properties of pages.css: the page, a changed row, a one-sided row, a marked word."""
    found = []
    for name in ("bg", "changed", "only", "mark"):
        text = re.findall(rf"--{name}: #([0-9a-fA-F]{{6}}|[0-9a-fA-F]{{3}})\b", css)[scheme]
        text = text if len(text) == 6 else "".join(c * 2 for c in text)
        found.append(tuple(int(text[k:k + 2], 16) for k in (0, 2, 4)))
    return found


def readable(css, grounds, toward, ratio=4.6):
    """css with each colour moved toward black (0) or white (255) until its contrast with every
    background in grounds is at least ratio (WCAG AA asks 4.5 of text)."""
    def fix(m):
        text = m[1] if len(m[1]) == 6 else "".join(c * 2 for c in m[1])
        rgb = [int(text[k:k + 2], 16) for k in (0, 2, 4)]
        for _ in range(40):
            if min(contrast(rgb, g) for g in grounds) >= ratio:
                break
            rgb = [round(v + (toward - v) * 0.08) for v in rgb]
        return "color: #" + "".join(f"{v:02x}" for v in rgb)
    return re.sub(r"(?<![-\w])color: #([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", fix, css)


SEEDS = re.compile(r"^\| `(conv_deep_\w+\.py)` \| (\d\.\d{4}) \| (\d\.\d{4}) \| (\d\.\d{4}) \|", re.M)


def deep_seeds():
    """{script: [test accuracy of seeds 0, 1, 2]} from the seeds table of docs/deep-net.md."""
    return {m[1]: [float(m[k]) for k in (2, 3, 4)] for m in SEEDS.finditer(read("docs", "deep-net.md"))}


RESULTS_BLOCK = re.compile(r"(<!-- results: .*? -->\n).*?(<!-- /results -->)", re.S)


def results_table():
    """The README's results, from docs/results-mnist.json (seed 0) and, for the deep nets, the
    mean of seeds 0-2 from docs/deep-net.md: a column per framework, rows per model."""
    rows = {r["script"]: r for r in json.loads(read("docs", "results-mnist.json"))}
    seeds = deep_seeds()
    out = ["| | " + " | ".join(label for label, _ in FRAMEWORKS.values()) + " |",
           "|---" * (len(FRAMEWORKS) + 1) + "|"]
    for model, (label, prefix) in MODELS.items():
        cells = {"test accuracy": lambda r: f"{r['test_accuracy']:.4f}",
                 "mean of seeds 0-2": lambda r: f"{sum(seeds[r['script']]) / 3:.4f}",
                 "s/epoch": lambda r: f"{r['s_per_epoch']:.1f}", "peak MiB": lambda r: f"{r['peak_mib']}"}
        for k, (what, cell) in enumerate(cells.items()):
            if what == "mean of seeds 0-2" and model != "deep":
                continue
            row = [rows.get(f"{prefix}{f}.py") for f in FRAMEWORKS]
            out.append(f"| {'**' + label + '**: ' if k == 0 else ''}{what} | " +
                       " | ".join(cell(r) if r else "–" for r in row) + " |")
    # one run on one kind of machine; rows added later (each with a "note" saying why: a script
    # rerun after a change to it, or a framework that joined) from runs on the same kind (the
    # same CPU, cores, memory and Python)
    main = [r for r in rows.values() if not r.get("note")]
    added = [r for r in rows.values() if r.get("note")]  # in the file's order, the table's
    if (len({json.dumps(r["machine"], sort_keys=True) for r in main}) != 1 or len({r["date"] for r in main}) != 1
            or any(compare.machine_kind(r["machine"]) != compare.machine_kind(main[0]["machine"]) for r in added)):
        sys.exit("pages.py: error: docs/results-mnist.json holds more than one run")
    m, r = main[0]["machine"], main[0]
    jobs = f"{r['jobs']} scripts at a time, a core each" if r["jobs"] > 1 else "one script at a time"
    notes = {}  # the added rows by (date, note)
    for x in added:
        notes.setdefault((x["date"], x["note"]), []).append(f"`{x['script']}`")
    out.append(f"\nAll {len(main)} with their defaults (seed 0), in one run on one machine, {r['date']}: "
               f"{m['cpu']}, {m['cpu_count']} cores, {m['memory_gib']:.0f} GiB, Python {m['python']}; {jobs}" +
               "".join(f"; {', '.join(names)} {date}, the same kind of machine, {note}"
                       for (date, note), names in notes.items()) + ".")
    return "\n".join(out) + "\n"


def readme_text():
    """README.md with its results block rebuilt (see results_table)."""
    text = read("README.md")
    if not RESULTS_BLOCK.search(text):
        sys.exit("pages.py: error: README.md has no <!-- results: ... --> block")
    return RESULTS_BLOCK.sub(lambda m: m[1] + results_table() + m[2], text)


def build():
    """{file name: text} of the pages."""
    style, figures = source("pages.css"), results()
    # Pygments' token colours, light and dark (github-dark's background is the page's --bg), made
    # to read on every background a row can have; the rows give the background
    light, dark = (readable(HtmlFormatter(style=name).get_style_defs(".code"), backgrounds(style, scheme),
                            toward) for name, scheme, toward in (("default", 0, 0), ("github-dark", 1, 255)))
    reader_style = (style + light + "\n@media (prefers-color-scheme: dark) {\n" + dark + "\n}\n" +
                    ".code { background: none; }\n")
    return {
        "index.html": page("index.html", reader_data(figures), source("reader.js"), reader_style),
        "draw.html": page("draw.html", draw_data(figures), source("draw.js"), style),
        # its pictures are the files beside it, 'self' (no script runs on this page)
        "readme.html": page("readme.html", {}, "", style, images="'self' data:", body=readme()),
    }


def chromium(width=1400, height=1000):
    """A headless Chromium driven by Selenium (Debian's chromium and chromium-driver)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")
                   if os.path.exists(p)), None)
    driver_path = "/usr/bin/chromedriver"
    if binary is None or not os.path.exists(driver_path):
        raise FileNotFoundError("no Chromium: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(driver_path))


SHOTS = [  # (picture, page and view, window size)
    ("index.png", "index.html#conv/jax/torch", (1400, 1000)),
    ("rosetta.png", "index.html#conv/all/train_step", (1400, 1000)),
    ("draw.png", "draw.html", (1000, 720)),
]


def screenshots():
    """docs/index.png, docs/rosetta.png and docs/draw.png (a drawn 7), and the pages' measured
    times."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium(1400, 1000)
    try:
        for picture, view, size in SHOTS:
            driver.set_window_size(*size)
            driver.get("about:blank")
            driver.get("file://" + os.path.join(DOCS, view))
            paint = WebDriverWait(driver, 10).until(lambda d: d.execute_script(
                "const p = performance.getEntriesByName('first-contentful-paint')[0];"
                "const n = performance.getEntriesByType('navigation')[0];"
                "return p && n.loadEventEnd ? [p.startTime, n.loadEventEnd] : null;"))
            print(f"{view}: first contentful paint {paint[0]:.0f} ms, load event {paint[1]:.0f} ms")
            if view == "draw.html":
                canvas = driver.find_element("id", "pad")
                actions = ActionChains(driver)
                actions.move_to_element_with_offset(canvas, -70, -90).click_and_hold()
                actions.move_by_offset(140, 0).move_by_offset(-90, 190).release().perform()
                times = driver.execute_script("return digits.benchmark(50);")
                print("draw.html: mean of 50 (ms): " +
                      ", ".join(f"{k} {ms:.2f}" for k, ms in times.items()))
            driver.save_screenshot(os.path.join(DOCS, picture))
            print(f"wrote docs/{picture}")
    finally:
        driver.quit()


def committed(name):
    """The text of a page under DOCS, or None."""
    try:
        with open(os.path.join(DOCS, name), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when a committed page differs from this build")
    p.add_argument("--screenshots", action="store_true",
                   help="after building, screenshot both pages in headless Chromium")
    args = p.parse_args(argv)
    pages, readme = build(), readme_text()
    if args.check:
        stale = ["docs/" + name for name, text in pages.items() if committed(name) != text]
        stale += ["README.md (its results)"] if read("README.md") != readme else []
        if stale:
            sys.exit(f"pages.py: {', '.join(stale)} out of date: run python pages.py")
        print("pages.py: docs/index.html, docs/draw.html, docs/readme.html and the README's results are up to date")
        return
    for name, text in pages.items():
        with open(os.path.join(DOCS, name), "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote docs/{name} ({len(text.encode()) / 1024:.0f} KiB)")
    if read("README.md") != readme:
        with open(os.path.join(ROOT, "README.md"), "w", encoding="utf-8") as f:
            f.write(readme)
        print("wrote the results into README.md")
    if args.screenshots:
        start = time.perf_counter()
        screenshots()
        print(f"screenshots took {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
