"""The headless command line: shell input to actions on the bus, results back as text."""
