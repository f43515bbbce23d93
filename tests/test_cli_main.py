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
