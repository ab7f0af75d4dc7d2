"""A small fully connected network in NumPy, with its backward pass written by hand.

Shapes follow Keras' ``Dense``: x is (batch, n_inputs), W is (n_inputs, n_outputs)
and b is (n_outputs,), so ``network.get_weights()`` can go straight into
``keras_model.set_weights`` and back.

Forward, layer l (a⁽⁰⁾ = x):
    z⁽ˡ⁾ = a⁽ˡ⁻¹⁾·W⁽ˡ⁾ + b⁽ˡ⁾          (batch, n_outputs)
    a⁽ˡ⁾ = g(z⁽ˡ⁾)                      ReLU in hidden layers; sigmoid or softmax at the output

Backward, for the mean loss over a batch of m samples (as in "Learning Algorithms" and
"The Learning Problem"):
    dz⁽ᴸ⁾ = (a⁽ᴸ⁾ − y) / m              sigmoid + binary CE, or softmax + categorical CE
    dW⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ · dz⁽ˡ⁾             (n_inputs, n_outputs)
    db⁽ˡ⁾ = Σ_batch dz⁽ˡ⁾               (n_outputs,)
    da⁽ˡ⁻¹⁾ = dz⁽ˡ⁾ · W⁽ˡ⁾ᵀ             (batch, n_inputs)
    dz⁽ˡ⁻¹⁾ = da⁽ˡ⁻¹⁾ ⊙ g′(z⁽ˡ⁻¹⁾)      the activation's derivative, element by element

Both chapters divide by m inside dW and db; here dz carries the 1/m, which gives the
same numbers and makes every dz the true gradient of the mean loss.

Example:
    >>> import numpy as np
    >>> from custom.numpy_net import Network
    >>> network = Network([4, 16, 8, 3], output="softmax", seed=0)
    >>> probabilities = network.forward(np.ones((5, 4)))      # (5, 3)
    >>> gradients = network.backward(np.eye(3)[[0, 1, 2, 0, 1]])
    >>> network.update(gradients, learning_rate=0.1)
"""

import numpy as np

from custom import activations, losses

OUTPUTS = ("softmax", "sigmoid", "linear")


class DenseLayer:
    """One fully connected layer with a cached forward pass and a manual backward pass.

    Args:
        n_inputs, n_outputs: positive integers.
        activation: one of ``custom.activations.NAMES``, or "softmax"; default "relu".
        rng: a ``numpy.random.Generator`` for the initial weights; default seed 0.
        weight_scale: standard deviation of the initial weights; default None, which
            means He initialisation √(2/n_inputs) as in "Learning Algorithms". Biases
            start at 0.
    """

    def __init__(self, n_inputs, n_outputs, activation="relu", rng=None, weight_scale=None):
        for name, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if activation == "softmax":
            self._function, self._derivative = activations.softmax, None
        else:
            self._function, self._derivative = activations.get(activation)
        if weight_scale is not None and not weight_scale > 0:
            raise ValueError(f"weight_scale must be positive or None, got {weight_scale!r}")
        rng = rng if rng is not None else np.random.default_rng(0)
        scale = np.sqrt(2.0 / n_inputs) if weight_scale is None else weight_scale
        self.activation = activation
        self.weights = rng.standard_normal((n_inputs, n_outputs)) * scale   # W (n_inputs, n_outputs)
        self.bias = np.zeros(n_outputs)                                       # b (n_outputs,)
        self.cache = {}

    def activate(self, z):
        """a = g(z), element by element (softmax: along the last axis)."""
        return self._function(z)

    def forward(self, x):
        """z = x·W + b, a = g(z); caches x and z. x: (batch, n_inputs) → a: (batch, n_outputs)."""
        z = x @ self.weights + self.bias
        self.cache = {"x": x, "z": z}
        return self.activate(z)

    def activation_derivative(self):
        """g′(z) on the cached z, (batch, n_outputs). Softmax has a full Jacobian, so none here."""
        if self._derivative is None:
            raise ValueError("softmax has no element-wise derivative; start the backward pass "
                             "from dL/dz with backward_from_z (see Network.backward)")
        return self._derivative(self.cache["z"])

    def backward(self, grad_activation):
        """From dL/da (batch, n_outputs): dz = dL/da ⊙ g′(z), then ``backward_from_z(dz)``."""
        # TODO: dz = dL/da ⊙ g′(z) (self.activation_derivative()), then backward_from_z(dz).
        # BEGIN SOLUTION backprop
        return self.backward_from_z(grad_activation * self.activation_derivative())
        # END SOLUTION

    def backward_from_z(self, grad_z):
        """From dL/dz (batch, n_outputs): returns dL/dx (batch, n_inputs) and sets
        ``grad_weights`` (n_inputs, n_outputs) and ``grad_bias`` (n_outputs,)."""
        if not self.cache:
            raise ValueError("call forward before backward")
        # TODO: set self.grad_weights (dW = xᵀ·dz) and self.grad_bias (db), return dx = dz·Wᵀ.
        # BEGIN SOLUTION backprop
        self.grad_weights = self.cache["x"].T @ grad_z     # dW = xᵀ·dz
        self.grad_bias = grad_z.sum(axis=0)                # db = Σ_batch dz
        return grad_z @ self.weights.T                     # dx = dz·Wᵀ
        # END SOLUTION


class Network:
    """A stack of ``DenseLayer``s: hidden layers with one activation, and an output layer.

    Args:
        layer_sizes: [n_inputs, hidden…, n_outputs], at least two positive integers,
            e.g. [2, 4, 1] for the XOR network of "The Learning Problem" or
            [4, 16, 8, 3] for the network of "Learning Algorithms".
        output: "softmax" (multi-class, categorical cross-entropy), "sigmoid" (binary,
            binary cross-entropy) or "linear" (regression, mean squared error); default "softmax".
        hidden_activation: default "relu"; any of ``custom.activations.NAMES``.
        seed: seeds the network's own ``numpy.random.default_rng``; default 0.
        weight_scale: None for He initialisation, or a fixed standard deviation
            (the XOR network of "The Learning Problem" uses 0.5).

    Attributes:
        layers: the ``DenseLayer``s, input side first.
    """

    def __init__(self, layer_sizes, output="softmax", hidden_activation="relu", seed=0,
                 weight_scale=None):
        layer_sizes = list(layer_sizes)
        if len(layer_sizes) < 2:
            raise ValueError(f"layer_sizes needs at least an input and an output size, "
                             f"got {layer_sizes!r}")
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)}; got {output!r}")
        if output == "sigmoid" and layer_sizes[-1] != 1:
            raise ValueError(f"a sigmoid output has 1 unit, got layer_sizes[-1] = {layer_sizes[-1]}")
        activations.get(hidden_activation)                 # raises ValueError on a bad name
        rng = np.random.default_rng(seed)
        self.output = output
        self.layers = []
        for index, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
            last = index == len(layer_sizes) - 2
            self.layers.append(DenseLayer(n_in, n_out, output if last else hidden_activation,
                                          rng=rng, weight_scale=weight_scale))
        self.layer_sizes = layer_sizes
        self.hidden_activation = hidden_activation

    def forward(self, x):
        """The output a⁽ᴸ⁾ for inputs x (batch, n_inputs): probabilities (batch, n_outputs)
        for softmax and sigmoid. Every layer caches what ``backward`` needs."""
        a = np.asarray(x, dtype=float)
        if a.ndim != 2 or a.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"x must have shape (batch, {self.layer_sizes[0]}), got {a.shape}")
        for layer in self.layers:
            a = layer.forward(a)
        self.outputs = a
        return a

    def logits(self):
        """The cached output pre-activation z⁽ᴸ⁾ of the last ``forward``, (batch, n_outputs)."""
        return self.layers[-1].cache["z"]

    def targets(self, y_true):
        """``y_true`` in the output's shape: integer labels (batch,) become one-hot rows for
        softmax, and (batch,) becomes (batch, 1) for sigmoid and linear."""
        y_true = np.asarray(y_true)
        n_outputs = self.layer_sizes[-1]
        if self.output == "softmax" and y_true.ndim == 1:
            if not np.issubdtype(y_true.dtype, np.integer) or y_true.min() < 0 \
                    or y_true.max() >= n_outputs:
                raise ValueError(f"y_true for a softmax output must be integer labels in "
                                 f"[0, {n_outputs - 1}] or one-hot rows (batch, {n_outputs})")
            y_true = np.eye(n_outputs)[y_true]
        elif y_true.ndim == 1:
            y_true = y_true.reshape(-1, 1)
        return y_true.astype(float)

    def loss(self, x, y_true):
        """Run ``forward(x)`` and return the mean loss from ``custom.losses``, computed from
        the logits (log space, so it never needs clipping): categorical CE for softmax,
        binary CE for sigmoid, MSE for linear."""
        self.forward(x)
        return self.loss_of_last_forward(self.targets(y_true))

    def loss_of_last_forward(self, targets):
        """The mean loss of the cached forward pass, for ``targets`` in the output's shape
        (``targets(y_true)``), without running the network again."""
        if self.output == "softmax":
            return losses.categorical_crossentropy(targets, self.logits(), from_logits=True)
        if self.output == "sigmoid":
            return losses.binary_crossentropy(targets, self.logits(), from_logits=True)
        return losses.mean_squared_error(targets, self.outputs)

    def backward(self, y_true):
        """Gradients of the mean loss of the last ``forward`` batch, by the chain rule.

        Args:
            y_true: one-hot (batch, classes) or integer labels (batch,) for softmax;
                (batch,) or (batch, 1) in {0, 1} for sigmoid; targets for linear.
        Returns:
            [dW⁽¹⁾, db⁽¹⁾, dW⁽²⁾, db⁽²⁾, …], each the shape of its parameter, in the
            order of ``get_weights()`` (and of a Keras model's ``trainable_variables``).
        """
        if not hasattr(self, "outputs"):
            raise ValueError("call forward before backward")
        y_true = self.targets(y_true)
        if y_true.shape != self.outputs.shape:
            raise ValueError(f"y_true has shape {y_true.shape}, the output {self.outputs.shape}")
        if self.output == "linear":
            grad_z = 2.0 * (self.outputs - y_true) / y_true.size    # d/dz of mean (z − y)²
        else:
            grad_z = (self.outputs - y_true) / y_true.shape[0]     # dz⁽ᴸ⁾ = (a⁽ᴸ⁾ − y) / m
        grad = self.layers[-1].backward_from_z(grad_z)
        for layer in reversed(self.layers[:-1]):
            grad = layer.backward(grad)                    # dz = da ⊙ g′(z), then dW, db, dx
        return self.current_gradients()

    def current_gradients(self):
        """[dW⁽¹⁾, db⁽¹⁾, …] from the last backward pass, in ``get_weights()`` order."""
        gradients = []
        for layer in self.layers:
            gradients += [layer.grad_weights, layer.grad_bias]
        return gradients

    def update(self, gradients, learning_rate):
        """Plain gradient descent, in place: θ ← θ − η·∇θ for every parameter.

        Args:
            gradients: a list in the order of ``get_weights()``, as ``backward`` returns.
            learning_rate: η > 0.
        """
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
        parameters = self.parameters()
        if len(gradients) != len(parameters):
            raise ValueError(f"expected {len(parameters)} gradients, got {len(gradients)}")
        for parameter, gradient in zip(parameters, gradients):
            parameter -= learning_rate * gradient          # θ ← θ − η·g (in place)

    def parameters(self):
        """The live parameter arrays [W⁽¹⁾, b⁽¹⁾, W⁽²⁾, b⁽²⁾, …]; changing them changes the network."""
        parameters = []
        for layer in self.layers:
            parameters += [layer.weights, layer.bias]
        return parameters

    def get_weights(self):
        """Copies of ``parameters()``, in Keras' ``get_weights`` order and shapes."""
        return [parameter.copy() for parameter in self.parameters()]

    def keras_twin(self, dtype="float64"):
        """A ``keras.Sequential`` with this network's layers and weights, in ``dtype``, its
        last layer returning logits (pair it with a ``from_logits=True`` loss). Not compiled.

        Raises:
            ValueError: when the hidden activation is not ReLU, whose Keras twin is exact.
        """
        import keras

        if self.hidden_activation != "relu":
            raise ValueError("keras_twin needs hidden_activation 'relu', "
                             f"got {self.hidden_activation!r}")
        layers = [keras.Input(shape=(self.layer_sizes[0],), dtype=dtype)]
        for size in self.layer_sizes[1:-1]:
            layers.append(keras.layers.Dense(size, activation="relu", dtype=dtype))
        layers.append(keras.layers.Dense(self.layer_sizes[-1], dtype=dtype))
        model = keras.Sequential(layers)
        model.set_weights(self.get_weights())
        return model

    def set_weights(self, weights):
        """Copy arrays in (e.g. from ``keras_model.get_weights()``); shapes must match."""
        parameters = self.parameters()
        if len(weights) != len(parameters):
            raise ValueError(f"expected {len(parameters)} arrays, got {len(weights)}")
        for parameter, new in zip(parameters, weights):
            new = np.asarray(new, dtype=float)
            if new.shape != parameter.shape:
                raise ValueError(f"weight shape {new.shape} does not match {parameter.shape}")
            parameter[...] = new

    def predict(self, x):
        """The output for x (batch, n_inputs), leaving the cache of the last ``forward`` alone."""
        a = np.asarray(x, dtype=float)
        if a.ndim != 2 or a.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"x must have shape (batch, {self.layer_sizes[0]}), got {a.shape}")
        for layer in self.layers:
            a = layer.activate(a @ layer.weights + layer.bias)
        return a
