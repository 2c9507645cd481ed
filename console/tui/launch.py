"""Start the TUI from the CLI: the bus is built by the CLI's state, on the TUI's worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.cli.state import CliState


def run_tui(state: CliState) -> None:
    from console.tui.app import MetaSaasApp

    MetaSaasApp(lambda: state.app).run()
