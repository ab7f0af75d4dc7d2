"""Gradient checking: compare a hand-written backward pass with central differences.

For every element θᵢ of every parameter array ("Learning Algorithms", exercise 1, and
"The Learning Problem"):

    ∂L/∂θᵢ ≈ [L(θᵢ + h) − L(θᵢ − h)] / 2h          (error O(h²))

and, per parameter array, the relative error of the analytic gradient a against
the numerical one n:

    relative error = ‖a − n‖ / max(‖a‖ + ‖n‖, tiny)

Below 1e-5 (in float64) the backward pass is right; a wrong one is usually above 1e-2.
"The Learning Problem" divides by |a| + 1e-8 element by element; that blows up for
elements whose true gradient is ~1e-9 (pure rounding noise then looks like a 100 %
error), so the norm over each array is used here, and the worst single element is
reported too.

Use float64: in float32 the rounding error of L alone is ~1e-7·|L|/h ≈ 1e-2 for h = 1e-5.

Example:
    >>> import numpy as np
    >>> from custom.numpy_net import Network
    >>> from custom import gradient_check
    >>> network = Network([2, 3, 1], output="sigmoid", seed=42)
    >>> # the batch of "The Learning Problem"
    >>> x, y = np.array([[0.5, 0.3], [0.8, 0.1]]), np.array([1, 0])
    >>> gradient_check.check_network(network, x, y).passed
    True
"""

import dataclasses

import numpy as np

TOLERANCE = 1e-5


def numerical_gradient(loss_function, parameter, step=1e-5):
    """Central differences of ``loss_function()`` with respect to each element of ``parameter``.

    ``parameter`` is changed in place, one element at a time, and restored exactly.

    Args:
        loss_function: a function of no arguments that reads ``parameter`` and returns a float.
        parameter: a float64 NumPy array (any shape).
        step: h > 0; default 1e-5.
    Returns:
        an array the shape of ``parameter``.
    """
    if not step > 0:
        raise ValueError(f"step must be positive, got {step!r}")
    if parameter.dtype != np.float64:
        raise ValueError(f"parameter must be float64 for a meaningful check, got {parameter.dtype}")
    # TODO: for each element θᵢ, [L(θᵢ + h) − L(θᵢ − h)] / 2h, restoring θᵢ exactly after.
    # BEGIN SOLUTION gradient_check
    gradient = np.zeros_like(parameter)
    flat_parameter, flat_gradient = parameter.reshape(-1), gradient.reshape(-1)
    for index in range(flat_parameter.size):
        original = flat_parameter[index]
        flat_parameter[index] = original + step
        loss_plus = loss_function()                          # L(θᵢ + h)
        flat_parameter[index] = original - step
        loss_minus = loss_function()                         # L(θᵢ − h)
        flat_parameter[index] = original                     # restore θᵢ
        flat_gradient[index] = (loss_plus - loss_minus) / (2.0 * step)
    return gradient
    # END SOLUTION


def relative_error(analytic, numerical):
    """‖a − n‖ / max(‖a‖ + ‖n‖, 1e-12): 0 when equal, 1 when one of them is zero."""
    difference = np.linalg.norm(np.asarray(analytic) - np.asarray(numerical))
    return float(difference / max(np.linalg.norm(analytic) + np.linalg.norm(numerical), 1e-12))


@dataclasses.dataclass
class Report:
    """The result of a check: one row per parameter array.

    Attributes:
        names: e.g. ["W1", "b1", "W2", "b2"].
        errors: relative error per array.
        worst_elements: the largest |a − n| / max(|a|, |n|, 1e-8) in each array.
        tolerance: the pass mark for ``errors``.
    """

    names: list
    errors: list
    worst_elements: list
    tolerance: float = TOLERANCE

    @property
    def passed(self):
        return all(error < self.tolerance for error in self.errors)

    def table(self):
        """The report as a small printable table."""
        lines = [f"{'parameter':<10} {'relative error':>15} {'worst element':>14}  verdict"]
        for name, error, worst in zip(self.names, self.errors, self.worst_elements):
            verdict = "PASS" if error < self.tolerance else "FAIL"
            lines.append(f"{name:<10} {error:>15.2e} {worst:>14.2e}  {verdict}")
        return "\n".join(lines)


def check(loss_function, parameters, analytic_gradients, names=None, step=1e-5,
          tolerance=TOLERANCE):
    """Check ``analytic_gradients`` against central differences on every element of ``parameters``.

    Args:
        loss_function: no arguments, reads the live ``parameters``, returns the loss.
        parameters: the live float64 arrays (changed and restored during the check).
        analytic_gradients: arrays of the same shapes, from the backward pass under test.
        names: labels for the report; default "p0", "p1", ….
        step: h for the central differences; default 1e-5.
        tolerance: pass mark for the relative error; default 1e-5.
    Returns:
        a ``Report``.
    """
    if len(parameters) != len(analytic_gradients):
        raise ValueError(f"{len(parameters)} parameters but {len(analytic_gradients)} gradients")
    names = list(names) if names is not None else [f"p{i}" for i in range(len(parameters))]
    errors, worst_elements = [], []
    for parameter, analytic in zip(parameters, analytic_gradients):
        if np.shape(analytic) != parameter.shape:
            raise ValueError(f"gradient shape {np.shape(analytic)} != parameter {parameter.shape}")
        numerical = numerical_gradient(loss_function, parameter, step)
        errors.append(relative_error(analytic, numerical))
        scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numerical)), 1e-8)
        worst_elements.append(float(np.max(np.abs(analytic - numerical) / scale)))
    return Report(names, errors, worst_elements, tolerance)


def parameter_names(network):
    """["W1", "b1", "W2", "b2", …] for a ``custom.numpy_net.Network``."""
    names = []
    for index in range(1, len(network.layers) + 1):
        names += [f"W{index}", f"b{index}"]
    return names


def check_network(network, x, y_true, backward=None, step=1e-5, tolerance=TOLERANCE):
    """Gradient-check a ``custom.numpy_net.Network`` on one batch.

    Args:
        network: the network (its parameters must be float64, as they are by default).
        x: inputs (batch, n_inputs). y_true: targets in any form ``network.backward`` takes.
        backward: the backward pass under test, ``backward(network, y_true) → gradients``;
            default ``Network.backward``. ``backward_without_relu_derivative`` is a broken one.
    Returns:
        a ``Report``.
    """
    network.forward(x)
    if backward is None:
        gradients = network.backward(y_true)
    else:
        gradients = backward(network, y_true)
    gradients = [np.array(gradient, copy=True) for gradient in gradients]
    return check(lambda: network.loss(x, y_true), network.parameters(), gradients,
                 names=parameter_names(network), step=step, tolerance=tolerance)


def backward_without_relu_derivative(network, y_true):
    """A deliberately BROKEN backward pass for demonstrations and tests: it forgets the
    hidden layers' activation derivative, using dz = da instead of dz = da ⊙ g′(z).

    The checker must flag it. Call ``network.forward(x)`` first, as for ``Network.backward``.
    """
    y_true = network.targets(y_true)
    grad_z = (network.outputs - y_true) / y_true.shape[0]
    grad = network.layers[-1].backward_from_z(grad_z)
    for layer in reversed(network.layers[:-1]):
        grad = layer.backward_from_z(grad)                 # BUG: should be grad ⊙ g′(z)
    return network.current_gradients()
