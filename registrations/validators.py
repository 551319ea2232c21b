import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters except tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def validate_no_control_characters(value):
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError(
            _("Please remove the invisible control characters from this text."),
            code="control_characters",
        )
