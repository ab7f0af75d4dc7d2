# ASSIGNMENTS: INSTRUCTOR ONLY (it compares the twins with the tasks' reference code)
"""Each task's trusted twin in the labs (labs/machinery/twins.py) against the task's reference code.

In this (the instructor's) edition every task is written, so the reference is at hand:
a test marks tasks unwritten and compares what a lab would then get with the reference,
to explicit tolerances. How a task's state is read from the stubs is tested here too.
"""

import numpy as np
import pytest

import callbacks
import custom.optimizers
import custom.schedules
from assignments import editions, markers
from custom import clipping, gradient_check, losses, numpy_net, numpy_training
from labs.machinery import twins


@pytest.fixture
def unwritten(monkeypatch):
    """Call with task names: the labs then see those tasks as unwritten."""
    def mark(*tasks, state="unwritten"):
        twins.reset()
        monkeypatch.setattr(twins, "_states", {"read": True, **{task: state for task in tasks}})
    yield mark
    twins.reset()


def test_states_are_read_from_the_stubs_and_follow_a_rewritten_file(tmp_path):
    (tmp_path / "custom").mkdir()
    (tmp_path / "labs").mkdir()
    adam = tmp_path / "custom" / "adam.py"
    adam.write_text("def step():\n    raise NotImplementedError('TODO adam: the step (x.py:2)')\n")
    (tmp_path / "labs" / "helper.py").write_text(
        "def loss():\n" + markers.held_stub_line("losses", "y.py", "    ") +
        "TEXT = 'raise NotImplementedError(\"TODO rmsprop: a string, not a stub\")'\n")
    assert editions.stub_states(tmp_path) == {"adam": "unwritten", "losses": "held"}
    assert editions.state("rmsprop", tmp_path) == "written"
    adam.write_text("def step():\n    return 1.0   # the student's code\n")
    assert editions.state("adam", tmp_path) == "written"


def test_the_release_stubs_are_what_the_states_read():
    region = markers.Region("custom/losses.py", "losses", 3, 9, "    ", "the mean loss")
    assert markers.stub_states(region.stub(3)) == {"losses": "unwritten"}
    assert markers.stub_states(region.held_stub()) == {"losses": "held"}
    assert "TODO" not in region.held_stub()


def test_in_this_edition_every_task_is_written():
    assert editions.stub_states() == {}
    assert all(twins.written(task) for task in ("adam", "schedules", "losses", "lr_finder"))


def test_a_twin_is_announced_once_per_lab_with_the_tasks_state(unwritten, capsys):
    unwritten("adam")
    for _ in range(3):
        twins.optimizer("adam", learning_rate=0.1)
    assert capsys.readouterr().out == "adam: using keras.optimizers.Adam until the task is written\n"
    unwritten("schedules", state="held")
    assert not twins.available("schedules", "the plot")
    assert capsys.readouterr().out == ("schedules: the plot is skipped (it needs the task's code, "
                                       "which is not part of this edition)\n")


def steps_of(optimizer, steps=6):
    """The weights after each of ``steps`` steps on f(w) = Σ w², from (1, −2)."""
    import keras

    variable = keras.Variable(np.array([1.0, -2.0], dtype="float32"))
    path = []
    for _ in range(steps):
        optimizer.apply([2.0 * variable.value], [variable])   # ∇Σw² = 2w
        path.append(np.array(variable.numpy()))
    return np.array(path)


@pytest.mark.parametrize("name, kwargs", [
    ("momentum", {"learning_rate": 0.1, "momentum": 0.8}),
    ("nesterov", {"learning_rate": 0.1, "momentum": 0.8}),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.8, "nesterov": True}),
    ("rmsprop", {"learning_rate": 0.05, "rho": 0.8}),
    ("adam", {"learning_rate": 0.05, "beta_1": 0.8}),
    ("ema_momentum", {"learning_rate": 0.5, "momentum": 0.8}),
])
def test_optimizer_twins_take_the_references_steps(unwritten, name, kwargs):
    reference = steps_of(custom.optimizers.get(name, **kwargs))
    unwritten(twins.optimizer_task(name, **kwargs))
    twin = twins.optimizer(name, **kwargs)
    assert type(twin).__module__.startswith("keras")
    np.testing.assert_allclose(steps_of(twin), reference, rtol=1e-5, atol=1e-6)


def test_optimizers_without_a_twin_are_refused_while_unwritten(unwritten):
    import keras

    unwritten("ema_momentum", "adam")
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    with pytest.raises(ValueError, match="EMA momentum under a schedule has no Keras twin"):
        twins.optimizer("ema_momentum", learning_rate=schedule)
    with pytest.raises(ValueError, match="textbook_epsilon=True has no Keras twin"):
        twins.optimizer("adam", learning_rate=0.1, textbook_epsilon=True)
    assert isinstance(twins.optimizer("sgd", learning_rate=0.1), custom.optimizers.SGD)


@pytest.mark.parametrize("class_name, args, kwargs", [
    ("StepDecay", (0.1, 0.5, 5), {}),
    ("ExponentialDecay", (0.1, 0.05), {}),
    ("CosineAnnealing", (0.1, 20), {"final_learning_rate": 0.01}),
    ("WarmupCosine", (0.1, 4, 20), {"final_learning_rate": 0.001}),
    ("WarmupCosine", (0.1, 2, 10), {"steps_per_epoch": 3}),
])
def test_schedule_twins_give_the_references_rates(unwritten, class_name, args, kwargs):
    reference = getattr(custom.schedules, class_name)(*args, **kwargs)
    unwritten("schedules")
    twin = twins.schedule(class_name, *args, **kwargs)
    assert isinstance(twin, type(reference)) and type(twin) is not type(reference)
    steps = np.arange(40)
    expected = custom.schedules.sample(reference, steps)
    np.testing.assert_allclose(custom.schedules.sample(twin, steps), expected, rtol=1e-5,
                               atol=1e-8)
    np.testing.assert_allclose([float(twin(step)) for step in (0, 7, 39)], expected[[0, 7, 39]],
                               rtol=1e-5, atol=1e-8)


def test_loss_twins_give_the_references_losses_and_refuse_what_it_refuses(unwritten):
    rng = np.random.default_rng(0)
    labels = np.eye(4)[rng.integers(0, 4, 16)]                        # (16, 4) one-hot
    logits = rng.normal(size=(16, 4))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    binary, binary_logits = rng.integers(0, 2, (16, 1)).astype(float), rng.normal(size=(16, 1))
    cases = [("mean_squared_error", (labels, probabilities), {}),
             ("categorical_crossentropy", (labels, probabilities), {}),
             ("categorical_crossentropy", (labels, logits), {"from_logits": True}),
             ("binary_crossentropy", (binary, 1 / (1 + np.exp(-binary_logits))), {}),
             ("binary_crossentropy", (binary, binary_logits), {"from_logits": True})]
    unwritten("losses")
    twin = twins.losses()
    assert twin is not losses and twin.KERAS_EPSILON == losses.KERAS_EPSILON
    for name, arguments, kwargs in cases:
        expected = getattr(losses, name)(*arguments, **kwargs)
        assert getattr(twin, name)(*arguments, **kwargs) == pytest.approx(expected, rel=1e-6)
    with pytest.raises(ValueError, match="must be probabilities in"):
        twin.categorical_crossentropy(labels, logits)
    with pytest.raises(ValueError, match="same shape"):
        twin.mean_squared_error(labels, probabilities[:, :3])


@pytest.mark.parametrize("sizes, output, activation", [
    ([4, 16, 8, 3], "softmax", "relu"), ([2, 3, 1], "sigmoid", "tanh"),
    ([3, 5, 1], "linear", "sigmoid")])
def test_the_network_twin_has_the_references_loss_and_gradients(unwritten, sizes, output,
                                                                activation):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(10, sizes[0]))
    y = (rng.integers(0, sizes[-1], 10) if output == "softmax"
         else rng.integers(0, 2, 10).astype(float))
    reference = numpy_net.Network(sizes, output=output, hidden_activation=activation, seed=3)
    expected_loss = reference.loss(x, y)
    expected = reference.backward(y)
    unwritten("backprop", "losses")
    twin = twins.network(sizes, output=output, hidden_activation=activation, seed=3)
    assert twin.loss(x, y) == pytest.approx(expected_loss, rel=1e-12)
    for got, want in zip(twin.backward(y), expected):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    # One epoch of the NumPy loop ends at the same weights.
    numpy_training.train_epoch(reference, x, y, 4, 0.1, seed=0)
    numpy_training.train_epoch(twin, x, y, 4, 0.1, seed=0)
    for got, want in zip(twin.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_the_gradient_check_twin_passes_the_right_backward_and_fails_the_broken_one(unwritten):
    rng = np.random.default_rng(2)
    x, labels = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    network = numpy_net.Network([4, 16, 8, 3], output="softmax", seed=0)
    reference = gradient_check.check_network(network, x, labels)
    broken = gradient_check.check_network(
        network, x, labels, backward=gradient_check.backward_without_relu_derivative)
    unwritten("gradient_check")
    twin = twins.check_network(network, x, labels)
    twin_broken = twins.check_network(
        network, x, labels, backward=gradient_check.backward_without_relu_derivative)
    assert reference.passed and twin.passed and not broken.passed and not twin_broken.passed
    assert twin.names == reference.names
    assert max(twin.errors) < 1e-9     # Exact gradients: float64 round-off only.
    np.testing.assert_allclose(twin_broken.errors, broken.errors, rtol=1e-3, atol=1e-9)


def test_clipping_twins_clip_as_the_reference_does(unwritten):
    rng = np.random.default_rng(3)
    gradients = [rng.normal(size=(4, 3)) * 5, rng.normal(size=(3,)), None]
    unwritten("gradient_clipping")
    twin = twins.clipping()
    assert twin is not clipping
    for name, threshold in (("clip_by_value", 1.0), ("clip_by_norm", 2.0),
                            ("clip_by_global_norm", 3.0)):
        for got, want in zip(getattr(twin, name)(gradients, threshold),
                             getattr(clipping, name)(gradients, threshold)):
            assert (got is None) == (want is None)
            if want is not None:
                assert isinstance(got, np.ndarray)
                np.testing.assert_allclose(got, want, rtol=1e-12)
    present = gradients[:2]
    assert twin.global_norm(present) == pytest.approx(clipping.global_norm(present), rel=1e-12)
    assert twin.norm(present[0]) == pytest.approx(clipping.norm(present[0]), rel=1e-12)
    for got, want in zip(twin.clip_gradients(present, global_clipnorm=1.0),
                         clipping.clip_gradients(present, global_clipnorm=1.0)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    with pytest.raises(ValueError, match="exactly one"):
        twin.clip_gradients(present)


def test_the_early_stopping_twin_stops_and_restores_as_ours_does(unwritten):
    import keras

    val_losses = [1.0, 0.8, 0.7, 0.72, 0.69, 0.75, 0.76, 0.8, 0.9]

    def drive(stopper_class):
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        stopper = stopper_class(monitor="val_loss", patience=2, restore_best_weights=True)
        stopper.set_model(model)
        stopper.on_train_begin()
        logged = []
        for epoch, value in enumerate(val_losses):
            model.layers[0].bias.assign([float(epoch)])      # Each epoch's weights differ.
            logs = {"val_loss": value}
            stopper.on_epoch_end(epoch, logs)
            logged.append(logs)
            if model.stop_training:
                break
        stopper.on_train_end()
        return stopper, float(model.layers[0].bias.numpy()[0]), logged

    ours, our_bias, _ = drive(callbacks.EarlyStopping)
    unwritten("early_stopping")
    twin_class = twins.early_stopping_class()
    assert issubclass(twin_class, keras.callbacks.EarlyStopping)
    twin, twin_bias, logged = drive(twin_class)
    assert (twin.stopped_epoch, twin.best_epoch) == (ours.stopped_epoch, ours.best_epoch) == (6, 4)
    assert twin_bias == our_bias == 4.0
    assert all("learning_rate" in logs for logs in logged)


def test_end_lab_without_ends_the_lab_with_status_0_only_when_the_task_is_missing(unwritten,
                                                                                 capsys):
    class FakeLab:
        finished = False

        def finish(self):
            self.finished = True

    lab = FakeLab()
    twins.end_lab_without(lab, "lr_finder", "the range test")
    assert not lab.finished
    unwritten("lr_finder")
    with pytest.raises(SystemExit) as stopped:
        twins.end_lab_without(lab, "lr_finder", "the range test")
    assert stopped.value.code == 0 and lab.finished
    assert "lr_finder: the range test is skipped until the task is written" in capsys.readouterr().out
