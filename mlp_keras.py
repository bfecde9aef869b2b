"""MLP in Keras 3: 784 -> 100 sigmoid -> 10 softmax, cross-entropy, mini-batch SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9796.
"""
# /// script
# requires-python = ">=3.11,<3.14"  # TensorFlow 2.21 has wheels for 3.10-3.13
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
#   "keras==3.15.1",
#   "tensorflow==2.21.0",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
import os

import keras

INPUT = (784,)  # one image as the network takes it: 784 pixels, flat
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1

# fit's steps per call to the compiled train step: many keep Python out of the loop, but the
# torch backend runs one step per call only
STEPS = 1 if keras.backend.backend() == "torch" else 1000


def build_model(params):
    model = keras.Sequential([
        keras.Input(INPUT),
        keras.layers.Dense(100, activation="sigmoid"),   # (n, 100)
        keras.layers.Dense(CLASSES, activation="softmax"),    # (n, 10)
    ])
    model.set_weights(params)  # a Dense kernel is (in, out): the canonical layout as it is
    return model


def train_epoch(model, x, y, batch_size, epoch):
    # x is already in this epoch's batch order: fit must not shuffle it. One epoch per call,
    # numbered from initial_epoch as callbacks and learning-rate schedules count them
    history = model.fit(x, y, batch_size=batch_size, initial_epoch=epoch - 1, epochs=epoch,
                        shuffle=False, verbose=0)
    return history.history["loss"][0]           # the mean over the epoch, weighted by batch size


def predict(model, x):
    return model.predict(x, batch_size=1000, verbose=0).argmax(axis=1)


def main():
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")  # batches of 10 are too small to split: threads
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")  # only add overhead (TF reads these at its first op)
    args = mnist.parse_args(__doc__)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="flat", dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(INPUT[0], 100), (100, CLASSES)])
    model = build_model(params)
    model.compile(optimizer=keras.optimizers.SGD(args.lr), loss="sparse_categorical_crossentropy",
                  steps_per_execution=STEPS)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(model, x, y, args.batch_size, epoch)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(model, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(model, x_test), y_test), model.get_weights())


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
