"""The scripts as a reader sees them: the same sections in the same order, the loop in plain
sight, the figures their docstrings state; and the README as a front page whose links resolve.
Fast: these read files, they run nothing."""
import ast
import glob
import json
import os
import re
import tomllib

import pytest

from conftest import ROOT

SCRIPTS = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "mlp_*.py")) +
                 glob.glob(os.path.join(ROOT, "conv_*.py")))
# every top-level function a script may have, in the order the scripts define them
SECTIONS = ["device", "sigmoid", "conv", "max_pool", "feed_forward", "build_model", "weights", "cross_entropy",
            "train_step", "compile_train_step", "train_batches", "train_epoch", "predict",
            "compile_predict", "main"]
LOOP = [
    "for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order",
    "mnist.report(args, epoch, loss, mnist.accuracy(",
    "mnist.finish(args, mnist.accuracy(",
]


def source(script):
    with open(os.path.join(ROOT, script)) as f:
        return f.read()


def functions(script):
    return [node.name for node in ast.parse(source(script)).body if isinstance(node, ast.FunctionDef)]


def test_there_are_all_the_scripts():
    assert len([s for s in SCRIPTS if s.startswith("mlp_")]) == 9
    assert len([s for s in SCRIPTS if s.startswith("conv_deep_")]) == 7 and len(SCRIPTS) == 25


@pytest.mark.parametrize("script", SCRIPTS)
def test_sections_come_in_the_same_order_everywhere(script):
    names = functions(script)
    assert set(names) <= set(SECTIONS), set(names) - set(SECTIONS)
    assert names == sorted(names, key=SECTIONS.index)
    assert names[-1] == "main" and "train_epoch" in names
    assert ("predict" in names) != ("compile_predict" in names)
    # a function that builds a model is named for it; feed_forward is a forward pass
    assert ("build_model" in names) == (script.endswith(("_torch.py", "_keras.py", "_flax.py", "_mlx.py", "_tinygrad.py")))


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_loop_is_in_the_script(script):
    text = source(script)
    main = text[text.index("\ndef main():"):]
    lines = [line.strip() for line in main.splitlines()]
    at = [next(i for i, line in enumerate(lines) if line.startswith(want)) for want in LOOP]
    assert at == sorted(at) and at[1] == at[0] + 2  # epochs, train_epoch, report; then finish
    assert re.fullmatch(r"(params, )?loss = train_epoch\(.*\)", lines[at[0] + 1]), lines[at[0] + 1]
    assert "lambda: " not in main and "nonlocal" not in text
    # Python decides what a run is: the main guard asks mnist.run for what a run needs
    assert text.rstrip().endswith('if __name__ == "__main__":\n'
                                  '    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads')
    assert text.count("mnist.run(") == 1


@pytest.mark.parametrize("script", [s for s in SCRIPTS if s.endswith("_torch.py")])
def test_torch_scripts_use_the_accelerator_and_the_modes(script):
    text = source(script)
    assert 'device = torch.accelerator.current_accelerator(check_available=True) or torch.device("cpu")' in text
    assert "torch.cuda" not in text
    assert "    model.train()" in text.split("def train_epoch")[1].split("\ndef ")[0]
    assert "    model.eval()" in text.split("def predict")[1].split("\ndef ")[0]
    assert 'epilog=f"device: {device}' in text  # --help says which device runs


def results():
    with open(os.path.join(ROOT, "docs", "results-mnist.json")) as f:
        return {row["script"]: row for row in json.load(f)}


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_docstring_states_the_default_runs_figure(script):
    doc = ast.get_docstring(ast.parse(source(script)))
    first, *rest = doc.split("\n")
    assert ": " in first and "->" in first  # the one-line architecture
    deep = script.startswith("conv_deep_")
    m = re.search(rf"With the defaults \(30 epochs, batch 10, lr {0.04 if deep else 0.2}, seed 0\): "
                  r"test accuracy (\d\.\d{4})\.", doc)
    assert m, doc
    assert float(m[1]) == results()[script]["test_accuracy"]


def test_every_deep_net_meets_the_deep_rule():
    """The deep net's rule (docs/deep-net.md): every run at least 0.990, the original's figure
    for it, and the mean of seeds 0, 1 and 2 at least 0.991, per framework; seed 0 is the
    committed default run, seeds 1 and 2 the seeds table's."""
    import pages

    seeds = pages.deep_seeds()
    assert sorted(seeds) == [s for s in SCRIPTS if s.startswith("conv_deep_")]
    for script, (seed0, seed1, seed2) in seeds.items():
        assert seed0 == results()[script]["test_accuracy"], script
        assert min(seed0, seed1, seed2) >= 0.990, script
        assert round((seed0 + seed1 + seed2) / 3, 6) >= 0.991, script
    text = open(os.path.join(ROOT, "docs", "deep-net.md"), encoding="utf-8").read()
    assert "every run at least 0.990" in text and "mean of seeds 0-2 at least 0.991" in text
    assert "misses" not in readme() and "every run at least 0.990" in readme()


README_LINK = re.compile(r"\]\(([^)\s]+)\)")


def readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return f.read()


def anchors(markdown):
    """GitHub's anchors for a markdown file's headings."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.*)$", markdown, re.M)}


def test_the_readme_is_a_front_page():
    assert len(readme().encode("utf-8")) <= 8000
    for section in ["## Quick start", "## The scripts", "## Results", "## How the scripts are built", "## Flags"]:
        assert section in readme(), section
    assert "https://github.com/jrusev/simple-neural-networks" in readme()


def test_every_readme_link_resolves():
    links = README_LINK.findall(readme())
    assert len(links) >= 8
    for link in links:
        if link.startswith(("http://", "https://")):
            continue
        path, _, anchor = link.partition("#")
        target = os.path.join(ROOT, path) if path else os.path.join(ROOT, "README.md")
        assert os.path.exists(target), link
        if anchor and path.endswith("index.html"):  # a view of the reader: #MODEL/LEFT/RIGHT or #MODEL/all/SECTION
            import pages

            model, left, right = anchor.split("/")
            prefix = pages.MODELS[model][1]
            if left == "all":
                text = open(os.path.join(ROOT, f"{prefix}numpy.py"), encoding="utf-8").read()
                assert f"def {right}(" in text or f"def compile_{right}(" in text, link
            else:
                assert all(os.path.exists(os.path.join(ROOT, f"{prefix}{f}.py")) for f in (left, right)), link
        elif anchor:
            with open(target, encoding="utf-8") as f:
                assert anchor in anchors(f.read()), link


def test_anchors_are_githubs():
    assert anchors("## The deep conv net\n### Flags (the same in every script)\n## Use it: predict.py") == {
        "the-deep-conv-net", "flags-the-same-in-every-script", "use-it-predictpy"}


def names(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return {re.split(r"[=<>;\s]", line.strip())[0].lower() for line in f
                if line.strip() and not line.startswith(("#", "-r"))}


def test_the_dev_tools_are_apart_from_what_the_scripts_need():
    dev_tools = {"pytest", "ruff", "mutmut", "selenium", "pygments", "markdown-it-py"}
    assert dev_tools <= names("requirements-dev.txt") and not dev_tools & names("requirements.txt")
    assert {"numpy", "requests", "tqdm", "threadpoolctl", "torch", "jax", "flax", "mlx", "tinygrad",
            "pillow"} <= names("requirements.txt")
    with open(os.path.join(ROOT, "requirements-dev.txt"), encoding="utf-8") as f:
        assert "-r requirements.txt\n" in f.read()
    # the README's test command, with the one install it needs, is what .ci/run runs
    assert "pip install -r requirements-dev.txt && python -m pytest -q tests" in readme()
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
        ci = f.read()
    assert "-r requirements-dev.txt" in ci and "\npython -m pytest -q tests\n" in ci


def test_the_readme_installs_one_framework_with_the_pins_and_what_its_scripts_import():
    """The README's line per framework: numpy, requests, tqdm and threadpoolctl plus exactly the pinned
    packages that its scripts import, for every prefix of scripts that exists."""
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as f:
        pins = dict(re.findall(r"^([\w-]+)==([\w.]+)", f.read(), re.M))
    rows = dict(re.findall(r"^\| `\*_(\w+)\.py` \| (.+) \|$", readme(), re.M))
    assert "pip install numpy requests tqdm threadpoolctl" in readme()
    frameworks = {os.path.basename(p)[:-3].rsplit("_", 1)[1] for p in glob.glob(os.path.join(ROOT, "*_*.py"))
                  if os.path.basename(p).startswith(("mlp_", "conv_"))}
    assert set(rows) == frameworks
    for framework, packages in rows.items():
        named = dict(re.findall(r"([\w-]+)==([\w.]+)", packages))
        assert all(pins[name] == version for name, version in named.items()), (framework, named)
        imported = set()
        for path in glob.glob(os.path.join(ROOT, f"*_{framework}.py")):
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
            imported |= {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                         for alias in node.names}
            imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                         if isinstance(node, ast.ImportFrom) and node.module}
        needed = {name for name in pins if name.replace("-", "_") in imported} - {"numpy", "requests", "tqdm", "threadpoolctl"}
        assert needed <= set(named), (framework, needed, named)


FRAMEWORK_PINS = {"numpy": [], "theano": ["pytensor"], "tensorflow": ["tensorflow"], "keras": ["keras", "tensorflow"],
                  "torch": ["torch"], "jax": ["jax", "jaxlib"], "flax": ["flax", "optax", "jax", "jaxlib"],
                  "mlx": ["mlx", "mlx-cpu"], "tinygrad": ["tinygrad"]}


def requirements():
    """requirements.txt as {name: the whole requirement line, less its comment}."""
    with open(os.path.join(ROOT, "requirements.txt")) as f:
        lines = [line.split("#")[0].strip() for line in f]
    return {re.split(r"[=;<> ]", line)[0]: line for line in lines if line and not line.startswith("-")}


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_script_carries_its_install_list_with_the_pins_of_requirements(script):
    """PEP 723 inline metadata (what `uv run SCRIPT` installs): mnist.py's needs and the
    script's framework, each exactly as requirements.txt pins it (a marker spelt alike)."""
    block = re.search(r"^# /// script$(.*?)^# ///$", source(script), re.M | re.S)
    assert block, "no # /// script block"
    metadata = "\n".join(line.removeprefix("#").removeprefix(" ") for line in block.group(1).splitlines())
    parsed = tomllib.loads(metadata)
    # the Pythons its pins have wheels for (uv pip compile --only-binary :all:, docs/testing.md): numpy 2.4
    # needs 3.11, TensorFlow 2.21 (and so Keras on it) has none past 3.13
    tensorflow = script.endswith(("_tensorflow.py", "_keras.py"))
    assert parsed["requires-python"] == (">=3.11,<3.14" if tensorflow else ">=3.11")
    pins = requirements()
    wanted = ["numpy", "requests", "tqdm", "threadpoolctl"] + FRAMEWORK_PINS[script.removesuffix(".py").split("_")[-1]]
    normalise = lambda req: req.replace(" ", "").replace("'", '"')  # noqa: E731
    assert [normalise(d) for d in parsed["dependencies"]] == [normalise(pins[name]) for name in wanted]


def test_the_docs_are_reference_not_a_log():
    """docs/ says what holds, each figure with its machine, date and command; how the work went
    is in git log: no page speaks of sessions or issue numbers."""
    log = re.compile(r"\bsessions?\b|\bissues? #?\d+|\(#\d+\)", re.I)
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))) + [os.path.join(ROOT, "README.md")]:
        with open(path, encoding="utf-8") as f:
            found += [f"{os.path.basename(path)}:{n}: {line.strip()}" for n, line in enumerate(f, 1) if log.search(line)]
    assert not found, "\n".join(found)
