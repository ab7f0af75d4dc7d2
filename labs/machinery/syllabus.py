"""The curriculum's exercises and activities, which the labs' exercises must cover together.

Each key is what an exercise cell writes on its line ``*Syllabus: KEY.*`` (several keys are
separated by ``;``); ``tests/test_classroom.py`` checks that every key here is named by at
least one lab's exercise, and that no exercise names a key that is not here. The chapters
are in ``../shared/seeds/`` ("Learning Algorithms" is 000 and 002, "The Learning Problem"
001, "Gradient Descent" 003, and the class session plan 004).
"""

SYLLABUS = {
    # "Learning Algorithms": the chapter's seven exercises.
    "Learning Algorithms, exercise 1": "gradient checking: central differences against backprop",
    "Learning Algorithms, exercise 2": "a learning-rate finder: exponential sweep, steepest fall",
    "Learning Algorithms, exercise 3": "standard momentum against Nesterov on x² + 100y²",
    "Learning Algorithms, exercise 4": "batch sizes 1, 8, 32, 128 and full: curves, time, accuracy",
    "Learning Algorithms, exercise 5": "early stopping: patience, restoring the best weights",
    "Learning Algorithms, exercise 6": "gradient clipping by value and by norm",
    "Learning Algorithms, exercise 7": "training on XOR and plotting the decision boundary",
    "Learning Algorithms, weight initialization": "the dense layer's W = randn · √(2/n_in), and "
                                                  "why the start must be reasonable",
    # "The Learning Problem": its worked activities.
    "The Learning Problem, loss landscape": "a 2-D loss landscape as a surface and contours",
    "The Learning Problem, loss functions": "MSE, BCE and CCE from scratch on poor and good guesses",
    "The Learning Problem, 1-D gradient descent": "descent on a non-convex curve",
    "The Learning Problem, XOR backpropagation": "a 2-layer network trained on XOR by hand",
    "The Learning Problem, XOR initialization": "the XOR network's W = randn · 0.5 beside "
                                                "Glorot's and He's scales",
    "The Learning Problem, optimizers on Rosenbrock": "momentum, RMSprop and Adam on Rosenbrock",
    "The Learning Problem, learning-rate comparison": "the same problem at five learning rates",
    "The Learning Problem, schedules": "step, exponential, cosine and warm-up + cosine",
    "The Learning Problem, rules of thumb": "a first learning rate for Adam and for SGD",
    # The class session plan: its agenda's activities.
    "Session plan, update rule and stopping": "θ ← θ − η·∇J, ‖∇J‖ < ε or |ΔJ| < δ",
    "Session plan, logits and probabilities": "BCE-with-logits, softmax cross-entropy, mix-ups",
    "Session plan, backprop and autograd": "the chain rule, and GradientTape doing it",
    "Session plan, training loop": "a minimal training loop with early stopping",
    "Session plan, learning-rate symptoms": "reading a bad rate from the curves; schedules",
    "Session plan, debugging in pairs": "diagnosing broken runs from their curves",
    "Session plan, activations": "ReLU, Leaky ReLU, Swish, GELU and their derivatives",
    "Session plan, regularization": "L1, L2, dropout and max-norm constraints",
}
