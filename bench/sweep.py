"""The speed sweep: every script's training speed at several batch sizes, set against a model of a
step's cost and against its framework's yardstick.

    python bench/sweep.py --out docs/sweep-mnist.json --plot docs/sweep.png   # all 22, batch 1 to 1000
    python bench/sweep.py mlp_jax.py conv_jax.py --batch-size 10,1000         # two scripts, two sizes
    python bench/sweep.py --load docs/sweep-mnist.json                        # the tables again

One point at a time: each script through bench/timed.py (compare.py's run_script), which times
its train_epoch alone until the loss is on the host; 5 epochs (SWEEP_EPOCHS) of sweep_train_size(b)
images, the first (compiling, tracing, warming up) reported apart, the median and range of the
others kept; --lr 0.01 unless given. Each MLP's yardsticks (bench/minimal/, what its framework's
docs teach for speed) run right after it at batch 10 and 1000 (MINIMAL_SIZES).

The model of an epoch's time through each script's points is

    t = e + steps * a + images * c      (e: per epoch, a: per step, c: per image)

fitted by least squares of the relative error, none below 0: the sweep's epochs hold 500 steps at
batch 1 and 10 but 10 at batch 1000, so a cost per epoch (a copy of the epoch's images, Keras's
fit set-up) lands on the large batches, and a model without e would misread it as the points'
scatter. A cost that the fit puts at its bound, 0, is printed as "-": below what the points
resolve, not a measured zero.
"""
import argparse
import datetime
import itertools
import os
import statistics
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import compare  # noqa: E402  the runner, the rows' names, the frameworks' colours
import mnist  # noqa: E402
from compare import MODELS, framework_of, model_of  # noqa: E402

TIMED = os.path.join(HERE, "timed.py")
MINIMAL = os.path.join(HERE, "minimal")
MINIMAL_SIZES = (10, 1000)  # the batch sizes at which an MLP is set against its yardsticks
# each framework's yardstick runs: its own loop, and where the framework offers a second idiom
# that its users ask about, that one too (the flags of bench/minimal/minimal_FRAMEWORK.py)
VARIANTS = {"torch": [[], ["--compile"]], "keras": [[], ["--one-fit"]], "tensorflow": [[], ["--tf-data"]],
            "tinygrad": [[], ["--gather"]]}
SWEEP_EPOCHS = 5  # the first (compiling, tracing, warming up) and four timed
SWEEP_LR = 0.01  # small enough that no model diverges at batch 1; the speed does not depend on it
BATCH_SIZES = [1, 10, 100, 1000]


def sweep_train_size(batch_size, most=50000):
    """The training images of one epoch at batch_size: 500 steps up to batch 20, then 10,000
    images, and never under 10 steps; at most `most`. Batch 1 then takes seconds, not hours, and
    batch 1000 is 10 whole steps."""
    return min(most, max(10 * batch_size, min(10000, 500 * batch_size)))


def timing(row):
    """A sweep row's figures from its train_seconds: the first epoch (with compiling) apart, the
    median and range of the others, per step and per image."""
    first, timed = row["train_seconds"][0], row["train_seconds"][1:]
    median, steps = statistics.median(timed), row["steps"]
    return {"epoch_s": round(median, 6), "step_us": round(median / steps * 1e6, 1),
            "step_us_range": [round(t / steps * 1e6, 1) for t in (min(timed), max(timed))],
            "images_per_s": round(row["train_size"] / median, 1), "first_epoch_extra_s": round(first - median, 3)}


def label(row):
    """A row's name in the tables: the script, and a yardstick's flags."""
    return " ".join([row["script"], *row.get("variant", [])])


def run_sweep(scripts, batch_sizes, flags, train_size=None):
    """One row per script and batch size (and for each MLP, its yardsticks at MINIMAL_SIZES),
    run one at a time, in order: each script's train_epoch timed by bench/timed.py."""
    points = []
    for script in scripts:
        for b in batch_sizes:
            points.append((script, b, [TIMED], []))
            minimal = os.path.join(MINIMAL, f"minimal_{framework_of(script)}.py")
            if model_of(script) == "mlp" and b in MINIMAL_SIZES and os.path.isfile(minimal):
                for variant in VARIANTS.get(framework_of(script), [[]]):  # right after its script
                    points.append((minimal, b, [], variant))
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    rows = []
    for i, (script, b, runner, variant) in enumerate(points, 1):
        size = sweep_train_size(b, train_size or 50000)
        point = ["--batch-size", str(b), "--train-size", str(size)]
        name = " ".join([os.path.basename(script), *variant])
        row = compare.run_script(script, [*flags, *point, *variant], f"[{i}/{len(points)} {name} b={b}]",
                                 runner=runner)
        row.update(sweep=True, batch_size=b, train_size=size, steps=-(-size // b), minimal=not runner,
                   date=started, jobs=1, machine=compare.MACHINE, flags=[*flags, *point, *variant])
        if variant:
            row["variant"] = variant
        if row["returncode"] == 0 and len(row["train_seconds"]) >= 2:
            row.update(timing(row))
        rows.append(row)
    return rows


def fit(points):
    """(e, a, c) of t = e + steps * a + images * c through points [(steps, images, seconds an
    epoch)], by least squares of the relative error (the times span orders of magnitude), none
    below 0: of the fits on every subset of the three terms, the best whose terms are all >= 0."""
    steps, images, t = np.array(points, float).T
    columns = np.stack([np.ones_like(t), steps, images], 1) / t[:, None]
    best = None
    for k in (3, 2, 1):
        for kept in itertools.combinations(range(3), k):
            x, *_ = np.linalg.lstsq(columns[:, kept], np.ones(len(t)), rcond=None)
            if (x < 0).any():
                continue
            error = np.sum((columns[:, kept] @ x - 1) ** 2)
            if best is None or error < best[0] - 1e-12:
                best = (error, dict(zip(kept, x)))
    terms = best[1]
    return tuple(float(terms.get(i, 0.0)) for i in range(3))


def fits(rows):
    """{script: {"e_ms", "a_us", "c_us", "off": {batch size: measured / fitted}}} for the scripts
    (not the yardsticks) with three batch sizes or more."""
    by_script = {}
    for r in rows:
        if r.get("epoch_s") is not None and not r["minimal"]:
            by_script.setdefault(r["script"], []).append(r)
    result = {}
    for script, points in by_script.items():
        if len({r["batch_size"] for r in points}) >= 3:
            e, a, c = fit([(r["steps"], r["train_size"], r["epoch_s"]) for r in points])
            result[script] = {"e_ms": round(e * 1e3, 2), "a_us": round(a * 1e6, 1), "c_us": round(c * 1e6, 2),
                              "off": {r["batch_size"]: round(r["epoch_s"] / (e + a * r["steps"] + c * r["train_size"]), 2)
                                      for r in points}}
    return result


def furthest(off):
    """(batch size, measured / fit) of the point furthest from its fit, either way."""
    return max(off.items(), key=lambda point: abs(np.log(point[1])))


def cost(value):
    """A fitted cost for the table: "-" at the fit's bound (0), not a measured zero."""
    return "-" if value == 0 else f"{value:g}"


def devices(rows):
    return ", ".join(sorted({r.get("device", "?") for r in rows}))


def markdown(rows):
    sizes = sorted({r["batch_size"] for r in rows})
    first_at = 10 if 10 in sizes else sizes[0]  # the first epoch's extra time at the scripts' batch size
    fitted = fits(rows)
    lines = ["| script | e: ms/epoch | a: µs/step | c: µs/image | " + " | ".join(f"images/s at {b}" for b in sizes) +
             f" | first epoch, extra s (batch {first_at}) | measured / fit, furthest |",
             "|---|---|---|---|" + "---|" * len(sizes) + "---|---|"]
    for script in dict.fromkeys(r["script"] for r in rows if not r["minimal"]):
        points = {r["batch_size"]: r for r in rows if r["script"] == script}
        cells = [f"{points[b]['images_per_s']:,.0f}" if points.get(b, {}).get("images_per_s")
                 else ("failed" if b in points else "-") for b in sizes]
        f = fitted.get(script)
        terms = [cost(f[k]) for k in ("e_ms", "a_us", "c_us")] if f else ["-"] * 3
        worst = furthest(f["off"]) if f else None
        first = points.get(first_at, {}).get("first_epoch_extra_s")
        lines.append(f"| {script} | " + " | ".join(terms) + " | " + " | ".join(cells) +
                     f" | {first if first is not None else '-'} | " +
                     (f"{worst[1]:.2f} at {worst[0]}" if worst else "-") + " |")
    if fitted:  # the fit's quality: each point's time against e + steps * a + images * c
        lines += ["", "| script | " + " | ".join(f"measured / fit at {b}" for b in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
        for script, f in fitted.items():
            lines.append(f"| {script} | " + " | ".join(f"{f['off'][b]:.2f}" if b in f["off"] else "-" for b in sizes) + " |")
        script = max(fitted, key=lambda s: abs(np.log(furthest(fitted[s]["off"])[1])))
        b, ratio = furthest(fitted[script]["off"])
        lines.append(f"\nfurthest from its fit: {script} at batch {b}, {ratio:.2f} times e + steps * a + images * c")
    yardsticks = [r for r in rows if r["minimal"] and r.get("step_us")]
    if yardsticks:
        lines += ["", "| framework | yardstick | batch | script µs/step | yardstick µs/step | script / yardstick |",
                  "|---|---|---|---|---|---|"]
        for m in yardsticks:
            s = next((r for r in rows if not r["minimal"] and model_of(r["script"]) == "mlp" and
                      framework_of(r["script"]) == framework_of(m["script"]) and r["batch_size"] == m["batch_size"]), None)
            if s and s.get("step_us"):
                lines.append(f"| {framework_of(m['script'])} | {label(m)} | {m['batch_size']} | {s['step_us']} | "
                             f"{m['step_us']} | {s['step_us'] / m['step_us']:.2f} |")
    m = rows[0]["machine"]
    lines.append(f"\nmachine: {m['cpu']}, {m['cpu_count']} cores, {m['memory_gib']} GiB, {m['os']}, "
                 f"Python {m['python']}; device: {devices(rows)}; one point at a time")
    return "\n".join(lines)


def plot(rows, path, title):
    """Images per second against batch size, both logarithmic: a panel per model, a line per
    framework (the yardsticks dotted, in the MLP's panel)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.lines
    import matplotlib.pyplot as plt

    models = [m for m in MODELS if any(model_of(r["script"]) == m for r in rows)]
    fig, axes = plt.subplots(1, len(models), figsize=(3.6 * len(models) + 1.8, 4), dpi=90, sharey=True, squeeze=False)
    shown = []
    for ax, model in zip(axes[0], models):
        for minimal in (False, True):
            for framework in compare.FRAMEWORKS:
                points = sorted((r["batch_size"], r["images_per_s"]) for r in rows if r.get("images_per_s")
                                and model_of(r["script"]) == model and framework_of(r["script"]) == framework
                                and r["minimal"] == minimal and not r.get("variant"))
                if points:
                    ax.plot(*zip(*points), ":x" if minimal else "-o", color=compare.COLOURS[framework], markersize=4)
                    shown += [framework] if framework not in shown else []
        ax.set(xscale="log", yscale="log", xlabel="batch size", title=MODELS[model])
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel("training images per second")
    handles = [matplotlib.lines.Line2D([], [], color=compare.COLOURS[f], marker="o", markersize=4) for f in shown]
    labels = list(shown)
    if any(r["minimal"] for r in rows):
        handles.append(matplotlib.lines.Line2D([], [], color="grey", linestyle=":", marker="x", markersize=4))
        labels.append("yardstick\n(MLP)")
    fig.legend(handles, labels, loc="center right", fontsize="small")
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1 - 1.5 / fig.get_figwidth(), 1))
    fig.savefig(path)
    plt.close(fig)


def batch_sizes(text):
    """--batch-size: a comma-separated list of positive integers, each once."""
    sizes = [mnist.positive(int)(part) for part in text.split(",")]
    if len(set(sizes)) != len(sizes):
        raise argparse.ArgumentTypeError(f"{text} names a batch size twice")
    return sizes


def parse_args(argv=None):
    p = compare.parser(__doc__.split("\n\n")[0], __doc__.split("\n\n", 1)[1], lr=f"{SWEEP_LR}",
                       train_size="at most N images an epoch (default: sweep_train_size's)")
    p.add_argument("--batch-size", type=batch_sizes, default=BATCH_SIZES, metavar="N[,N...]",
                   help=f"the batch sizes, comma-separated (default: {','.join(map(str, BATCH_SIZES))})")
    args = compare.checked(p, p.parse_args(argv), outs=(".json",))
    args.parser = p
    return args


def main():
    args = parse_args()
    args.lr = args.lr or SWEEP_LR
    flags = ["--epochs", str(SWEEP_EPOCHS), *compare.handed(args, ("lr", "seed", "dataset"))]
    if args.load:
        rows = compare.load(args.parser, args.load, sweep=True)
    else:
        rows = run_sweep(args.scripts, args.batch_size, flags, args.train_size)
    print(markdown(rows))
    if args.out:
        compare.write(rows, args.out)
    if args.plot:
        plot(rows, args.plot, f"{args.dataset or 'mnist'}: training speed on {rows[0]['machine']['cpu']} ({devices(rows)})")
    sys.exit(1 if any(r["returncode"] for r in rows) else 0)


if __name__ == "__main__":
    main()
