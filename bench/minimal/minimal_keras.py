"""The yardstick of mlp_keras.py: compile with steps_per_execution, then fit, as Keras teaches it
for a small model with a large Python overhead (keras.io/api/models/model_training_apis: compile's
steps_per_execution, "can greatly improve performance ... with small models"). fit is called once
an epoch, as the script calls it; --one-fit calls it once for all the epochs instead, to measure
what a call costs."""
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
    args, x, y = common.setup(__doc__, ("--one-fit", "one fit for all the epochs, each timed by a callback"))
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(100, activation="sigmoid"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(args.lr), loss="sparse_categorical_crossentropy",
                  steps_per_execution=1000)  # as mlp_keras.py: many steps a call to the compiled step
    if args.one_fit:
        model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, shuffle=False, verbose=0,
                  callbacks=[Timer()])
        return
    for epoch, start in common.epochs(args):
        history = model.fit(x, y, batch_size=args.batch_size, initial_epoch=epoch - 1, epochs=epoch,
                            shuffle=False, verbose=0)
        common.report(epoch, start, history.history["loss"][0])


if __name__ == "__main__":
    main()
