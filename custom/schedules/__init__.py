"""Learning-rate schedules as ``keras.optimizers.schedules.LearningRateSchedule`` subclasses.

Pass one to any optimizer as its ``learning_rate``; Keras calls it with
``optimizer.iterations`` before every step.

    StepDecay(0.1, drop=0.5, steps_per_drop=20)        η₀·drop^⌊t/steps_per_drop⌋
    ExponentialDecay(0.1, decay_rate=0.05)             η₀·e^(−k·t)
    CosineAnnealing(0.1, decay_steps=100)              η_f + (η₀ − η_f)·(1 + cos(πt/T))/2
    WarmupCosine(0.1, warmup_steps=10, total_steps=100)  linear warm-up, then cosine
    OneCycle(0.1, total_steps=100)                     Smith's 1cycle

Defaults are those of "The Learning Problem" ("Learning Rate Schedules"). Each schedule takes
``steps_per_epoch`` to count epochs instead of steps; ``per_epoch_callback`` is the
other way to go per epoch, and ``sample`` reads a schedule out for plotting.
"""

from custom.schedules.cosine_annealing import CosineAnnealing
from custom.schedules.exponential_decay import ExponentialDecay
from custom.schedules.one_cycle import OneCycle
from custom.schedules.sampling import per_epoch_callback, sample
from custom.schedules.step_decay import StepDecay
from custom.schedules.warmup_cosine import WarmupCosine

__all__ = ["CosineAnnealing", "ExponentialDecay", "OneCycle", "StepDecay", "WarmupCosine",
           "per_epoch_callback", "sample"]
