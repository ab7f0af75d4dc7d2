# ASSIGNMENTS: INSTRUCTOR ONLY
"""Known mistakes in gradient_clipping, early_stopping and lr_finder, modelled in NumPy.

Each entry of ``MISTAKES`` is (name, cause shown to the student, accepted?, model), where
``model(part=..., **options) → Outputs`` gives the numbers that the mistaken code would
give on the same inputs as the check (``assignments.checks.training``). ``HIDDEN`` holds
the hidden checks: the public checks' code on inputs the student has not seen.
"""

import numpy as np

from assignments import checking
from assignments.checks import clipping, lr_finder, stopping, training


# ---------------------------------------------------------------- gradient_clipping

def clipping_model(part, cases, *, always_scale=False, per_tensor_global=False,
                   sum_of_norms=False, no_lower_bound=False, no_root=False):
    """custom.clipping in NumPy, built as the reference is, with the given mistakes."""

    def norm(gradient):
        squares = np.sum(np.square(gradient))
        return squares if no_root else np.sqrt(squares)

    def global_norm(gradients):
        present = [gradient for gradient in gradients if gradient is not None]
        if sum_of_norms:
            return sum(np.sqrt(np.sum(np.square(gradient))) for gradient in present)
        return np.sqrt(sum(np.sum(np.square(gradient)) for gradient in present))

    def clip_by_value(gradients, limit):
        lower = -np.inf if no_lower_bound else -limit
        return [None if g is None else np.minimum(np.maximum(g, lower), limit) for g in gradients]

    def clip_by_norm(gradients, limit):
        return [None if g is None
                else g * limit / (norm(g) if always_scale else max(norm(g), limit))
                for g in gradients]

    def clip_by_global_norm(gradients, limit):
        if per_tensor_global:   # Each tensor scaled by its own norm.
            return [None if g is None else g * limit / max(np.sqrt(np.sum(np.square(g))), limit)
                    for g in gradients]
        total = global_norm(gradients)
        scale = limit / max(total, limit) if np.isfinite(total) else np.nan
        return [None if g is None else g * scale for g in gradients]

    functions = {"norm": norm, "global_norm": global_norm, "clip_by_value": clip_by_value,
                 "clip_by_norm": clip_by_norm, "clip_by_global_norm": clip_by_global_norm}
    per_case = []
    for case in cases:
        as_numpy = ("numpy", *case[1:])
        with np.errstate(invalid="ignore", divide="ignore"):   # inf / inf in an overflow case
            if part != "clipping_traced":
                per_case.append(clipping.clipping_results(functions, part, as_numpy))
                continue
            gradients, arrays = clipping.gradients_of(as_numpy), {}
            for name in clipping.CLIPPERS:
                clipped = functions[name](gradients, case[2])
                arrays.update(clipping.gradient_slots(f"{name}: ", clipped))
        per_case.append(arrays)
    return checking.stack_cases(per_case)


# ---------------------------------------------------------------- early_stopping

def scripted_stopping(case, *, late=False, no_reset=False, versus_last=False,
                      ignore_delta=False, keep_last=False):
    """Keras' early-stopping rule on one scripted run, with the given mistakes."""
    values, arguments, external_stop = case
    arguments = dict(arguments)
    patience = arguments.get("patience", 0)
    delta = 0.0 if ignore_delta else arguments.get("min_delta", 0.0)
    baseline = arguments.get("baseline")
    restore = arguments.get("restore_best_weights", False)
    sign = -1.0 if arguments.get("mode") == "max" else 1.0   # The cases monitor val_loss.

    def improved(current, reference):
        return reference is None or sign * current + delta < sign * reference

    best = previous = best_weights = None
    wait = stopped_epoch = best_epoch = 0
    stopped_at, weight = -1, 0.0
    for epoch, value in enumerate(values):
        weight, stop = float(epoch), False
        if epoch >= arguments.get("start_from_epoch", 0):
            if restore and best_weights is None:
                best_weights, best_epoch = weight, epoch
            wait += 1
            if improved(value, previous if versus_last else best):
                best, best_epoch = value, epoch
                best_weights = weight if restore else best_weights
                if (baseline is None or improved(value, baseline)) and not no_reset:
                    wait = 0
            elif wait >= patience + (1 if late else 0) and epoch > 0:
                stopped_epoch, stop = epoch, True
            if keep_last and restore:
                best_weights = weight
            previous = value
        if stop or epoch == external_stop:
            stopped_at = epoch
            break
    if restore and best_weights is not None:
        weight = best_weights
    return dict(zip(stopping.STOPPING_RESULTS, (stopped_at, stopped_epoch, best_epoch, weight)))


def stopping_model(part, cases, **mistakes):
    return checking.stack_cases([scripted_stopping(case, **mistakes) for case in cases])


# ---------------------------------------------------------------- lr_finder

def lr_model(part, *, linear=False, exponent_over_steps=False, no_correction=False,
             beta_on_new=False, corrected_fed_back=False, **options):
    """The sweep and the smoothing of LRFinder in NumPy, with the given mistakes."""

    def sweep(start, end, steps):
        i = np.arange(steps)
        if linear:
            return start + (end - start) * i / (steps - 1)
        return start * (end / start) ** (i / (steps if exponent_over_steps else steps - 1))

    def smooth(losses, beta):
        average, smoothed = 0.0, []
        for i, loss in enumerate(losses):
            if beta_on_new:
                average = (1 - beta) * average + beta * loss
            else:
                average = beta * average + (1 - beta) * loss
            value = average if no_correction else average / (1 - beta ** (i + 1))
            if corrected_fed_back:
                average = value
            smoothed.append(value)
        return np.array(smoothed)

    if part == "lr_sweep":
        return checking.outputs(
            {lr_finder.sweep_name(*sweep_): sweep(*sweep_) for sweep_ in options["sweeps"]}, "step")
    if part == "lr_smoothing":
        arrays = {}
        for beta, steps, seed in options["runs"]:
            smoothed = smooth(lr_finder.scripted_losses(steps, seed), beta)
            recorded = lr_finder.divergence_stop(smoothed, 1e12)
            arrays[f"smoothed loss, β = {beta:g}, losses of seed {seed}"] = lr_finder.padded(
                smoothed[:recorded], steps)
        return checking.outputs(arrays, "step")
    start, end, steps, seed = options["sweep"]
    smoothed = smooth(lr_finder.scripted_losses(steps, seed, diverge=True), 0.98)
    recorded = lr_finder.divergence_stop(smoothed, 4.0)
    return checking.outputs(
        {"η_i": lr_finder.padded(sweep(start, end, steps)[:recorded], steps),
         "smoothed loss": lr_finder.padded(smoothed[:recorded], steps)}, "step")


def _entries(model, table):
    """(name, cause, accepted, model) rows; a model takes the check's options, as its run does."""
    return [(name, cause, False, (lambda k=kwargs, **options: model(**options, **k)))
            for name, cause, kwargs in table]


MISTAKES = {
    "gradient_clipping": _entries(clipping_model, [
        ("clip_by_norm always scales", "g · c / ‖g‖ also rescales a gradient inside the limit; "
         "divide by max(‖g‖, c), so that the factor is 1 when ‖g‖ ≤ c", {"always_scale": True}),
        ("the global norm computed per tensor", "clip_by_global_norm scales every gradient by "
         "one factor c / max(‖G‖, c) with ‖G‖ = √(Σ_i ‖g_i‖²); each tensor's own norm is "
         "clip_by_norm", {"per_tensor_global": True}),
        ("the sum of the norms", "‖G‖ is the root of the sum of squares √(Σ_i ‖g_i‖²), not the "
         "sum of the norms Σ_i ‖g_i‖", {"sum_of_norms": True}),
        ("clip_by_value without the lower bound", "cut the negative elements at −c too: "
         "min(max(g, −c), c)", {"no_lower_bound": True}),
        ("the norm without its square root", "‖g‖ = √(Σ g²): take the square root of the sum "
         "of squares", {"no_root": True}),
    ]),
    "early_stopping": _entries(stopping_model, [
        ("patience off by one", "training stops one epoch late: stop as soon as wait ≥ "
         "patience, counting the epoch that has just failed to improve", {"late": True}),
        ("the wait never reset", "set wait back to 0 when an epoch improves on the best (and "
         "beats the baseline, if there is one)", {"no_reset": True}),
        ("compared with the last value", "an epoch improves when it beats the best value so "
         "far, not the previous epoch's value", {"versus_last": True}),
        ("min_delta ignored", "an improvement must beat the best by more than min_delta: "
         "use is_improvement(current, best), not a bare < or >", {"ignore_delta": True}),
        ("restoring the last weights", "keep the weights only when an epoch improves on the "
         "best; the weights put back are the best epoch's, not the last one's",
         {"keep_last": True}),
    ]),
    "lr_finder": _entries(lr_model, [
        ("a linear sweep", "the rate must grow by the same factor at every step, "
         "η_i = start·(end/start)^(i/(steps−1)), not by the same amount", {"linear": True}),
        ("the exponent i/steps", "with i/steps the last rate falls short of end; divide by "
         "steps − 1, so that η_(steps−1) = end", {"exponent_over_steps": True}),
        ("smoothing without bias correction", "divide a_i by (1 − β^(i+1)): the average starts "
         "at 0, so the first smoothed losses come out far too small", {"no_correction": True}),
        ("β on the new value", "β weighs the old average and 1 − β the new loss: "
         "a_i = β·a_(i−1) + (1−β)·L_i", {"beta_on_new": True}),
        ("the corrected value fed back", "keep the uncorrected a_i in self._average; the "
         "correction divides only the value that is recorded", {"corrected_fed_back": True}),
    ]),
}

HIDDEN = {
    "gradient_clipping": (
        training.check("hidden: clip_by_global_norm on other gradients", 2,
                       "clip_by_global_norm", cases=(
                           clipping.clipping_case("numpy", 3.0, 5.0, 10),
                           clipping.clipping_case("tensor", 0.5, 0.25, 11),
                           clipping.clipping_case("numpy", 0.01, 0.5, 12))),
        training.check("hidden: clip_by_norm on other gradients", 1, "clip_by_norm", cases=(
            clipping.clipping_case("tensor", 2.0, 4.0, 13),
            clipping.clipping_case("numpy", 0.5, 0.75, 14))),
    ),
    "early_stopping": (
        training.check("hidden: 30 random scripted runs", 3, "stopping_random",
                       cases=stopping.random_stopping_cases(30, seed=12)),
    ),
    "lr_finder": (
        training.check("hidden: other sweeps", 1, "lr_sweep",
                       sweeps=((1e-4, 1.0, 50), (2e-6, 3.0, 33))),
        training.check("hidden: other β and losses", 2, "lr_smoothing",
                       runs=((0.95, 40, 7), (0.7, 12, 8))),
    ),
}
