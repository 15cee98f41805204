from privacy.models import PolicyDocument


def policy_current(kind: str) -> PolicyDocument | None:
    """The newest published version of one document kind."""
    return (
        PolicyDocument.objects.filter(kind=kind, published_at__isnull=False)
        .order_by("-last_updated", "-published_at")
        .first()
    )


def policies_current() -> list[PolicyDocument]:
    documents = [policy_current(kind) for kind in PolicyDocument.Kind.values]
    return [document for document in documents if document is not None]
