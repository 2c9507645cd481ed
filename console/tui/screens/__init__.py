"""One module per screen; `console.tui.screen_registry` names the ones other layers add."""
