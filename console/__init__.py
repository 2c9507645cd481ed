"""Surfaces on top of the core: the headless CLI, the REPL and (next) the Textual TUI."""
