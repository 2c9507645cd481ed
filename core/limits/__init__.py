"""Rate limits: per caller, per tenant, and per caller for AI commands.

`rates` parses the settings, `counters` and `redis_counters` are the two shared counter
stores, `limiter` decides and audits, `middleware` puts it on the bus.
"""
