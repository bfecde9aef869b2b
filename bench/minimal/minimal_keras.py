"""The plainest Keras 3 training loop of the MLP (compile, fit, a callback for the times): the
yardstick of mlp_keras.py."""
import os
import time

os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")  # as mlp_keras.py
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
import common  # noqa: E402
import keras  # noqa: E402


class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):  # logs["loss"] is a number on the host
        common.report(epoch + 1, self.start, logs["loss"])


def main():
    args, x, y = common.setup(__doc__)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(100, activation="sigmoid"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(args.lr), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, shuffle=False, verbose=0,
              callbacks=[Timer()])


if __name__ == "__main__":
    main()
