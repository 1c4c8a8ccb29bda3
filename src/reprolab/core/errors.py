"""The one exception type for mistakes a user can fix.

A `UserError` (bad input, bad settings, missing data or models) is printed by the CLI as one red
line and exit code 1. Every other exception is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Input, settings or files a user can fix; the message says what to do, in one line."""
