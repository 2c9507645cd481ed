"""The Textual console: every screen generated from entity metadata, every call through the bus.

Nothing in this package is imported by `metasaas` unless the TUI is started, and the
package itself imports core lazily, so the first frame is drawn before the database,
the ORM or the AI layer is loaded.
"""
