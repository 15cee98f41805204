import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """A strong password mixes letters with digits or symbols."""

    def validate(self, password, user=None):
        has_letter = re.search(r"[A-Za-z]", password)
        has_other = re.search(r"[^A-Za-z]", password)
        if not (has_letter and has_other):
            raise ValidationError(
                _("Use letters together with numbers or symbols."), code="password_too_simple"
            )

    def get_help_text(self):
        return _("Your password must mix letters with numbers or symbols.")
