"""The values CloudFormation's evaluation gives besides plain data: one only the deployment
knows, a resource's id or attribute, and `AWS::NoValue`."""

from __future__ import annotations

from typing import Any

from msgspec import Struct


class Unknown:
    """A value only the deployment knows; `names` say what it comes from, for the report.

    `alternatives` are the values it can only be, when known: the two branches of an `Fn::If`
    whose condition rests on a parameter without a value.
    """

    __slots__ = ("alternatives", "names")

    def __init__(self, *names: str, alternatives: tuple[Any, ...] | None = None) -> None:
        self.names = tuple(dict.fromkeys(names))
        self.alternatives = alternatives

    def __repr__(self) -> str:
        return f"Unknown({', '.join(self.names)})"

    @property
    def text(self) -> str:
        """A readable stand-in, such as `{VpcCidr}`, where the value would be a name."""
        return "{" + (self.names[0] if self.names else "unknown") + "}"


class ResourceRef(Struct, frozen=True):
    """`Ref` of a resource (attribute None: its physical id) or `Fn::GetAtt` of one; `stack`
    names the stack that holds it when that is another one (a value imported from its export)."""

    logical_id: str
    attribute: str | None = None
    stack: str | None = None

    def __str__(self) -> str:
        return self.logical_id if self.attribute is None else f"{self.logical_id}.{self.attribute}"


def shown(value: Any) -> str:
    """A value as an error message shows it: as written, or by what it rests on."""
    if isinstance(value, ResourceRef | Unknown):
        names = [str(value)] if isinstance(value, ResourceRef) else value.names
        return f"the value of {', '.join(names) or 'something not known'}"
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()  # as the template writes them
    return "[" + ", ".join(map(shown, value)) + "]" if isinstance(value, list) else repr(value)


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()
