"""Conv net in Keras 3: conv8 5x5 sigmoid -> maxpool 2x2 -> fc100 sigmoid -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.2, seed 0): test accuracy 0.9886.
"""
import mnist  # first: it turns a missing framework below into a one-line error
import os

os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")  # batches of 10 are too small to split:
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")  # threads only add overhead (TF backend)
import keras  # noqa: E402  (TensorFlow reads those two when it is imported)

# fit's steps per call to the compiled train step: many keep Python out of the loop, but the
# torch backend runs one step per call only
STEPS = 1 if keras.backend.backend() == "torch" else 1000


def build_model(params):
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(8, 5, activation="sigmoid"),  # (n, 24, 24, 8)
        keras.layers.MaxPooling2D(2),                     # (n, 12, 12, 8)
        keras.layers.Flatten(),                           # (n, 1152)
        keras.layers.Dense(100, activation="sigmoid"),    # (n, 100)
        keras.layers.Dense(10, activation="softmax"),     # (n, 10)
    ])
    model.set_weights(params)  # kernels are (h, w, in, out) and (in, out): canonical as they are
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
    args = mnist.parse_args(__doc__)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(
        shape=(28, 28, 1), dataset=args.dataset)
    params = mnist.init_weights(args.seed, [(5, 5, 1, 8), (12 * 12 * 8, 100), (100, 10)])
    model = build_model(params)
    model.compile(optimizer=keras.optimizers.SGD(args.lr), loss="sparse_categorical_crossentropy",
                  steps_per_execution=STEPS)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train):  # this epoch's batch order
        loss = train_epoch(model, x, y, args.batch_size, epoch)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(model, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(model, x_test), y_test), model.get_weights())


if __name__ == "__main__":
    main()
