from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from privacy.models import PolicyDocument
from privacy.selectors import policy_current, policy_upcoming, policy_versions


def _paragraphs(body: str) -> list[dict]:
    """Plain-text policy bodies: blank lines separate blocks; bullets start with •."""
    blocks = []
    for raw in body.split("\n\n"):
        text = raw.strip()
        if not text:
            continue
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if all(line.startswith("•") for line in lines):
            blocks.append({"kind": "list", "items": [line.lstrip("• ") for line in lines]})
        elif len(lines) == 1 and len(text) < 80 and not text.endswith("."):
            blocks.append({"kind": "heading", "text": text})
        else:
            blocks.append({"kind": "text", "text": " ".join(lines)})
    return blocks


def policy_document(kind):
    @cache_control(max_age=300, public=True)
    def view(request):
        """The version in force, or an older one with ``?version=`` (what
        someone accepted back then stays readable)."""
        requested = request.GET.get("version")
        if requested:
            document = policy_versions(kind).filter(version=requested).first()
        else:
            document = policy_current(kind)
        if document is None:
            raise Http404
        body = (
            document.body.split("\n", 1)[1]
            if document.body.startswith(document.get_kind_display())
            else document.body
        )
        return render(
            request,
            "privacy/policy_document.html",
            {
                "document": document,
                "blocks": _paragraphs(body),
                "versions": policy_versions(kind),
                "upcoming": policy_upcoming(kind),
                "is_current": document == policy_current(kind),
            },
        )

    view.__name__ = f"policy_{kind}"
    return view


policy_privacy = policy_document(PolicyDocument.Kind.PRIVACY)
policy_terms = policy_document(PolicyDocument.Kind.TERMS)
policy_dpa = policy_document(PolicyDocument.Kind.DPA)
