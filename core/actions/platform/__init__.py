"""The platform's own actions, registered beside the entities' by `bootstrap()`."""

from __future__ import annotations

from core.actions.platform.accounts import ACCOUNT_ACTIONS
from core.actions.platform.ai_usage import AI_USAGE_ACTIONS
from core.actions.platform.audit import AUDIT_ACTIONS
from core.actions.platform.chat import CHAT_ACTIONS
from core.actions.platform.reveal import REVEAL_ACTIONS
from core.actions.platform.sign_in import SIGN_IN_ACTIONS
from core.model.platform import PlatformAction

PLATFORM_ACTIONS: tuple[PlatformAction, ...] = (
    *AUDIT_ACTIONS,
    *AI_USAGE_ACTIONS,
    *CHAT_ACTIONS,
    *REVEAL_ACTIONS,
    *ACCOUNT_ACTIONS,
    *SIGN_IN_ACTIONS,
)
