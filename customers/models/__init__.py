from customers.models.customer import Customer, CustomerDevice, CustomerEvent, Tag
from customers.models.imports import CustomerImport
from customers.models.pppoe import PppoeAccount
from customers.models.usage import RouterUsageDaily, UsageDaily, UsageSession

__all__ = [
    "Customer",
    "CustomerDevice",
    "CustomerEvent",
    "CustomerImport",
    "PppoeAccount",
    "RouterUsageDaily",
    "Tag",
    "UsageDaily",
    "UsageSession",
]
