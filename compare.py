"""Run scripts with the same flags; tabulate their test accuracy, s/epoch, wall time and peak memory.

    python compare.py                            # every mlp_*, conv_*, then conv_deep_* script
    python compare.py mlp_numpy.py mlp_torch.py --epochs 1 --out results.json
    python compare.py --plot docs/results.png    # also draw the curves and accuracy vs time
    python compare.py --jobs 2 --out docs/results-mnist.json   # all 22, two at a time, a core each
    python compare.py --load docs/results-mnist.json            # the table again, from the rows

The speed across batch sizes is bench/sweep.py's, which runs the scripts through run_script.

Each script runs as a subprocess; what is read from it is only the report lines that every
script prints (`epoch ... loss 0.0931  val accuracy 0.9731  (1.4 s)`, `test accuracy 0.9802`),
and when each came (the JSON's `elapsed`: wall seconds since the start, at each epoch's line).
`epoch_seconds` are the scripts' own per-epoch times; s/epoch is their mean over epochs 2..N
(epoch 1 also compiles). Every row records the machine it ran on, the cores it was allowed,
how many scripts ran at once, and the versions of the packages it imports. It runs on Linux,
macOS and Windows: the cores are pinned where the OS can pin them (Linux), and the peak memory is
read in the unit each OS reports.
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
import subprocess
import sys
import tempfile
import time

import mnist

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
            "mlx": ["mlx", "mlx-cpu", "numpy"], "tinygrad": ["tinygrad", "numpy"]}
FRAMEWORKS = list(PACKAGES)  # in the README's order
# one colour per framework, in every figure (matplotlib's tab10 in this order)
COLOURS = dict(zip(FRAMEWORKS, ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]))
MODELS = {"mlp": "MLP", "conv": "conv", "conv_deep": "deep conv"}  # a script name's model part


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


def machine_kind(m):
    """A machine() as the kind of machine it is (CPU, cores, memory, Python), the OS's build apart:
    rows from two runs on one kind compare."""
    return m["cpu"], m["cpu_count"], m["memory_gib"], m["python"]


def framework_of(script):
    """The framework part of a script's name: mlp_torch.py -> torch."""
    return os.path.basename(script).removesuffix(".py").rsplit("_", 1)[-1]


def model_of(script):
    """The model part of a script's name: conv_deep_torch.py -> conv_deep (a minimal loop: mlp)."""
    name = os.path.basename(script).removesuffix(".py")
    return "mlp" if name.startswith("minimal_") else name.rsplit("_", 1)[0]


def cores():
    """The cores this process may run on: its affinity where the OS has one (Linux), else all."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def peak_mib(usage):
    """A finished child's peak RSS in MiB from its resource usage: Linux reports ru_maxrss in
    KiB, macOS in bytes."""
    return round(usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10))


def wait(proc):
    """Wait for proc; return its peak RSS in MiB (None where the OS has no wait4: Windows)."""
    if not hasattr(os, "wait4"):
        proc.wait()
        return None
    # wait4, not wait: it also returns the child's resource usage, its peak RSS among them
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return peak_mib(usage)


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
    given; pinning needs Linux's sched_setaffinity); return its row: accuracy, wall seconds, peak
    RSS, per-epoch curves and times."""
    cmd = [sys.executable, "-u", *runner, script, *flags]
    row = {"script": os.path.basename(script), "test_accuracy": None, "val_accuracy": [], "loss": [],
           "elapsed": [], "epoch_seconds": [], "train_seconds": []}  # elapsed: wall seconds since
    # the start, at each epoch's line; train_seconds: bench/timed.py's (the sweep's) lines
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus and hasattr(os, "sched_setaffinity") else None
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
        row["peak_mib"] = wait(proc)
        row["seconds"] = round(time.perf_counter() - start, 1)
        row["s_per_epoch"] = s_per_epoch(row["epoch_seconds"])
        row["returncode"] = proc.returncode
        if proc.returncode != 0:
            errors.seek(0)
            tail = errors.read().strip().splitlines()[-3:]
            print(f"{label} failed with exit code {proc.returncode}:\n  " + "\n  ".join(tail),
                  file=sys.stderr)
    row["cpus"] = sorted(cpus) if pin else cores()
    row["versions"] = versions(script)
    return row


def run_all(scripts, flags, jobs, order):
    """The rows of scripts, in their order; jobs of them run at once, each on a core of its own
    (when there are that many and the OS can pin), started in the order given by order (a list of
    the scripts)."""
    allowed = cores()
    pinned = 1 < jobs <= len(allowed) and hasattr(os, "sched_setaffinity")
    free = queue.Queue()  # the cores not in use
    for i in range(jobs):
        free.put([allowed[i]] if pinned else None)
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


def parser(description, epilog=None, lr="each script's own", train_size="train on the first N training images only"):
    """The flags that compare.py and bench/sweep.py share: the scripts, what is handed to each of
    them (lr, train_size: what their help says), and where the rows go (or come from)."""
    p = argparse.ArgumentParser(description=description, epilog=epilog,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scripts", nargs="*", metavar="SCRIPT",
                   help="default: every mlp_*.py, conv_*.py and then conv_deep_*.py (the slowest) "
                        "beside compare.py")
    p.add_argument("--train-size", type=mnist.positive(int), metavar="N",
                   help=f"handed to every script: {train_size}")
    p.add_argument("--lr", type=mnist.positive(float), metavar="LR",
                   help=f"handed to every script (default: {lr})")
    p.add_argument("--seed", type=mnist.seed, metavar="N",
                   help="handed to every script: initial weights and batch order (default: 0)")
    p.add_argument("--dataset", choices=list(mnist.DATASETS),
                   help="handed to every script (default: mnist)")
    p.add_argument("--out", metavar="FILE", help="also write the rows to FILE (.json; compare.py: or .csv)")
    p.add_argument("--plot", metavar="FILE.png", help="also draw the results into FILE.png")
    p.add_argument("--load", metavar="FILE.json",
                   help="run nothing: tabulate (and --plot) the rows that an earlier --out saved "
                        "in FILE.json; the other flags then only label the figure")
    return p


def checked(p, args, outs=(".csv", ".json")):
    """args with the default scripts filled in; a usage error (exit 2) for a missing script or a
    file of the wrong kind."""
    deep = sorted(glob.glob(os.path.join(HERE, "conv_deep_*.py")))
    args.scripts = args.scripts or sorted(glob.glob(os.path.join(HERE, "mlp_*.py"))) + \
        sorted(set(glob.glob(os.path.join(HERE, "conv_*.py"))) - set(deep)) + deep
    for s in args.scripts:
        if not os.path.isfile(s):
            p.error(f"no such script: {s}")
    if args.out and not args.out.endswith(outs):
        p.error(f"--out must name a {' or '.join(outs)} file, not {args.out}")
    if args.plot and not args.plot.endswith(".png"):
        p.error(f"--plot must name a .png file, not {args.plot}")
    for path in filter(None, (args.out, args.plot)):
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            p.error(f"no such directory for {path}")
    return args


def handed(args, names):
    """The flags handed to every script: those of names that were given, as on a command line."""
    return [f for name in names if getattr(args, name) is not None
            for f in (f"--{name.replace('_', '-')}", str(getattr(args, name)))]


def load(p, path, sweep):
    """The rows that an earlier --out saved in path: a usage error if they are not a list of rows,
    or are the other program's (a sweep's for compare.py, or the reverse)."""
    try:
        with open(path) as f:
            rows = json.load(f)
    except (OSError, ValueError) as e:
        p.error(f"--load {path}: {e}")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) and "script" in r for r in rows):
        p.error(f"--load {path}: not the rows of an --out")
    if bool(rows[0].get("sweep")) != sweep:
        p.error(f"--load {path}: a {'sweep' if rows[0].get('sweep') else 'run'}'s rows: "
                f"{'python bench/sweep.py' if rows[0].get('sweep') else 'python compare.py'} --load {path}")
    return rows


def parse_args(argv=None):
    p = parser(__doc__.split("\n\n")[0], "the speed at several batch sizes: python bench/sweep.py --help")
    p.add_argument("--epochs", type=mnist.positive(int), metavar="N",
                   help="handed to every script (default: each script's own, 30)")
    p.add_argument("--batch-size", type=mnist.positive(int), metavar="N",
                   help="handed to every script (default: each script's own, 10)")
    p.add_argument("--jobs", type=mnist.positive(int), default=1, metavar="N",
                   help="run N scripts at once, each pinned to a core of its own where the OS can "
                        "pin; the longest (by --out's earlier rows, if any) start first (default: %(default)s)")
    args = checked(p, p.parse_args(argv))
    args.parser = p
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
    flags = handed(args, ("epochs", "batch_size", "lr", "train_size", "seed", "dataset"))
    if args.load:
        rows = load(args.parser, args.load, sweep=False)
    else:
        order = start_order(args.scripts, args.out) if args.jobs > 1 and args.out else args.scripts
        rows = run_all(args.scripts, flags, args.jobs, order)
    print(markdown(rows))
    if args.out:
        write(rows, args.out)
    if args.plot:
        plot(rows, args.plot, f"{args.dataset or 'mnist'}, flags: {' '.join(flags) or 'defaults'}")
    sys.exit(1 if any(r["returncode"] for r in rows) else 0)


if __name__ == "__main__":
    main()
