"""Early stopping from scratch: stop when the monitored metric has not improved for a while.

"Learning Algorithms", exercise 5: "monitor validation loss; stop training if val loss
doesn't improve for N epochs (patience); restore the weights from the best epoch."
The class session plan names Keras'
``EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)``.

The rule, at the end of each epoch t >= start_from_epoch, with ``wait`` counting the epochs
since the last improvement:

    wait ← wait + 1
    if improved(current, best):                best ← current;  remember θ_t
        if improved(current, baseline) or no baseline:  wait ← 0
    elif wait >= patience and t > 0:            stop training

and at the end of training the weights of the best epoch are put back (with
``restore_best_weights``), whoever stopped the training: this callback, another one, or
simply the last epoch. This is the rule of Keras 3.15's ``keras.callbacks.EarlyStopping``;
``tests/test_early_stopping.py`` drives both with the same scripted metrics.
"""

from callbacks import monitor as monitor_module
from custom import arguments


class EarlyStopping(monitor_module.MonitorCallback):
    """Stop training when ``monitor`` has stopped improving; optionally restore the best weights.

    Args:
        monitor: the metric to watch. Default "val_loss". With mode "auto", a name
            whose direction cannot be told (e.g. a typo) raises ValueError at the end
            of the first epoch.
        min_delta: an improvement must beat the best by more than this, >= 0. Default 0.
        patience: epochs without improvement before stopping, an integer >= 0. Default 0.
        verbose: 1 reports when it stops and restores, 0 is silent. Default 0. The
            messages go to the screen, or to Python logging when Keras' interactive
            logging is off, as Keras' own callback's do.
        mode: "auto", "min" or "max" (see ``callbacks.monitor``). Default "auto".
        baseline: a value the metric must beat before ``wait`` is reset; None for no
            baseline. With a baseline, training stops after ``patience`` epochs unless
            some epoch beats it. Default None.
        restore_best_weights: put back the weights of the best epoch at the end of
            training. Default False.
        start_from_epoch: epochs of warm-up that are not monitored, an integer >= 0.
            Default 0.

    Attributes (after training): ``stopped_epoch`` (0-based; 0 if it never stopped),
    ``best``, ``best_epoch`` (0-based) and ``wait``.

    Example:
        >>> stopper = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
        >>> model.fit(x, y, validation_data=(x_val, y_val), epochs=100, callbacks=[stopper])
        >>> stopper.best_epoch + 1   # the epoch whose weights the model now has
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor=monitor, mode=mode, min_delta=min_delta)
        self.patience = arguments.number("patience", patience, minimum=0, integer=True)
        self.verbose = arguments.number("verbose", verbose, minimum=0, integer=True)
        self.baseline = None if baseline is None else arguments.number("baseline", baseline)
        self.restore_best_weights = arguments.boolean("restore_best_weights",
                                                      restore_best_weights)
        self.start_from_epoch = arguments.number(
            "start_from_epoch", start_from_epoch, minimum=0, integer=True)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        current = self.monitored_value(logs)
        # TODO: the module docstring's rule: wait, best, best_epoch, best_weights, stopped_epoch.
        # BEGIN SOLUTION early_stopping
        if current is None or epoch < self.start_from_epoch:
            return  # No value to judge, or still warming up.
        if self.restore_best_weights and self.best_weights is None:
            # Until some epoch improves, the first monitored epoch is the best one.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self.is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # The wait restarts only when the baseline, if any, is beaten too.
            if self.baseline is None or self.is_improvement(current, self.baseline):
                self.wait = 0   # wait ← 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
        # END SOLUTION

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            self.print_message(f"Epoch {self.stopped_epoch + 1}: early stopping")
        # TODO: with restore_best_weights, put back the weights of the best epoch (if any).
        # BEGIN SOLUTION early_stopping
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                self.print_message(f"Restoring model weights from the end of the best epoch: "
                                   f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
        # END SOLUTION

    def get_config(self):
        return {"monitor": self.monitor, "min_delta": self.min_delta, "patience": self.patience,
                "verbose": self.verbose, "mode": self.mode, "baseline": self.baseline,
                "restore_best_weights": self.restore_best_weights,
                "start_from_epoch": self.start_from_epoch}
