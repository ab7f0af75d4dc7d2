"""The class plans, as data: which labs a 50-minute class runs, in which slots, and which of
their prediction questions it puts to the room.

``labs/SESSIONS.md`` is rendered from ``PLANS``; nobody edits it by hand. A plan names each
question by its lab and number only, and the text is read from the lab's prediction cell
when rendering, so a reworded question never goes stale here. Regenerate the file after a
prediction cell, a plan or ``benchmarks/results.md`` changed::

    python -m labs.machinery.sessions --write

(``tests/test_sessions.py`` fails while the file differs from what this renders.) The
session notebooks (``python -m labs --notebooks DIR --session N``) are built from the same
plans by ``labs/machinery/session_notebooks.py``.

A question is read aloud, so ``spoken`` puts in the lab's default value where the cell names
a hyperparameter ("factor `factor`" becomes "factor 0.3") and drops the asides meant for a
student who may have changed it ("(30 in a full run)", "unless you changed it").

Every plan ends with an exit question or a quiz. Their model answers are for the
instructor only: they sit in a hidden block that the student edition leaves out, and appear
only in the instructor's session notebooks (``--instructor``).
"""

import dataclasses
import re

from labs.machinery import classroom

SESSION_MINUTES = 50
SETUP_MINUTES = 2


@dataclasses.dataclass(frozen=True)
class Part:
    """One slot of a plan: ``minutes`` long, what the class does, and the lab it runs (if any)
    with the numbers of the prediction questions put to the room."""

    minutes: int
    activity: str
    lab: str = None
    questions: tuple = ()


@dataclasses.dataclass(frozen=True)
class Plan:
    """One class: its parts in order after the set-up slot, then the closing question."""

    number: int
    title: str
    objectives: str
    parts: tuple
    closing_kind: str          # "Exit question" or "Quiz".
    closing_question: str
    closing_minutes: int
    closing_note: str = ""

    def labs(self):
        return [part.lab for part in self.parts if part.lab]

    def minutes(self):
        return SETUP_MINUTES + sum(part.minutes for part in self.parts) + self.closing_minutes


PLANS = (
    Plan(1, "Feeling the slope (gradient descent, losses, backprop)",
         "Session plan objectives 1–4: the update rule and its stopping checks, choosing a "
         "loss, backprop at a high level.",
         (Part(3, "The night hiker in fog: the slope felt underfoot is the gradient, the stride "
                  "is the learning rate. Write θ ← θ − η·∇J(θ) and the checks ‖∇J‖ < ε, "
                  "\\|ΔJ\\| < δ on the board."),
          Part(11, "Step size by hand: x², the bowl, the non-convex curve, the learning-rate "
                   "table, the stopping checks in NumPy and GradientTape.",
               "gradient_descent", (1, 2)),
          Part(5, "Why a rate blows up: η < 2/λ_max on a quadratic.", "curvature", (1,)),
          Part(3, "Nesterov's look-ahead and the form Keras runs: one algorithm through a "
                  "change of variables.", "nesterov", (1,)),
          Part(10, "The loss functions tour: MSE, BCE and CCE against `keras.losses`; logits "
                   "and probabilities mixed up.", "loss_functions", (1, 2)),
          Part(12, "Backprop is the chain rule: the backward pass gradient-checked, a broken "
                   "one caught, GradientTape doing the same.", "backprop", (1, 2))),
         "Exit question",
         "Which rate would you try first on a new problem, and what would tell you it is too "
         "large?", 4, "Set the exercises of `gradient_descent` and `backprop` as homework."),
    Plan(2, "Making it train (the training loop, early stopping, the learning rate)",
         "Session plan objective 6: a minimal training loop with early stopping and a "
         "learning-rate schedule; its block on learning-rate symptoms, schedules and the "
         "range test.",
         (Part(7, "The whole module in one run: a from-scratch optimizer beside Keras', "
                  "`model.fit` beside the GradientTape loop, early stopping, the diagnostics "
                  "verdict.", "tour", (2,)),
          Part(8, "What `model.fit` does at each step: the same model trained by `fit` and by "
                  "`fit_with_tape`, then the same epoch run eagerly.", "fit_vs_tape", (2,)),
          Part(10, "Early stopping rescues an overfitting run; ReduceLROnPlateau a stalled "
                   "one.", "early_stopping", (1, 2)),
          Part(10, "The learning-rate range test, the rules of thumb for a first rate, and "
                   "training at the suggestion, 10× it and 1/100 of it.", "lr_finder", (1, 3)),
          Part(10, "Schedules: the five curves, then the same model trained with each.",
               "schedules", (1, 4))),
         "Exit question",
         "Your validation loss stopped improving at epoch 12 of 60. Name two callbacks that "
         "act on that, and what each does.", 3),
    Plan(3, "When training goes wrong (reading curves, debugging in pairs)",
         "Session plan objective 5: diagnose common training failures (a bad rate, logits and "
         "probabilities mixed up) and apply fixes; its \"pitfalls and debugging lab (pairs)\".",
         (Part(9, "What a good fit, overfitting, underfitting, divergence and oscillation look "
                  "like, and the verdict `DiagnosticsLogger` gives each.", "diagnostics", (1,)),
          Part(27, "Debugging in pairs: seven broken runs, A to G. Pairs read the curves, "
                   "verdicts and vital signs, write their diagnosis, then reveal the causes "
                   "and run the fixes.", "debugging", (1, 2, 3)),
          Part(8, "Exploding gradients, and clipping by value, norm and global norm.",
               "gradient_clipping", (1, 2))),
         "Quiz",
         "Each pair names one cause whose curves look like another's, and the measurement "
         "that tells them apart.", 4,
         "Next session: the training loop by hand, batch sizes and optimizers (Plan 4)."),
    Plan(4, "From the update rule to the optimizer (the loop by hand, batches, optimizers)",
         "\"Learning Algorithms\": the training loop written out, batch, stochastic and "
         "mini-batch gradient descent, data-parallel batches, and momentum and Adam against "
         "plain gradient descent.",
         (Part(9, "The training loop by hand: a NumPy network's forward pass, backward pass "
                  "and update, beside `model.fit` on the same data.", "training_loop", (1,)),
          Part(7, "XOR, the smallest problem a line cannot solve: the NumPy network of \"The "
                  "Learning Problem\" and its Keras twin.", "xor_keras", (1,)),
          Part(10, "Batch sizes 1, 8, 32, 128: the same epochs, then the same wall-clock "
                   "time.", "minibatch", (1, 2)),
          Part(9, "One batch split over two replicas: why their gradients add up to one "
                  "device's, and what a larger global batch does to the rate.",
               "data_parallel", (3,)),
          Part(10, "Momentum, Nesterov, RMSprop and Adam on Rosenbrock and on a network; the "
                   "two momentum forms when the rate drops.", "optimizers", (1, 3))),
         "Exit question",
         "You double the batch size. What happens to the number of updates per epoch, and "
         "what would you do with the learning rate?", 3,
         "Set the exercises of `minibatch` and `optimizers` as homework."),
    Plan(5, "Networks that train well (activations, initialization, normalization, "
            "regularization)",
         "\"Learning Algorithms\": why a deep network's gradients vanish or explode, the "
         "weight initialization that keeps them in range, normalization layers, and "
         "regularization against overfitting.",
         (Part(10, "Activations and their slopes: the gradient through a deep stack of "
                   "sigmoid, tanh and ReLU, saturation, and dead units.", "activations", (1, 2)),
          Part(11, "Initialization: the activations' spread through 20 layers under Glorot, He "
                   "and too small a normal, and the constant start that never breaks "
                   "symmetry.", "initialization", (1, 2)),
          Part(12, "Batch and layer normalization: training mode against inference mode, "
                   "the learning rates each network survives, and batches of two.",
               "normalization", (2, 3)),
          Part(11, "Regularization on a small training set: L1, L2, dropout and max-norm, "
                   "then L2 against AdamW's decoupled weight decay.", "regularization", (1, 3))),
         "Exit question",
         "A 20-layer ReLU network's training loss has not moved since the first epoch. Name "
         "two causes from today's labs, and the measurement that tells you which it is.", 4),
)

# The closing questions' model answers, by plan number: the instructor's edition only.
MODEL_ANSWERS = {}
# BEGIN HIDDEN
MODEL_ANSWERS.update({
    1: "Start where the method's usual default is safe and still moves: 0.01 to 0.1 for plain "
       "gradient descent on standardized inputs, Adam's 0.001; then try factors of 3 to 10 "
       "either way. A rate is too large when the loss rises or swings from step to step "
       "instead of falling (on a quadratic, once η passes 2/λ_max of the steepest direction), "
       "and too small when the loss falls steadily but hardly moves.",
    2: "EarlyStopping (monitor=\"val_loss\", patience=p) stops training once p epochs pass "
       "without a new best and, with restore_best_weights=True, keeps the weights of the best "
       "epoch (12 here). ReduceLROnPlateau (monitor=\"val_loss\", factor, patience) multiplies "
       "the learning rate by its factor after patience epochs without a new best, down to "
       "min_lr, so training goes on with smaller steps. Used together, the plateau's patience "
       "is the shorter one, so the rate is cut before training stops.",
    3: "Two examples. A rate far too small and a model too small both read UNDERFITTING: a "
       "high training loss that falls slowly. The one-batch test tells them apart: a model "
       "with enough capacity fits one batch when trained on it alone at a good rate. A rate "
       "too large and exploding gradients both read DIVERGING or OSCILLATING: the gradient "
       "norm per layer tells them apart (it grows layer by layer when gradients explode, and "
       "clipping then fixes the run, which a smaller rate alone may not).",
    4: "Half as many updates per epoch, each averaging twice as many samples, so each "
       "gradient is less noisy (its standard deviation falls by about √2). To cover the same "
       "distance per epoch, scale the rate with the batch (η → 2η, the linear scaling rule), "
       "with a warm-up if the larger rate is unstable at the start; and check the validation "
       "accuracy, which large batches can lower.",
    5: "A bad start: weights too small or too large make the activations' standard deviation "
       "shrink or grow layer by layer (measure it layer by layer on one batch; He "
       "initialization keeps it about constant for ReLU). Dead units: a negative bias or a "
       "too large step leaves ReLUs that output 0 on every sample (measure the share of units "
       "that are never active). Saturated units are the same story for sigmoid and tanh. "
       "Batch normalization after each layer repairs the scale of the first.",
})
# END HIDDEN


def plan(number):
    """The plan numbered ``number``.

    Raises:
        ValueError: when there is no such plan.
    """
    for found in PLANS:
        if found.number == number:
            return found
    raise ValueError(f"session must be one of {', '.join(str(p.number) for p in PLANS)}, "
                     f"got {number}")


def slots(a_plan):
    """``(start, end, activity, lab, questions)`` of every slot, set-up first, closing last."""
    setup = ("Set-up: everyone opens the session notebook and runs its setup cell (clone, "
             "install what is missing, import TensorFlow).")
    closing = f"{a_plan.closing_kind}: \"{a_plan.closing_question}\""
    if a_plan.closing_note:
        closing += f" {a_plan.closing_note}"
    rows = [(SETUP_MINUTES, setup, None, ())]
    rows += [(part.minutes, part.activity, part.lab, part.questions) for part in a_plan.parts]
    rows.append((a_plan.closing_minutes, closing, None, ()))
    found, start = [], 0
    for minutes, activity, lab, questions in rows:
        found.append((start, start + minutes, activity, lab, questions))
        start += minutes
    return found


# Asides for a student who reads the cell beside the parameters cell, not for the room.
_UNLESS_CHANGED = re.compile(r",? unless you changed (?:it|`\w+`)")
_POINTER = re.compile(r" \(`(\w+)`\)")
# A backticked name, the word after it ("`epochs` epochs"), and an aside after both.
_NAMED = re.compile(r"`(\w+)`(?P<word> [^\W\d]+)?(?: \((?P<note>[^()`]*)\))?")
_DEFAULT_ASIDE = re.compile(r", [^,()]* by default\)")
_QUALIFIERS = (" by default", " in a full run")


def value_text(value):
    """A default value as it is read aloud: ``0.01``, ``1e-6``, ``−1``, ``[16, 8]``."""
    if isinstance(value, float):
        text = f"{value:g}"
        text = re.sub(r"e([+-])0*(\d)", lambda m: f"e{m.group(1).replace('+', '')}{m.group(2)}",
                      text)
        return text.replace("-", "−") if value < 0 else text
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return f"−{-value}"
    return str(value)


def spoken(question, defaults):
    """``question`` with each backticked hyperparameter of ``defaults`` (name → default)
    replaced by its value, and the asides about changed values dropped."""
    text = _UNLESS_CHANGED.sub("", question)
    text = _POINTER.sub(lambda found: "" if found.group(1) in defaults else found.group(0), text)

    def substitute(found):
        name = found.group(1)
        if name not in defaults:
            return found.group(0)
        value = value_text(defaults[name]) + (found.group("word") or "")
        note = found.group("note")
        if note is None:
            return value
        number = value_text(defaults[name])
        for qualifier in _QUALIFIERS:
            note = note.replace(qualifier, "")
        note = note.strip()
        if note in ("", number):
            return value
        if note.startswith(number + " "):
            note = note[len(number):].strip()
        return f"{value} ({note})"

    text = _NAMED.sub(substitute, text)
    return _DEFAULT_ASIDE.sub(")", text)


def lab_defaults(name):
    """Lab ``name``'s hyperparameters and their defaults (full mode), read from its block."""
    from labs.machinery import notebook_parameters   # Runs the lab's block: imports Keras.

    hyperparameters, _ = notebook_parameters.declarations(name)
    return {key: declaration.default for key, declaration in hyperparameters.items()}


def questions(a_plan, defaults=None):
    """``[(lab, number, spoken question)]`` that ``a_plan`` puts to the room, in order.

    Raises:
        ValueError: when a plan names a question its lab does not have.
    """
    defaults = {} if defaults is None else defaults
    found = []
    for part in a_plan.parts:
        if not part.questions:
            continue
        asked = classroom.predictions(classroom.lab_source(part.lab))
        if part.lab not in defaults:
            defaults[part.lab] = lab_defaults(part.lab)
        for number in part.questions:
            if number not in asked:
                raise ValueError(f"plan {a_plan.number} asks {part.lab} question {number}, "
                                 f"but the lab has only {sorted(asked)}")
            found.append((part.lab, number, spoken(asked[number], defaults[part.lab])))
    return found
