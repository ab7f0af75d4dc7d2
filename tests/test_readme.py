"""README.md stays true: its test command is what CI runs, and its lab table is complete."""

import re

import labs
from labs.machinery import catalog

README = (labs.REPO / "README.md").read_text(encoding="utf-8")


def bash_blocks():
    return re.findall(r"```bash\n(.*?)```", README, flags=re.S)


def test_readme_has_the_two_setup_commands():
    commands = [block.strip() for block in bash_blocks()]
    assert any(command.endswith("&& python -m labs") for command in commands)
    assert any(command.endswith("&& python -m pytest") for command in commands)


def test_ci_runs_exactly_the_readme_test_command():
    test_command = next(block.strip() for block in bash_blocks()
                        if block.strip().endswith("python -m pytest"))
    install_and_test = test_command.split(" && ", 2)[2]  # After creating and entering the venv.
    ci = (labs.REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()


def test_lab_table_lists_every_lab():
    table_names = re.findall(r"^\| `([a-z_]+)` \|", README, flags=re.M)
    assert set(catalog.names()) <= set(table_names), "add the new lab to README's table"
