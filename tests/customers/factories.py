import factory

from customers.models import Customer, CustomerDevice, CustomerEvent, Tag
from tests.accounts.factories import OrganizationFactory


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    # Valid Ghanaian mobile numbers, unique per sequence.
    phone = factory.Sequence(lambda n: f"+23324{n:07d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.test")
    customer_type = Customer.Type.HOTSPOT
    status = Customer.Status.ACTIVE

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.add(*extracted)


class CustomerDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerDevice

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    mac_address = factory.Sequence(
        lambda n: ":".join(f"{(n >> (8 * i)) & 0xFF:02X}" for i in range(5, -1, -1))
    )


class CustomerEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerEvent

    customer = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("customer.organization")
    kind = CustomerEvent.Kind.CREATED
    message = "Customer created"
