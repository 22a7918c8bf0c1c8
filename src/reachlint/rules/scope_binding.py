"""A Network Access Scope bound to the inputs: its paths as a rule's matches and allow entries.

Each match path becomes one of the rule's matches, each exclude path an allow entry (a path
whose end names internet gateways as well as other resources becomes one entry per kind of
end). Names in `Resources` are resolved against the model: a resource address as the input
names it (each instance of a counted resource too), an ARM resource's name, an ARN's id; a
name that matches nothing is an input error naming what it could have been.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from msgspec import Struct, field
from msgspec.structs import replace

from reachlint.errors import InputError
from reachlint.model.network import NetworkModel
from reachlint.model.traffic import ALL_PORTS, ALL_PROTOCOLS, TCP, UDP, IntervalSet, cidrs
from reachlint.rules.ruleset import Entry, Rule
from reachlint.rules.scope_paths import Scope, ScopePath, Statement
from reachlint.rules.selectors import AllOf, AnyOf, Cidrs, Patterns, Selector, Word, glob_match

TCP_AND_UDP = IntervalSet([(TCP, TCP), (UDP, UDP)])

# Resource types as components on the path: the kinds of hop they are.
THROUGH_TYPES: dict[str, tuple[str, ...]] = {
    "AWS::EC2::InternetGateway": ("internet-gateway", "egress-only-internet-gateway"),
    "AWS::EC2::NatGateway": ("nat-gateway",),
    "AWS::EC2::VPCPeeringConnection": ("peering",),
    "AWS::EC2::TransitGateway": ("transit-gateway",),
    "AWS::EC2::TransitGatewayAttachment": ("transit-gateway",),
    "AWS::EC2::VPNGateway": ("vpn-gateway",),
    "AWS::EC2::VPCEndpoint": ("gateway-endpoint", "vpc-endpoint"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("load-balancer",),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("load-balancer",),
    "AWS::NetworkFirewall::Firewall": ("firewall",),
}
# What no input describes before deployment.
UNEXPRESSIBLE_TYPES = {
    "AWS::ResourceGroups::Group": "a resource group's members are known only in the account",
    "AWS::EC2::VPCEndpointService": "an endpoint service's consumers are other accounts' VPCs",
}


def _end_types(file: str, line: int) -> dict[str, Selector]:
    """Resource types as a path's source or destination: the end they stand for. An internet
    gateway is the internet, coming in through it or going out through it (NAT paths included);
    a virtual private gateway is the on-premises networks behind it."""

    def kinds(*names: str) -> Selector:
        return Patterns("kinds", names, file, line)

    return {
        "AWS::EC2::InternetGateway": Word("internet", file, line),
        "AWS::EC2::VPNGateway": Word("onprem", file, line),
        "AWS::EC2::Instance": kinds("instance", "auto-scaling-group"),
        "AWS::EC2::NetworkInterface": Word("endpoints", file, line),
        "AWS::EC2::VPC": Patterns("networks", ("*",), file, line),
        "AWS::EC2::Subnet": Patterns("subnets", ("*",), file, line),
        "AWS::EC2::SecurityGroup": Patterns("security_groups", ("*",), file, line),
        "AWS::EC2::VPCEndpoint": kinds("vpc-endpoint"),
        "AWS::ElasticLoadBalancingV2::LoadBalancer": kinds("load-balancer"),
        "AWS::ElasticLoadBalancing::LoadBalancer": kinds("load-balancer"),
    }


def bind_scope(rule: Rule, model: NetworkModel, *, missing_names: bool = False) -> Rule:
    """The rule with its scope's paths as matches and allow entries, against this model.

    `missing_names`: a name the model lacks selects nothing instead of being an input error.
    """
    scope = rule.scope
    assert scope is not None
    binder = _Binder(scope, model, missing_names)
    matches = [entry for path in scope.matches for entry in binder.entries(path, is_match=True)]
    allow = tuple(
        entry for path in scope.excludes for entry in binder.entries(path, is_match=False)
    )
    return replace(rule, match=matches[0], also_match=tuple(matches[1:]), allow=allow, scope=None)


class _Alternative(Struct):
    """One way an end statement can hold: a selector, and components the path must pass."""

    selector: Selector | None
    through: tuple[Selector, ...] = ()


class _Binder(Struct):
    scope: Scope
    model: NetworkModel
    missing_names: bool = False
    _index: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def error(self, message: str, line: int) -> InputError:
        return InputError(f"scope {self.scope.rule}: {message}", self.scope.file, line)

    def entries(self, path: ScopePath, *, is_match: bool) -> list[Entry]:
        file = self.scope.file
        sources = self._end(path.source, path, is_match)
        destinations = self._end(path.destination, path, is_match)
        throughs = tuple(self._through(statement) for statement in path.through)
        source_addresses = self._addresses(path.source_addresses, path.source_prefix_lists, path)
        destination_addresses = self._addresses(
            path.destination_addresses, path.destination_prefix_lists, path
        )
        protocols = path.protocols
        if protocols is None:
            protocols = TCP_AND_UDP if path.ports is not None else ALL_PROTOCOLS
        ports = path.ports if path.ports is not None else ALL_PORTS
        entries: list[Entry] = []
        for source in sources:
            for destination in destinations:
                every_through = (*source.through, *destination.through, *throughs)
                entries.append(
                    Entry(
                        source=_narrowed(source.selector, source_addresses, file, path.line),
                        destination=_narrowed(
                            destination.selector, destination_addresses, file, path.line
                        ),
                        through=every_through[0] if every_through else None,
                        also_through=every_through[1:],
                        protocols=protocols,
                        ports=ports,
                    )
                )
        return entries

    def _addresses(
        self, written: IntervalSet | None, lists: tuple[str, ...], path: ScopePath
    ) -> IntervalSet | None:
        if not lists:
            return written
        found = IntervalSet()
        for name in lists:
            matches = [
                prefix_list
                for prefix_list in self.model.prefix_lists.values()
                if _names(name, prefix_list.address)
            ]
            if not matches:
                known = sorted(self.model.prefix_lists)
                raise self.error(
                    f"{path.where} names prefix list {name!r}, which no input defines"
                    + (f" (prefix lists: {', '.join(known[:5])})" if known else ""),
                    path.line,
                )
            for prefix_list in matches:
                found = found | cidrs(prefix_list.cidrs)
        return found & written if written is not None else found

    def _end(
        self, statement: Statement | None, path: ScopePath, is_match: bool
    ) -> list[_Alternative]:
        file = self.scope.file
        if statement is None:
            return [_Alternative(Word("any", file, path.line) if is_match else None)]
        if statement.types:
            return self._end_types(statement)
        plain: list[Selector] = []
        gateways: dict[str, list[str]] = {"internet": [], "onprem": []}
        for name in statement.resources:
            for category, address in self._resolve(name, statement):
                if category in {"internet-gateway", "egress-only-internet-gateway"}:
                    gateways["internet"].append(address)
                elif category == "vpn-gateway":
                    gateways["onprem"].append(address)
                elif category in {"endpoint", "onprem-site"}:
                    plain.append(Patterns("addresses", (address,), file, statement.line))
                elif category in {"network", "subnet", "security-group"}:
                    key = {"network": "networks", "subnet": "subnets"}.get(
                        category, "security_groups"
                    )
                    plain.append(Patterns(key, (address,), file, statement.line))
                else:
                    raise self.error(
                        f"{statement.where} names {name!r}, a {category}: Network Access "
                        "Analyzer takes it in ThroughResources, not as a source or destination",
                        statement.line,
                    )
        alternatives: list[_Alternative] = []
        if plain:
            alternatives.append(_Alternative(_any_of(plain)))
        for word, addresses in gateways.items():
            if addresses:
                # The outside coming in (or going out) through these gateways.
                hop = Patterns("addresses", tuple(addresses), file, statement.line)
                alternatives.append(_Alternative(Word(word, file, statement.line), (hop,)))  # type: ignore[arg-type]
        # Names the model lacks (missing_names): an end that nothing is.
        return alternatives or [_Alternative(Patterns("addresses", (), file, statement.line))]

    def _end_types(self, statement: Statement) -> list[_Alternative]:
        table = _end_types(self.scope.file, statement.line)
        parts: list[Selector] = []
        for name in statement.types:
            selector = table.get(name)
            if selector is None:
                raise self.error(self._type_problem(name, statement, list(table)), statement.line)
            parts.append(selector)
        return [_Alternative(_any_of(parts))]

    def _through(self, statement: Statement) -> Selector:
        file = self.scope.file
        if statement.types:
            kinds: list[str] = []
            for name in statement.types:
                found = THROUGH_TYPES.get(name)
                if found is None:
                    raise self.error(
                        self._type_problem(name, statement, list(THROUGH_TYPES)), statement.line
                    )
                kinds.extend(found)
            return Patterns("kinds", tuple(kinds), file, statement.line)
        addresses = [
            address for name in statement.resources for _, address in self._resolve(name, statement)
        ]
        return Patterns("addresses", tuple(addresses), file, statement.line)

    def _type_problem(self, name: str, statement: Statement, known: list[str]) -> str:
        reason = UNEXPRESSIBLE_TYPES.get(name)
        if reason is not None:
            return f"{statement.where}: {name} cannot be checked before deployment: {reason}"
        hint = difflib.get_close_matches(name, known, n=1)
        suggestion = f"did you mean {hint[0]!r}? " if hint else ""
        return (
            f"{statement.where}: resource type {name!r} is not supported there ({suggestion}"
            f"expected one of: {', '.join(known)})"
        )

    def _resolve(self, name: str, statement: Statement) -> list[tuple[str, str]]:
        """What a name in Resources stands for: (category, address) of each element it names."""
        index = self._elements()
        wanted = self.model.ids.get(name) or _resource_id(name)
        wanted = self.model.ids.get(wanted, wanted)
        found = [
            (category, address)
            for address, entries in index.items()
            if _names(wanted, address)
            for category, _ in entries
        ]
        if found or self.missing_names:
            return found
        candidates = sorted(index)
        hint = difflib.get_close_matches(wanted, candidates, n=3)
        examples = hint or candidates[:3]
        raise self.error(
            f"{statement.where} names {name!r}, which no resource of the inputs is; expected a "
            f"resource address as the input names it (such as {', '.join(examples)}), a "
            "CloudFormation logical id or an ARM resource name, or an id the input knows",
            statement.line,
        )

    def _elements(self) -> dict[str, list[tuple[str, str]]]:
        if not self._index:
            model = self.model
            groups: list[tuple[str, Iterable[str]]] = [
                ("endpoint", model.endpoints),
                ("network", model.networks),
                ("subnet", model.subnets),
                ("security-group", model.security_groups),
                ("onprem-site", model.onprem_sites),
                ("VPC peering connection", model.peerings),
                ("transit gateway attachment", model.transit_gateway_attachments),
            ]
            for category, addresses in groups:
                for address in addresses:
                    self._index.setdefault(address, []).append((category, address))
            for gateway in model.gateways.values():
                self._index.setdefault(gateway.address, []).append((gateway.kind, gateway.address))
        return self._index


def _resource_id(name: str) -> str:
    """An ARN stands for the id after its last '/' (arn:aws:ec2:...:vpc/vpc-0a1b -> vpc-0a1b)."""
    if name.startswith("arn:") and "/" in name:
        return name.rsplit("/", 1)[1]
    return name


def _names(name: str, address: str) -> bool:
    """Whether a name in a scope names this address: the address itself (each instance of a
    counted resource too), or an ARM resource's name, its last segment."""
    if name == address or glob_match(name, address):
        return True
    return "/" in address and address.rsplit("/", 1)[1] == name


def _any_of(parts: list[Selector]) -> Selector:
    return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))


def _narrowed(
    selector: Selector | None, addresses: IntervalSet | None, file: str, line: int
) -> Selector | None:
    if addresses is None:
        return selector
    narrowing = Cidrs(addresses, file, line)
    return narrowing if selector is None else AllOf((selector, narrowing))
