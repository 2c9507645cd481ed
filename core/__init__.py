"""The domain core: contracts, registry, schema, bus, tenancy, audit and events.

Nothing here imports the AI layer or any user interface, so every surface can share it.
"""
