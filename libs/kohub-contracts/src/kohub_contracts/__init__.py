"""kohub's shared language. Depends on msgspec only, so KustHub can use it as well."""

from kohub_contracts.common import Camel, Page, Problem, Ref
from kohub_contracts.envelope import Envelope, RawEnvelope

__all__ = ["Camel", "Envelope", "Page", "Problem", "RawEnvelope", "Ref"]
