"""An L2 penalty under Adam against decoupled weight decay (AdamW), one step by hand in NumPy.

The regularization lab trains with Adam and calls the L2 penalty "weight decay". Under
plain SGD the two are the same thing; under Adam they are not. With data gradient
g = ∇J(θ), rate η, decays β₁, β₂ and Keras' ε (the paper's ε̂, see ``custom/optimizers/adam.py``):

Adam with ``kernel_regularizer=keras.regularizers.L2(λ)``, which adds λ·Σθ² to the loss::

    g' = g + 2λ·θ                                  the penalty's gradient joins the data's
    m ← β₁·m + (1−β₁)·g'      v ← β₂·v + (1−β₂)·g'²
    θ ← θ − α·m / (√v + ε),   α = η·√(1−β₂ᵗ) / (1−β₁ᵗ)

so the pull 2λ·θ towards zero is divided by √v̂ like every gradient: a weight whose data
gradient is large is hardly decayed, one whose data gradient is small is decayed hard.

``keras.optimizers.AdamW(weight_decay=λ_w)`` (Loshchilov and Hutter, "Decoupled Weight
Decay Regularization") shrinks the weights outside the adaptive step, before it::

    θ ← θ − η·λ_w·θ                                the same share of every weight
    m ← β₁·m + (1−β₁)·g       v ← β₂·v + (1−β₂)·g²
    θ ← θ − α·m / (√v + ε)

Under SGD, L2(λ) gives θ ← θ − η·(g + 2λ·θ) and ``SGD(weight_decay=λ_w)`` gives
θ ← θ − η·λ_w·θ − η·g: the same step when λ_w = 2λ (Keras' L2 is λ·Σθ², without ½).

Keras applies ``weight_decay`` to every trainable variable unless told otherwise; the lab
excludes the biases (``exclude_from_weight_decay(var_names=["bias"])``), as its L2 penalty
covers only the kernels. ``tests/test_weight_decay.py`` checks both steps against Keras.
"""

import numpy as np


def _check(learning_rate, strength, step):
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if not strength >= 0:
        raise ValueError(f"the decay strength must be >= 0, got {strength}")
    if int(step) != step or step < 1:
        raise ValueError(f"step must be an integer >= 1, got {step}")


def adam_moments(gradient, first, second, step, learning_rate, beta_1, beta_2, epsilon):
    """Keras' Adam step for ``gradient``: the new moments and the step to subtract.

    This is the adam assignment's answer in NumPy, so it is a solution region of that task:
    a student edition where adam is handed out has the TODO here too.
    """
    # TODO: the Adam step of custom/optimizers/adam.py, in NumPy: new m, new v, and α·m / (√v + ε).
    # BEGIN SOLUTION adam
    first = first + (1 - beta_1) * (gradient - first)               # m ← β₁·m + (1−β₁)·g
    second = second + (1 - beta_2) * (gradient ** 2 - second)       # v ← β₂·v + (1−β₂)·g²
    alpha = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    return first, second, alpha * first / (np.sqrt(second) + epsilon)   # α·m / (√v + ε)
    # END SOLUTION


def adam_l2_step(weights, gradient, first, second, step, learning_rate, l2, beta_1=0.9,
                 beta_2=0.999, epsilon=1e-7):
    """One step of Adam on the loss J + λ·Σθ²; returns the new weights, m and v.

    Args:
        weights, gradient, first, second: NumPy arrays of one shape: θ, ∇J(θ), m, v.
        step: t, the 1-based number of this step.
        learning_rate: η > 0.
        l2: λ >= 0, as in ``keras.regularizers.L2(λ)``.
    """
    _check(learning_rate, l2, step)
    penalised = gradient + 2 * l2 * weights                          # g' = g + 2λ·θ
    first, second, update = adam_moments(penalised, first, second, step, learning_rate,
                                         beta_1, beta_2, epsilon)
    return weights - update, first, second


def adamw_step(weights, gradient, first, second, step, learning_rate, weight_decay,
               beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """One step of Keras' AdamW: decay by η·λ_w·θ, then Adam on ∇J alone.

    Args as ``adam_l2_step``, with ``weight_decay`` λ_w >= 0 in place of ``l2``.
    """
    _check(learning_rate, weight_decay, step)
    decayed = weights - learning_rate * weight_decay * weights       # θ ← θ − η·λ_w·θ
    first, second, update = adam_moments(gradient, first, second, step, learning_rate,
                                         beta_1, beta_2, epsilon)
    return decayed - update, first, second


def decoupled(optimizer):
    """``optimizer`` with its ``weight_decay`` kept off the biases, like the lab's penalties."""
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    return optimizer


def adamw_step_against_keras(model, x, y, learning_rate, weight_decay):
    """One AdamW step on ``(x, y)`` from ``model``'s weights, by hand and by Keras.

    Takes the gradient of the compiled loss with ``tf.GradientTape``, steps ``model`` with
    ``keras.optimizers.AdamW`` (biases excluded from the decay) and a copy of its weights
    with ``adamw_step``. Returns the largest |difference| and the largest |change| of a
    weight, so that an agreement is not a step that moved nothing.
    """
    import keras
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = model.loss(y, model(x, training=True))
    variables = model.trainable_variables
    gradients = [gradient.numpy() for gradient in tape.gradient(loss, variables)]
    before = [variable.numpy().astype("float64") for variable in variables]
    by_hand = [adamw_step(weights, gradient, 0.0, 0.0, 1, learning_rate,
                          0.0 if "bias" in variable.name else weight_decay)[0]
               for weights, gradient, variable in zip(before, gradients, variables)]
    optimizer = decoupled(keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay))
    optimizer.apply_gradients(zip(gradients, variables))
    after = [variable.numpy() for variable in variables]
    difference = max(np.abs(ours - theirs).max() for ours, theirs in zip(by_hand, after))
    change = max(np.abs(theirs - start).max() for theirs, start in zip(after, before))
    return float(difference), float(change)
