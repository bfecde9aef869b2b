"""Run scripts with the same flags; tabulate their test accuracy, s/epoch, wall time and peak memory.

    python compare.py                            # every mlp_*, conv_*, then conv_deep_* script
    python compare.py mlp_numpy.py mlp_torch.py --epochs 1 --out results.json
    python compare.py --plot docs/results.png    # also draw the curves and accuracy vs time
    python compare.py --jobs 2 --out docs/results-mnist.json   # all 22, two at a time, a core each

Each script runs as a subprocess; what is read from it is only the report lines that every
script prints (`epoch ... loss 0.0931  val accuracy 0.9731  (1.4 s)`, `test accuracy 0.9802`),
and when each came (the JSON's `elapsed`: wall seconds since the start, at each epoch's line).
`epoch_seconds` are the scripts' own per-epoch times; s/epoch is their mean over epochs 2..N
(epoch 1 also compiles). Every row records the machine it ran on, the cores it was allowed,
how many scripts ran at once, and the versions of the packages it imports.
"""
import argparse
import concurrent.futures
import csv
import datetime
import glob
import importlib.metadata
import json
import os
import platform
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import time

import mnist
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EPOCH_LINE = re.compile(r"^epoch\s+(\d+)/(\d+)\s+loss ([0-9.]+)\s+val accuracy ([0-9.]+)\s+\(([0-9.]+) s\)")
TEST_LINE = re.compile(r"^test accuracy ([0-9.]+)$")
TIMED_LINE = re.compile(r"^train_epoch (\d+) ([0-9.]+)$")  # bench/timed.py's, and the minimal loops'
DEVICE_LINE = re.compile(r"^device (.+)$")
FIELDS = ["script", "test_accuracy", "s_per_epoch", "seconds", "peak_mib", "returncode"]
# the framework part of a script's name -> the packages whose versions its row records
PACKAGES = {"numpy": ["numpy"], "theano": ["pytensor", "numpy"], "tensorflow": ["tensorflow", "numpy"],
            "keras": ["keras", "tensorflow", "numpy"], "torch": ["torch", "numpy"],
            "jax": ["jax", "jaxlib", "numpy"], "flax": ["flax", "optax", "jax", "jaxlib", "numpy"],
            "mlx": ["mlx", "mlx-cpu", "numpy"]}


def machine():
    """What the rows ran on: the CPU's model, its logical cores, memory, OS and Python."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        memory = None
    return {"cpu": cpu, "cpu_count": os.cpu_count(), "memory_gib": memory,
            "os": platform.platform(terse=True), "python": platform.python_version()}


def framework_of(script):
    """The framework part of a script's name: mlp_torch.py -> torch."""
    return os.path.basename(script).removesuffix(".py").rsplit("_", 1)[-1]


def versions(script):
    """{package: installed version} for what the script imports (None: not installed)."""
    found = {}
    for package in PACKAGES.get(framework_of(script), ["numpy"]):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = None
    return found


def s_per_epoch(epoch_seconds):
    """The steady pace: the mean of epochs 2..N (epoch 1 also compiles); epoch 1's alone if
    there is no other."""
    steady = epoch_seconds[1:] or epoch_seconds
    return round(sum(steady) / len(steady), 2) if steady else None


def run_script(script, flags, label, cpus=None, runner=()):
    """Run one script (on the cores cpus, if given; through runner, a program that runs it, if
    given); return its row: accuracy, wall seconds, peak RSS, per-epoch curves and times."""
    cmd = [sys.executable, "-u", *runner, script, *flags]
    row = {"script": os.path.basename(script), "test_accuracy": None, "val_accuracy": [], "loss": [],
           "elapsed": [], "epoch_seconds": [], "train_seconds": []}  # elapsed: wall seconds since
    # the start, at each epoch's line; train_seconds: bench/timed.py's (the sweep's) lines
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, text=True, preexec_fn=pin)
        for line in proc.stdout:
            if m := EPOCH_LINE.match(line):
                row["loss"].append(float(m[3]))
                row["val_accuracy"].append(float(m[4]))
                row["epoch_seconds"].append(float(m[5]))
                row["elapsed"].append(round(time.perf_counter() - start, 1))
                print(f"{label} epoch {m[1]}/{m[2]}  loss {m[3]}  val accuracy {m[4]}  "
                      f"[{row['elapsed'][-1]:.0f} s]", file=sys.stderr, flush=True)
            elif m := TEST_LINE.match(line.strip()):
                row["test_accuracy"] = float(m[1])
            elif m := TIMED_LINE.match(line.strip()):
                row["train_seconds"].append(float(m[2]))
            elif m := DEVICE_LINE.match(line.strip()):
                row["device"] = m[1]
        # wait4, not wait: it also returns the child's resource usage, its peak RSS among them
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        row["seconds"] = round(time.perf_counter() - start, 1)
        row["s_per_epoch"] = s_per_epoch(row["epoch_seconds"])
        row["peak_mib"] = round(usage.ru_maxrss / 1024)  # Linux reports KiB
        row["returncode"] = proc.returncode
        if proc.returncode != 0:
            errors.seek(0)
            tail = errors.read().strip().splitlines()[-3:]
            print(f"{label} failed with exit code {proc.returncode}:\n  " + "\n  ".join(tail),
                  file=sys.stderr)
    row["cpus"] = sorted(cpus) if cpus else sorted(os.sched_getaffinity(0))
    row["versions"] = versions(script)
    return row


def run_all(scripts, flags, jobs, order):
    """The rows of scripts, in their order; jobs of them run at once, each on a core of its own
    (when there are that many), started in the order given by order (a list of the scripts)."""
    cores = sorted(os.sched_getaffinity(0))
    free = queue.Queue()  # the cores not in use
    for i in range(jobs):
        free.put([cores[i]] if jobs > 1 and jobs <= len(cores) else None)
    labels = {s: f"[{i}/{len(scripts)} {os.path.basename(s)}]" for i, s in enumerate(scripts, 1)}

    def one(script):
        cpus = free.get()
        try:
            return run_script(script, flags, labels[script], cpus)
        finally:
            free.put(cpus)

    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {s: pool.submit(one, s) for s in order}
        rows = [futures[s].result() for s in scripts]
    for row in rows:
        row.update(date=started, jobs=jobs, machine=MACHINE, flags=flags)
    return rows


MACHINE = machine()


# ---- the sweep: training speed across batch sizes (a --batch-size list) ----

FRAMEWORKS = ["numpy", "theano", "tensorflow", "keras", "torch", "jax", "flax", "mlx"]
# one colour per framework, in both figures (matplotlib's tab10 in this order)
COLOURS = dict(zip(FRAMEWORKS, ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f"]))
MODELS = {"mlp": "MLP", "conv": "conv", "conv_deep": "deep conv"}
TIMED = os.path.join(HERE, "bench", "timed.py")
MINIMAL = os.path.join(HERE, "bench", "minimal")
MINIMAL_SIZES = (10, 1000)  # the batch sizes at which an MLP is set against its minimal loop
SWEEP_EPOCHS = 5  # the first (compiling, tracing, warming up) and four timed
SWEEP_LR = 0.01  # small enough that no model diverges at batch 1; the speed does not depend on it


def model_of(script):
    name = os.path.basename(script).removesuffix(".py")
    return "mlp" if name.startswith("minimal_") else name.rsplit("_", 1)[0]


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
    return {"step_us": round(median / steps * 1e6, 1),
            "step_us_range": [round(t / steps * 1e6, 1) for t in (min(timed), max(timed))],
            "images_per_s": round(row["train_size"] / median, 1), "first_epoch_extra_s": round(first - median, 3)}


def run_sweep(scripts, batch_sizes, flags, train_size=None):
    """One row per script and batch size (and for each MLP, its minimal loop at MINIMAL_SIZES),
    run one at a time, in order: each script's train_epoch timed by bench/timed.py."""
    points = []
    for script in scripts:
        for b in batch_sizes:
            points.append((script, b, [TIMED]))
            minimal = os.path.join(MINIMAL, f"minimal_{framework_of(script)}.py")
            if model_of(script) == "mlp" and b in MINIMAL_SIZES and os.path.isfile(minimal):
                points.append((minimal, b, []))  # right after its script: the same conditions
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    rows = []
    for i, (script, b, runner) in enumerate(points, 1):
        size = sweep_train_size(b, train_size or 50000)
        point = ["--batch-size", str(b), "--train-size", str(size)]
        row = run_script(script, [*flags, *point], f"[{i}/{len(points)} {os.path.basename(script)} b={b}]",
                         runner=runner)
        row.update(sweep=True, batch_size=b, train_size=size, steps=-(-size // b),
                   minimal=not runner, date=started, jobs=1, machine=MACHINE, flags=[*flags, *point])
        if row["returncode"] == 0 and len(row["train_seconds"]) >= 2:
            row.update(timing(row))
        rows.append(row)
    return rows


def fit(points):
    """(a, c) of t(b) = a + c*b through points [(batch size, seconds per step)], by least squares
    on the relative error (the times span orders of magnitude); neither below 0."""
    b, t = np.array(points, float).T
    (a, c), *_ = np.linalg.lstsq(np.stack([1 / t, b / t], 1), np.ones(len(t)), rcond=None)
    if a < 0:  # the best with a = 0, or with c = 0
        a, c = 0.0, np.sum(b / t) / np.sum((b / t) ** 2)
    elif c < 0:
        a, c = np.sum(1 / t) / np.sum(1 / t ** 2), 0.0
    return float(a), float(c)


def fits(rows):
    """{script: {"a_us", "c_us", "off": {batch size: measured / fitted}}} for the scripts (not the
    minimal loops) with two batch sizes or more."""
    by_script = {}
    for r in rows:
        if r.get("step_us") is not None and not r["minimal"]:
            by_script.setdefault(r["script"], []).append((r["batch_size"], r["step_us"]))
    result = {}
    for script, points in by_script.items():
        if len({b for b, _ in points}) >= 2:
            a, c = fit(points)
            result[script] = {"a_us": round(a, 1), "c_us": round(c, 2),
                              "off": {b: round(t / (a + c * b), 2) for b, t in points}}
    return result


def furthest(off):
    """(batch size, measured / fit) of the point furthest from its fit, either way."""
    return max(off.items(), key=lambda point: abs(np.log(point[1])))


def devices(rows):
    return ", ".join(sorted({r.get("device", "?") for r in rows}))


def sweep_markdown(rows):
    sizes = sorted({r["batch_size"] for r in rows})
    first_at = 10 if 10 in sizes else sizes[0]  # the first epoch's extra time at the scripts' batch size
    fitted = fits(rows)
    lines = ["| script | a: µs/step | c: µs/image | " + " | ".join(f"images/s at {b}" for b in sizes) +
             f" | first epoch, extra s (batch {first_at}) | measured / fit, furthest |",
             "|---|---|---|" + "---|" * len(sizes) + "---|---|"]
    for script in dict.fromkeys(r["script"] for r in rows if not r["minimal"]):
        points = {r["batch_size"]: r for r in rows if r["script"] == script}
        cells = [f"{points[b]['images_per_s']:,.0f}" if points.get(b, {}).get("images_per_s")
                 else ("failed" if b in points else "-") for b in sizes]
        f = fitted.get(script)
        worst = furthest(f["off"]) if f else None
        first = points.get(first_at, {}).get("first_epoch_extra_s")
        lines.append(f"| {script} | {f['a_us'] if f else '-'} | {f['c_us'] if f else '-'} | " + " | ".join(cells) +
                     f" | {first if first is not None else '-'} | " +
                     (f"{worst[1]:.2f} at {worst[0]}" if worst else "-") + " |")
    if fitted:  # the fit's quality: each point's time against a + c*b
        lines += ["", "| script | " + " | ".join(f"measured / fit at {b}" for b in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
        for script, f in fitted.items():
            lines.append(f"| {script} | " + " | ".join(f"{f['off'][b]:.2f}" if b in f["off"] else "-" for b in sizes) + " |")
        script = max(fitted, key=lambda s: abs(np.log(furthest(fitted[s]["off"])[1])))
        b, ratio = furthest(fitted[script]["off"])
        lines.append(f"\nfurthest from its fit: {script} at batch {b}, {ratio:.2f} times a + c*b")
    minimal = [r for r in rows if r["minimal"] and r.get("step_us")]
    if minimal:
        lines += ["", "| framework | batch | script µs/step | minimal loop µs/step | script / minimal |", "|---|---|---|---|---|"]
        for m in minimal:
            s = next((r for r in rows if not r["minimal"] and model_of(r["script"]) == "mlp" and
                      framework_of(r["script"]) == framework_of(m["script"]) and r["batch_size"] == m["batch_size"]), None)
            if s and s.get("step_us"):
                lines.append(f"| {framework_of(m['script'])} | {m['batch_size']} | {s['step_us']} | {m['step_us']} | "
                             f"{s['step_us'] / m['step_us']:.2f} |")
    m = rows[0]["machine"]
    lines.append(f"\nmachine: {m['cpu']}, {m['cpu_count']} cores, {m['memory_gib']} GiB, {m['os']}, "
                 f"Python {m['python']}; device: {devices(rows)}; one point at a time")
    return "\n".join(lines)


def plot_sweep(rows, path, title):
    """Images per second against batch size, both logarithmic: a panel per model, a line per
    framework (the minimal loops dotted, in the MLP's panel)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.lines
    import matplotlib.pyplot as plt

    models = [m for m in MODELS if any(model_of(r["script"]) == m for r in rows)]
    fig, axes = plt.subplots(1, len(models), figsize=(3.6 * len(models) + 1.8, 4), dpi=90, sharey=True, squeeze=False)
    shown = []
    for ax, model in zip(axes[0], models):
        for minimal in (False, True):
            for framework in FRAMEWORKS:
                points = sorted((r["batch_size"], r["images_per_s"]) for r in rows if r.get("images_per_s")
                                and model_of(r["script"]) == model and framework_of(r["script"]) == framework
                                and r["minimal"] == minimal)
                if points:
                    ax.plot(*zip(*points), ":x" if minimal else "-o", color=COLOURS[framework], markersize=4)
                    shown += [framework] if framework not in shown else []
        ax.set(xscale="log", yscale="log", xlabel="batch size", title=MODELS[model])
        ax.grid(alpha=0.3, which="both")
    axes[0][0].set_ylabel("training images per second")
    handles = [matplotlib.lines.Line2D([], [], color=COLOURS[f], marker="o", markersize=4) for f in shown]
    labels = list(shown)
    if any(r["minimal"] for r in rows):
        handles.append(matplotlib.lines.Line2D([], [], color="grey", linestyle=":", marker="x", markersize=4))
        labels.append("minimal\nMLP loop")
    fig.legend(handles, labels, loc="center right", fontsize="small")
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1 - 1.5 / fig.get_figwidth(), 1))
    fig.savefig(path)
    plt.close(fig)


def markdown(rows):
    lines = ["| script | test accuracy | s/epoch | wall time (s) | peak RSS (MiB) |",
             "|---|---|---|---|---|"]
    for r in rows:
        acc = f"{r['test_accuracy']:.4f}" if r["test_accuracy"] is not None else \
            f"failed (exit {r['returncode']})"
        pace = f"{r['s_per_epoch']:.2f}" if r.get("s_per_epoch") is not None else "-"
        lines.append(f"| {r['script']} | {acc} | {pace} | {r['seconds']} | {r['peak_mib']} |")
    machines = {json.dumps(r["machine"], sort_keys=True) for r in rows if r.get("machine")}
    for m in sorted(machines):
        m = json.loads(m)
        jobs = sorted({r.get("jobs", 1) for r in rows})
        lines.append(f"\nmachine: {m['cpu']}, {m['cpu_count']} cores, {m['memory_gib']} GiB, "
                     f"{m['os']}, Python {m['python']}; scripts at a time: {', '.join(map(str, jobs))}")
    return "\n".join(lines)


def write(rows, path):
    if path.endswith(".json"):
        with open(path, "w") as f:
            json.dump(rows, f, indent=1)
    else:
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, FIELDS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)


def plot(rows, path, title):
    """Two panels: validation accuracy per epoch, and test accuracy against wall time."""
    import matplotlib
    matplotlib.use("Agg")  # no display needed
    import matplotlib.lines
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, (curves, scatter) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=90)
    styles = {"mlp": "-", "conv": "--", "conv_deep": ":"}  # the colour is the framework's (COLOURS)
    for r in rows:
        epochs = range(1, len(r["val_accuracy"]) + 1)
        curves.plot(epochs, r["val_accuracy"], styles.get(model_of(r["script"]), "-."),
                    color=COLOURS.get(framework_of(r["script"])))
    shown = [f for f in FRAMEWORKS if any(framework_of(r["script"]) == f for r in rows)]
    models = [m for m in MODELS if any(model_of(r["script"]) == m for r in rows)]
    curves.legend([matplotlib.lines.Line2D([], [], color=COLOURS[f]) for f in shown] +
                  [matplotlib.lines.Line2D([], [], color="black", linestyle=styles[m]) for m in models],
                  shown + [MODELS[m] for m in models], fontsize="x-small", ncol=2, loc="lower right")
    curves.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    curves.set(xlabel="epoch", ylabel="validation accuracy", title="Validation accuracy per epoch")
    curves.grid(alpha=0.3)
    done = [r for r in rows if r["test_accuracy"] is not None]
    for i, r in enumerate(sorted(done, key=lambda r: (r["test_accuracy"], r["seconds"]))):
        scatter.plot(r["seconds"], r["test_accuracy"], "o", color=COLOURS.get(framework_of(r["script"])))
        scatter.annotate(r["script"].removesuffix(".py"), (r["seconds"], r["test_accuracy"]),
                         textcoords="offset points", xytext=(5, -12 + 8 * (i % 4)), fontsize="small")
    scatter.set_xscale("log")  # the scripts' times span more than a factor of 10
    seconds = [r["seconds"] for r in done] or [1]
    scatter.set_xticks([t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
                        if min(seconds) / 2 <= t <= max(seconds) * 2])
    scatter.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    scatter.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    scatter.set(xlabel="wall time (s, log scale)", ylabel="test accuracy",
                title="Test accuracy vs wall time")
    scatter.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


SWEEP_HELP = f"""the sweep (--batch-size with two sizes or more): every script at every batch size, one at a
time, each through bench/timed.py, which times its train_epoch alone until the loss is on the host;
{SWEEP_EPOCHS} epochs (the first with compiling apart, the median and range of the other four), of
sweep_train_size(batch) images (500 steps up to batch 20, then 10,000 images, at least 10 steps),
--lr {SWEEP_LR} unless given; and each MLP's minimal loop (bench/minimal/) at batch
{' and '.join(map(str, MINIMAL_SIZES))}, right after it. It prints the fit t(b) = a + c*b of each
script's time per step (a: the overhead of a step, c: the cost of an image), and --plot draws images
per second against the batch size. --jobs and --epochs do not apply."""


def batch_sizes(text):
    """--batch-size: one positive integer, or a comma-separated list of them (a sweep)."""
    sizes = [mnist.positive(int)(part) for part in text.split(",")]
    if len(set(sizes)) != len(sizes):
        raise argparse.ArgumentTypeError(f"{text} names a batch size twice")
    return sizes


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=SWEEP_HELP,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scripts", nargs="*", metavar="SCRIPT",
                   help="default: every mlp_*.py, conv_*.py and then conv_deep_*.py (the slowest) "
                        "beside compare.py")
    p.add_argument("--epochs", type=mnist.positive(int), metavar="N",
                   help="handed to every script (default: each script's own, 30)")
    p.add_argument("--train-size", type=mnist.positive(int), metavar="N",
                   help="handed to every script: train on the first N training images only (in a "
                        "sweep: at most N images an epoch)")
    p.add_argument("--batch-size", type=batch_sizes, metavar="N[,N...]",
                   help="handed to every script (default: each script's own, 10); a list, such as "
                        "1,10,100,1000, runs the speed sweep instead (see above)")
    p.add_argument("--lr", type=mnist.positive(float), metavar="LR",
                   help=f"handed to every script (default: each script's own; in a sweep {SWEEP_LR})")
    p.add_argument("--seed", type=mnist.seed, metavar="N",
                   help="handed to every script: initial weights and batch order (default: 0)")
    p.add_argument("--dataset", choices=list(mnist.DATASETS),
                   help="handed to every script (default: mnist)")
    p.add_argument("--jobs", type=mnist.positive(int), default=1, metavar="N",
                   help="run N scripts at once, each pinned to a core of its own; the longest "
                        "(by --out's earlier rows, if any) start first (default: %(default)s)")
    p.add_argument("--out", metavar="FILE", help="also write the rows to FILE (.csv or .json)")
    p.add_argument("--plot", metavar="FILE.png", help="also draw the results into FILE.png")
    p.add_argument("--load", metavar="FILE.json",
                   help="run nothing: tabulate (and --plot) the rows that an earlier --out saved "
                        "in FILE.json; the other flags then only label the figure")
    args = p.parse_args(argv)
    deep = sorted(glob.glob(os.path.join(HERE, "conv_deep_*.py")))
    args.scripts = args.scripts or sorted(glob.glob(os.path.join(HERE, "mlp_*.py"))) + \
        sorted(set(glob.glob(os.path.join(HERE, "conv_*.py"))) - set(deep)) + deep
    for s in args.scripts:
        if not os.path.isfile(s):
            p.error(f"no such script: {s}")
    if args.out and not args.out.endswith((".csv", ".json")):
        p.error(f"--out must name a .csv or .json file, not {args.out}")
    if args.plot and not args.plot.endswith(".png"):
        p.error(f"--plot must name a .png file, not {args.plot}")
    args.sweep = bool(args.batch_size) and len(args.batch_size) > 1
    if args.sweep and args.out and not args.out.endswith(".json"):
        p.error(f"a sweep's --out must name a .json file, not {args.out}")
    if args.sweep and (args.jobs != 1 or args.epochs):
        p.error("a sweep runs one script at a time, for its own epochs: leave out --jobs and --epochs")
    for path in filter(None, (args.out, args.plot)):
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            p.error(f"no such directory for {path}")
    return args


def start_order(scripts, path):
    """The scripts, the slowest first by the rows in path (an earlier --out), if it has them."""
    try:
        with open(path) as f:
            seconds = {r["script"]: r["seconds"] for r in json.load(f)}
    except (OSError, ValueError, TypeError, KeyError):
        return list(scripts)
    return sorted(scripts, key=lambda s: -seconds.get(os.path.basename(s), float("inf")))


def main():
    args = parse_args()
    passed = ("epochs", "batch_size", "lr", "train_size", "seed", "dataset")  # handed to every script
    if args.sweep:
        passed = ("epochs", "lr", "seed", "dataset")  # and each point's batch size and train size
        args.epochs, args.lr = SWEEP_EPOCHS, args.lr or SWEEP_LR
    elif args.batch_size:
        args.batch_size = args.batch_size[0]
    flags = [f for name in passed if getattr(args, name) is not None
             for f in (f"--{name.replace('_', '-')}", str(getattr(args, name)))]
    if args.load:
        with open(args.load) as f:
            rows = json.load(f)
        args.sweep = bool(rows) and bool(rows[0].get("sweep"))
    elif args.sweep:
        rows = run_sweep(args.scripts, args.batch_size, flags, args.train_size)
    else:
        order = start_order(args.scripts, args.out) if args.jobs > 1 and args.out else args.scripts
        rows = run_all(args.scripts, flags, args.jobs, order)
    print(sweep_markdown(rows) if args.sweep else markdown(rows))
    if args.out:
        write(rows, args.out)
    if args.plot and args.sweep:
        plot_sweep(rows, args.plot, f"{args.dataset or 'mnist'}: training speed on {rows[0]['machine']['cpu']}"
                   f" ({devices(rows)})")
    elif args.plot:
        plot(rows, args.plot, f"{args.dataset or 'mnist'}, flags: {' '.join(flags) or 'defaults'}")
    sys.exit(1 if any(r["returncode"] for r in rows) else 0)


if __name__ == "__main__":
    main()
