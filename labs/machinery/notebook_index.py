"""``OUT_DIR/README.md``: every exported notebook with its "Open in Colab" link.

Colab opens a notebook straight from GitHub at
``https://colab.research.google.com/github/OWNER/REPOSITORY/blob/REF/PATH``. For student
notebooks exported in a student repository, ``REF`` is the commit that holds them (the
export commits them, ``labs/machinery/notebooks.py``), never a branch, so a link opens the
notebook that was exported, and the notebook clones the pinned commit. A pinned student
export into a folder outside the repository gets no links. The instructor's own export
and an unpinned one link to a branch: the branch the export ran on
(``LABS_NOTEBOOKS_BRANCH`` sets another), once the folder is committed and pushed there.
``PATH`` is the folder's place in the repository.
"""

import os
import pathlib
import re
import shutil
import subprocess

import labs
from labs.machinery import catalog

BRANCH_ENV = "LABS_NOTEBOOKS_BRANCH"
COLAB = "https://colab.research.google.com/github"
BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


def github_repository(url):
    """``OWNER/REPOSITORY`` of a GitHub URL (https or ssh), or None for any other host."""
    found = re.search(r"github\.com[/:]([^/]+)/([^/]+?)(?:\.git)?/?$", url)
    return f"{found.group(1)}/{found.group(2)}" if found else None


def branch():
    """The branch the links point at: ``LABS_NOTEBOOKS_BRANCH``, the exporting branch, or main."""
    if os.environ.get(BRANCH_ENV, "").strip():
        return os.environ[BRANCH_ENV].strip()
    if shutil.which("git") is not None:
        found = subprocess.run(["git", "-C", str(labs.REPO), "rev-parse", "--abbrev-ref", "HEAD"],
                               capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip() not in ("", "HEAD"):
            return found.stdout.strip()
    return "main"


def folder_in_repository(folder):
    """The folder's path inside the repository, e.g. ``notebooks``; its name if it lies outside
    (then the links assume it is committed at the repository's root)."""
    folder = pathlib.Path(folder).resolve()
    try:
        return folder.relative_to(labs.REPO).as_posix(), True
    except ValueError:
        return folder.name, False


def write(out_dir, lab_paths, task_paths, url, ref, link_commit=None, pinned=False):
    """Write ``OUT_DIR/README.md`` listing ``lab_paths`` and ``task_paths``. Returns its path.

    Args:
        out_dir: the export folder.
        lab_paths, task_paths: the notebooks written, ``OUT_DIR/NAME.ipynb`` and
            ``OUT_DIR/assignments/TASK.ipynb``.
        url: the repository the setup cell clones.
        ref: the commit or tag it checks out; None for the default branch.
        link_commit: the commit that holds the notebooks; the links open it.
        pinned: student notebooks pinned to ``ref``: without ``link_commit`` they get no
            links rather than links to a branch.
    """
    from labs.machinery.notebook_setup import PLACEHOLDER   # Here: _notebooks imports this module.

    folder = pathlib.Path(out_dir)
    repository = github_repository(url)
    placeholder = PLACEHOLDER in url
    where, inside = folder_in_repository(folder)
    on_branch = branch()
    checkout = f"checks out `{ref}`" if ref else "takes the default branch as it is that day"
    lines = ["# Notebooks", "",
             f"Exported by `python -m labs --notebooks`. Run each notebook's first cell "
             f"first: in Colab it clones {url} and {checkout}, so every student runs the same "
             "code whatever the branch holds later. The parameters cell below the title "
             "holds the lab's hyperparameters: change them there.", ""]
    if placeholder:
        lines += ["**No Colab links yet:** the repository URL is still the placeholder. "
                  "Export again with "
                  "`LABS_REPOSITORY_URL=https://github.com/<you>/<repository>.git "
                  "python -m labs --notebooks DIR`.", ""]
        repository = None
    elif repository is None:
        lines += [f"**No Colab links:** Colab opens notebooks only from GitHub, and {url} is "
                  "not on GitHub. Upload the `.ipynb` files in Colab (File → Upload notebook).",
                  ""]
    elif link_commit:
        lines += [f"The links open `{where}/` at commit `{link_commit}` of "
                  f"https://github.com/{repository}, which holds these notebooks (the export "
                  "committed them, then this index): push the branch, and the links open "
                  "exactly these notebooks whatever the branch holds later.", ""]
    elif pinned:
        lines += [f"**No Colab links:** this folder lies outside the repository, so no commit "
                  "holds these notebooks. Export into a folder inside it (`python -m labs "
                  "--notebooks notebooks`), which commits them, for links to that commit.", ""]
        repository = None
    else:
        lines += [f"The links open `{where}/` on branch `{on_branch}` of "
                  f"https://github.com/{repository}: commit this folder there "
                  f"(`git add -f {where}`) and push it"
                  + (f", with commit `{ref}`." if ref else ".")]
        if not inside:
            lines[-1] += (f" This folder lies outside the repository, so the links assume "
                          f"it sits at the repository's root as `{where}/`.")
        lines.append("")

    def link(relative):
        if repository is None:
            return ""
        path = relative if where == "." else f"{where}/{relative}"   # "." : the root itself.
        target = f"{COLAB}/{repository}/blob/{link_commit or on_branch}/{path}"
        return f"[![Open in Colab]({BADGE})]({target})"

    lines += ["| lab | what it teaches | open |", "|---|---|---|"]
    for path in lab_paths:
        name = pathlib.Path(path).stem
        lines.append(f"| [`{name}`]({name}.ipynb) | {catalog.description(name)} | "
                     f"{link(f'{name}.ipynb')} |")
    if task_paths:
        from assignments import tasks as task_table

        lines += ["", "## Assignments", "", "| task | what you write | open |", "|---|---|---|"]
        for path in task_paths:
            name = pathlib.Path(path).stem
            title = task_table.TASKS[name].title if name in task_table.TASKS else ""
            lines.append(f"| [`{name}`](assignments/{name}.ipynb) | {title} | "
                         f"{link(f'assignments/{name}.ipynb')} |")
    index = folder / "README.md"
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index
