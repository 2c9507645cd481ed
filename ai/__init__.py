"""The AI layer: natural-language commands turned into plans of bus actions.

The model only maps intent to actions. Every step it proposes runs through the bus as an
`ai_agent` caller with the user's roles, so it never has more power than the user, and
everything here keeps working with no model at all (`ai.offline`). Importing this package
is cheap: litellm is imported only by `ai.gateway`, and only on the model path.
"""
