from django import forms
from django.utils.translation import gettext_lazy as _

from support.attachments import ALLOWED_EXTENSIONS
from support.models import Ticket


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


ATTACHMENT_HELP = _("Up to 5 files of at most 5 MB: %(types)s.") % {
    "types": ", ".join(ALLOWED_EXTENSIONS)
}


class TicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=160)
    category = forms.ChoiceField(label=_("Category"), choices=Ticket.Category.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Ticket.Priority.choices, initial=Ticket.Priority.NORMAL
    )
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENT_HELP)
    attachments.widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENT_HELP)
    attachments.widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)


class StaffReplyForm(forms.Form):
    """The reply box on the admin ticket page."""

    reply = forms.CharField(
        label=_("Reply"), required=False, widget=forms.Textarea(attrs={"rows": 6, "cols": 80})
    )
    is_internal = forms.BooleanField(
        label=_("Internal note (not shown to or emailed to the operator)"), required=False
    )
    reply_attachments = MultipleFileField(label=_("Attachments"), help_text=ATTACHMENT_HELP)
