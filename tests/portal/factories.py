import factory

from accounts.tenancy import tenant
from portal.models import LandingBlock, LandingPage


class TenantFactory(factory.django.DjangoModelFactory):
    """Creates rows with their organisation active, as the scoped manager requires."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with tenant(kwargs["organization"]):
            return super()._create(model_class, *args, **kwargs)


class LandingPageFactory(TenantFactory):
    class Meta:
        model = LandingPage

    slug = factory.Sequence(lambda n: f"wifi-{n}")
    title = factory.Sequence(lambda n: f"Café Wi-Fi {n}")
    welcome_text = "Welcome! Type your voucher code or buy a package."
    support_phone = "+233201234567"


class LandingBlockFactory(TenantFactory):
    class Meta:
        model = LandingBlock

    page = factory.SubFactory(LandingPageFactory)
    organization = factory.SelfAttribute("page.organization")
    kind = LandingBlock.Kind.TEXT
    text = "Fast Wi-Fi all day."
    position = factory.Sequence(lambda n: n)


def standard_blocks(page, welcome="Welcome to our Wi-Fi."):
    """The blocks a new page gets from the builder: text, voucher box, packages, contact."""
    kinds = [
        (LandingBlock.Kind.TEXT, welcome),
        (LandingBlock.Kind.VOUCHER, ""),
        (LandingBlock.Kind.PACKAGES, ""),
        (LandingBlock.Kind.CONTACT, ""),
    ]
    return [
        LandingBlockFactory(
            page=page, organization=page.organization, kind=kind, text=text, position=i
        )
        for i, (kind, text) in enumerate(kinds)
    ]
