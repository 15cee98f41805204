from customers.models.customer import Customer, CustomerDevice, CustomerEvent, Tag
from customers.models.imports import CustomerImport

__all__ = ["Customer", "CustomerDevice", "CustomerEvent", "CustomerImport", "Tag"]
