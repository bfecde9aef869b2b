"""Run scripts with the same flags; tabulate their test accuracy, wall time and peak memory.

    python compare.py                            # every mlp_*, conv_*, then conv_deep_* script
    python compare.py mlp_numpy.py mlp_torch.py --epochs 1 --out results.json
    python compare.py --plot docs/results.png    # also draw the curves and accuracy vs time

Each script runs as a subprocess; what is read from it is only the report lines that every
script prints (`epoch ... loss 0.0931  val accuracy 0.9731 ...`, `test accuracy 0.9802`), and
when each came (the JSON's `elapsed`: wall seconds since the start, at each epoch's line).
"""
import argparse
import csv
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import mnist

HERE = os.path.dirname(os.path.abspath(__file__))
EPOCH_LINE = re.compile(r"^epoch\s+(\d+)/(\d+)\s+loss ([0-9.]+)\s+val accuracy ([0-9.]+)")
TEST_LINE = re.compile(r"^test accuracy ([0-9.]+)$")
FIELDS = ["script", "test_accuracy", "seconds", "peak_mib", "returncode"]


def run_script(script, flags, label):
    """Run one script; return its row: accuracy, wall seconds, peak RSS, per-epoch curves."""
    cmd = [sys.executable, "-u", script, *flags]
    row = {"script": os.path.basename(script), "test_accuracy": None, "val_accuracy": [], "loss": [],
           "elapsed": []}  # elapsed: wall seconds since the start, at each epoch's line
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, text=True)
        for line in proc.stdout:
            if m := EPOCH_LINE.match(line):
                row["loss"].append(float(m[3]))
                row["val_accuracy"].append(float(m[4]))
                row["elapsed"].append(round(time.perf_counter() - start, 1))
                print(f"{label} epoch {m[1]}/{m[2]}  loss {m[3]}  val accuracy {m[4]}  "
                      f"[{row['elapsed'][-1]:.0f} s]", file=sys.stderr, flush=True)
            elif m := TEST_LINE.match(line.strip()):
                row["test_accuracy"] = float(m[1])
        # wait4, not wait: it also returns the child's resource usage, its peak RSS among them
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        row["seconds"] = round(time.perf_counter() - start, 1)
        row["peak_mib"] = round(usage.ru_maxrss / 1024)  # Linux reports KiB
        row["returncode"] = proc.returncode
        if proc.returncode != 0:
            errors.seek(0)
            tail = errors.read().strip().splitlines()[-3:]
            print(f"{label} failed with exit code {proc.returncode}:\n  " + "\n  ".join(tail),
                  file=sys.stderr)
    return row


def markdown(rows):
    lines = ["| script | test accuracy | wall time (s) | peak RSS (MiB) |",
             "|---|---|---|---|"]
    for r in rows:
        acc = f"{r['test_accuracy']:.4f}" if r["test_accuracy"] is not None else \
            f"failed (exit {r['returncode']})"
        lines.append(f"| {r['script']} | {acc} | {r['seconds']} | {r['peak_mib']} |")
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
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, (curves, scatter) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=90)
    for i, r in enumerate(rows):  # the line styles vary, so that curves on top of each other show
        epochs = range(1, len(r["val_accuracy"]) + 1)
        curves.plot(epochs, r["val_accuracy"], ["-", "--", ":", "-."][i % 4], label=r["script"])
    curves.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    curves.set(xlabel="epoch", ylabel="validation accuracy", title="Validation accuracy per epoch")
    curves.legend(fontsize="small")
    curves.grid(alpha=0.3)
    done = [r for r in rows if r["test_accuracy"] is not None]
    for i, r in enumerate(sorted(done, key=lambda r: (r["test_accuracy"], r["seconds"]))):
        scatter.plot(r["seconds"], r["test_accuracy"], "o")
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


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scripts", nargs="*", metavar="SCRIPT",
                   help="default: every mlp_*.py, conv_*.py and then conv_deep_*.py (the slowest) "
                        "beside compare.py")
    p.add_argument("--epochs", type=mnist._positive(int))
    p.add_argument("--train-size", type=mnist._positive(int), metavar="N")
    p.add_argument("--seed", type=mnist._seed)
    p.add_argument("--dataset", choices=list(mnist.DATASETS))
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
    for path in filter(None, (args.out, args.plot)):
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            p.error(f"no such directory for {path}")
    return args


def main():
    args = parse_args()
    passed = ("epochs", "train_size", "seed", "dataset")  # the flags handed to every script
    flags = [f for name in passed if getattr(args, name) is not None
             for f in (f"--{name.replace('_', '-')}", str(getattr(args, name)))]
    if args.load:
        with open(args.load) as f:
            rows = json.load(f)
    else:
        rows = [run_script(script, flags, f"[{i}/{len(args.scripts)} {os.path.basename(script)}]")
                for i, script in enumerate(args.scripts, 1)]
    print(markdown(rows))
    if args.out:
        write(rows, args.out)
    if args.plot:
        plot(rows, args.plot, f"{args.dataset or 'mnist'}, flags: {' '.join(flags) or 'defaults'}")
    sys.exit(1 if any(r["returncode"] for r in rows) else 0)


if __name__ == "__main__":
    main()
