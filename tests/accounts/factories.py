import factory
from allauth.account.models import EmailAddress

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from accounts.tenancy import tenant

TEST_PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    email = factory.Sequence(lambda n: f"org{n}@example.test")
    phone = "+233201234567"
    country = "GH"
    currency = "GHS"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with tenant(kwargs["organization"]):
            return super()._create(model_class, *args, **kwargs)
