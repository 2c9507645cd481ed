"""`metasaas completion`: scripts for three shells, and the callback they make."""

from __future__ import annotations

import pytest

from tests.cli.conftest import run_cli


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _metasaas_completion metasaas"),
        ("zsh", "#compdef metasaas"),
        ("fish", "complete --no-files --command metasaas"),
    ],
)
def test_each_shell_gets_a_script_that_calls_back(shell: str, marker: str) -> None:
    result = run_cli("completion", shell)
    assert result.code == 0, result.stderr
    assert marker in result.stdout
    assert f"_METASAAS_COMPLETE={shell}_complete" in result.stdout


def test_an_unknown_shell_is_a_usage_error() -> None:
    assert run_cli("completion", "tcsh").code == 2


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("metasaas list ta", "2", "plain,task"),
        ("metasaas run project.su", "2", "plain,project.summary"),
        ("metasaas transi", "1", "plain,transition\nplain,transitions"),
    ],
)
def test_the_callback_completes_commands_entities_and_actions(
    words: str, cword: str, expected: str
) -> None:
    env = {"_METASAAS_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": cword}
    result = run_cli(env=env)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == expected
