"""What a saved figure draws, for tests that check the picture rather than the file's size.

``record_saved(monkeypatch)`` wraps ``Figure.savefig`` so that a test keeps every figure it
saves (with its path); ``drawn(axes)`` lists what one panel shows.
"""

import matplotlib.figure


def record_saved(monkeypatch):
    """A list that receives (figure, path) for each ``Figure.savefig`` from now on."""
    saved = []
    original = matplotlib.figure.Figure.savefig

    def savefig(figure, path, *args, **kwargs):
        saved.append((figure, path))
        return original(figure, path, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    return saved


def drawn(axes):
    """How many data artists a panel shows: lines with points, images, collections, bars."""
    lines = [line for line in axes.get_lines() if len(line.get_xdata()) > 0]
    return len(lines) + len(axes.images) + len(axes.collections) + len(axes.patches)


def titles(figure):
    """The figure's suptitle and every panel's title that is not empty."""
    texts = [figure.get_suptitle()] + [axes.get_title() for axes in figure.axes]
    return [text for text in texts if text]


def facts(saved):
    """(file name, draws something, has a title) of each figure of ``record_saved``'s list that
    went to a file, not to the in-memory PNG of a display."""
    import os
    import pathlib

    return [(pathlib.Path(path).name, any(drawn(axes) for axes in figure.axes),
             bool(titles(figure)))
            for figure, path in saved if isinstance(path, (str, os.PathLike))]
