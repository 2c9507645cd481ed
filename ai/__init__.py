"""The AI layer (gateway, interpreter, chat): built on the core, never on a surface."""
