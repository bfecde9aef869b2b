"""Run a script as it runs itself, with its train_epoch timed: compare.py's sweep runs this.

    python bench/timed.py mlp_torch.py --epochs 4 --batch-size 100 --train-size 20000

Prints, besides the script's own lines, one line per epoch: `train_epoch 2 0.123456` (the epoch,
its seconds). The interval holds train_epoch alone (not the batch order, not the validation
prediction) and ends only when the work is done: when the epoch's loss is on the host (JAX,
PyTorch on a GPU and MLX return before their device has finished).
"""
import importlib.util
import os
import sys
import time


def device(framework):
    """The device that framework (a script name's last part) trains on: `cpu`, or the accelerator's
    kind and name. Asked after the model is built, of the framework the script imported."""
    if framework == "keras":
        import keras
        framework = keras.backend.backend()  # tensorflow, jax or torch
    if framework == "torch":
        import torch
        accelerator = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else None
        return f"{accelerator.type} ({torch.cuda.get_device_name()})" if accelerator and \
            accelerator.type == "cuda" else str(accelerator or "cpu")
    if framework in ("jax", "flax"):
        import jax
        d = jax.devices()[0]
        return "cpu" if d.platform == "cpu" else f"{d.platform} ({d.device_kind})"
    if framework == "tensorflow":
        import tensorflow as tf
        gpus = tf.config.list_logical_devices("GPU")
        return f"gpu ({gpus[0].name})" if gpus else "cpu"
    if framework == "mlx":
        import mlx.core as mx
        return str(mx.default_device().type).removeprefix("DeviceType.")
    if framework == "tinygrad":
        from tinygrad import Device
        return Device.DEFAULT.lower()  # cpu (through clang), cuda, metal, ...
    return "cpu"  # NumPy, PyTensor (its C and numba backends)


def timed(train_epoch, framework):
    """train_epoch, printing each call's seconds, up to the loss (its result, or its result's last
    item) on the host; before the first, the device."""
    count = 0

    def train_epoch_timed(*args, **kwargs):
        nonlocal count
        if count == 0:
            print(f"device {device(framework)}", flush=True)
        start = time.perf_counter()
        result = train_epoch(*args, **kwargs)
        float(result[-1] if isinstance(result, tuple) else result)  # waits for the device's work
        count += 1
        print(f"train_epoch {count} {time.perf_counter() - start:.6f}", flush=True)
        return result
    return train_epoch_timed


def main():
    if len(sys.argv) < 2 or not sys.argv[1].endswith(".py"):
        sys.exit("usage: python bench/timed.py SCRIPT.py [FLAG ...]")
    script = os.path.abspath(sys.argv[1])
    sys.path.insert(0, os.path.dirname(script))  # its mnist.py
    spec = importlib.util.spec_from_file_location("timed_script", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines; main() runs below, as `python SCRIPT` would run it
    framework = os.path.basename(script).removesuffix(".py").rsplit("_", 1)[-1]
    module.train_epoch = timed(module.train_epoch, framework)
    sys.argv = [script, *sys.argv[2:]]
    mnist = sys.modules.get("mnist")  # the script's (the sweep's tests time fakes without one)
    if mnist:
        mnist.run(module.main)  # as its own main guard runs it: BLAS threads, one-line errors
    else:
        module.main()


if __name__ == "__main__":
    main()
