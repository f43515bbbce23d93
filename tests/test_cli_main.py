"""The console script's shell: help, info, every registered command importable."""

import importlib
import subprocess
import sys

from verhalen.cli.main import COMMANDS, build_parser, main


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "OPDRACHT" in capsys.readouterr().out


def test_every_command_has_a_module():
    for name, (module, _) in COMMANDS.items():
        mod = importlib.import_module(f"verhalen.cli.{module}")
        assert callable(mod.add_arguments) and callable(mod.run), name
    build_parser()


def test_info_runs_as_console_script():
    out = subprocess.run([sys.executable, "-m", "verhalen.cli.main", "info"], capture_output=True,
                         text=True, check=True).stdout
    assert "NLP-pijplijn:" in out and "Embedder:" in out


def test_importing_deduce_leaves_logging_alone():
    # in a fresh interpreter: deduce calls logging.basicConfig(DEBUG) on its first import
    import subprocess
    import sys

    code = ("import logging; from verhalen.extern import import_deduce; import_deduce(); "
            "r = logging.getLogger(); print(r.level, len(r.handlers))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["30", "0"]
