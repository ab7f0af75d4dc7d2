"""Real data sets.

The first three ship inside scikit-learn, so they load offline. MNIST and
Fashion-MNIST are downloaded by ``keras.datasets`` (they work in Colab, or
offline once Keras has cached them in ``~/.keras/datasets``); without a network
they raise ``DatasetUnavailable`` with a one-line message naming the offline
alternative.

Shapes and dtypes follow the package conventions (see ``datasets.synthetic``).
"""

import numpy as np
import sklearn.datasets


class DatasetUnavailable(RuntimeError):
    """A data set that needs a download could not be fetched."""


def digits():
    """8×8 images of handwritten digits, flattened (scikit-learn's bundled copy).

    Returns:
        x: float32, shape (1797, 64), pixel intensities scaled to [0, 1].
        y: int32, shape (1797,), in {0, …, 9}.
    """
    bunch = sklearn.datasets.load_digits()
    return (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int32)


def breast_cancer():
    """Wisconsin breast-cancer diagnosis, 30 measurements per tumour.

    The features have very different scales (0.05 to 2500): standardise them
    with ``datasets.Standardizer`` fitted on the training part.

    Returns:
        x: float32, shape (569, 30), raw measurements.
        y: int32, shape (569,): 0 malignant, 1 benign.
    """
    bunch = sklearn.datasets.load_breast_cancer()
    return bunch.data.astype(np.float32), bunch.target.astype(np.int32)


def diabetes():
    """Disease progression one year after baseline, from 10 measurements.

    Returns:
        x: float32, shape (442, 10), already mean-centred and scaled by scikit-learn.
        y: float32, shape (442, 1), the raw target, between 25 and 346.
    """
    bunch = sklearn.datasets.load_diabetes()
    return bunch.data.astype(np.float32), bunch.target.reshape(-1, 1).astype(np.float32)


def _keras_images(loader, title):
    try:
        (x_train, y_train), (x_test, y_test) = loader()
    except Exception as error:  # Keras raises several kinds for "no network".
        raise DatasetUnavailable(
            f"{title} needs a download through keras.datasets, which failed "
            f"({type(error).__name__}); offline, use datasets.load('digits') instead") from None
    x = np.concatenate([x_train, x_test]).reshape(-1, 28 * 28)
    y = np.concatenate([y_train, y_test])
    return (x / 255.0).astype(np.float32), y.astype(np.int32)


def mnist():
    """70 000 handwritten digits, 28×28, flattened (train then test order).

    Returns:
        x: float32, shape (70000, 784), in [0, 1]. y: int32, shape (70000,).

    Raises:
        DatasetUnavailable: when the download fails (no network, no cache).
    """
    import keras
    return _keras_images(keras.datasets.mnist.load_data, "MNIST")


def fashion_mnist():
    """70 000 images of clothing in 10 classes, 28×28, flattened.

    Returns:
        x: float32, shape (70000, 784), in [0, 1]. y: int32, shape (70000,).

    Raises:
        DatasetUnavailable: when the download fails (no network, no cache).
    """
    import keras
    return _keras_images(keras.datasets.fashion_mnist.load_data, "Fashion-MNIST")
