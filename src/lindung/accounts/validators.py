"""A password validator for what Django's four miss: `aaaaaaaaaaaa`, `abcabcabcabc`, `abcdefghij`.

Django's validators check length, a list of common passwords, all digits and likeness to the
username; a long run of one key or a keyboard-free sequence passes all four. Listed in
`settings.AUTH_PASSWORD_VALIDATORS`, so every path that sets a password applies it: the Users
pages and `lindung createuser` (through `services`), one's own password change (Django's form),
`lindung setup` and `lindung demo`.
"""

from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _repeats_a_block(password: str) -> bool:
    """`abcabcabca`: the whole password is a shorter block written again and again."""
    length = len(password)
    return any(
        password == (password[:size] * (length // size + 1))[:length]
        for size in range(1, length // 2 + 1)
    )


def _is_a_sequence(password: str) -> bool:
    """`abcdefghij`, `9876543210`: each character one after (or before) the previous one."""
    steps = {ord(b) - ord(a) for a, b in pairwise(password)}
    return steps in ({1}, {-1})


class VariedCharactersValidator:
    def __init__(self, min_distinct: int = 5) -> None:
        self.min_distinct = min_distinct

    def validate(self, password: str, user: Any = None) -> None:
        folded = password.casefold()
        if (
            len(set(folded)) < self.min_distinct
            or _repeats_a_block(folded)
            or _is_a_sequence(folded)
        ):
            raise ValidationError(
                _(
                    "This password is too easy to guess: its characters repeat or run in order."
                    " Use at least %(min_distinct)d different characters, for example a few"
                    " unrelated words."
                ),
                code="password_too_uniform",
                params={"min_distinct": self.min_distinct},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must contain at least %(min_distinct)d different characters and"
            " must not be a repeated or ordered run of characters."
        ) % {"min_distinct": self.min_distinct}
