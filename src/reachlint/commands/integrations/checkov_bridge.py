"""checkov's failed checks as reachlint findings (`reachlint check --checkov`).

checkov says whether one resource is misconfigured; reachlint says what can reach what. Each
failed check becomes a finding about its resource: `from` and `to` are the resource (kind
`resource`), there is no traffic, and the path holds the security-group or NSG rules that
open what the check is about, so the finding sits on the same line as reachlint's.

- Place: a plan's findings land on the resource's `.tf` file and line through the plan's
  configuration (checkov alone reports them on the plan JSON); a directory's and a template's
  where checkov found them.
- Severity: checkov's own where it has one (critical, high, medium, low; info counts as low),
  else medium — checkov gives most checks a severity only through its platform.
- Suppression: `# checkov:skip=CKV_AWS_24:reason` in the resource's block — checkov reads it in a
  directory, reachlint in the configuration beside a plan — and `# reachlint:ignore CKV_AWS_24
  reason`; baselines cover these findings as they cover reachlint's.
- Together: a check that a security group or NSG admits a port from anywhere and a reachlint
  finding from the internet through that group on that port point at each other (`related`);
  when nothing reachable uses the group, the check's message says so.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from reachlint.confine import input_root, read_confined

if TYPE_CHECKING:
    from reachlint.commands.integrations.checkov_runner import CheckResult, Target
    from reachlint.engine.flows import Flow, Reachability
    from reachlint.inputs.load import InputsSeen, LoadOptions
    from reachlint.model.network import Element, NetworkModel, NsgRule, SecurityGroupRule
    from reachlint.model.traffic import Traffic
    from reachlint.reports.schema import RuleInfo
    from reachlint.rules.findings import Finding, HopRef, Severity, Suppression
    from reachlint.sources import Origin

CHECK_ID = re.compile(r"CKV2?_[A-Z][A-Z0-9]*_\d+")
DEFAULT_SEVERITY: Severity = "medium"
_SEVERITIES: dict[str, Severity] = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "medium": "medium",
    "moderate": "medium",
    "low": "low",
    "info": "low",
}
# checkov's checks that a filter admits a service from anywhere: (protocol, port or None: all).
EXPOSURE_CHECKS: dict[str, tuple[str, int | None]] = {
    "CKV_AWS_24": ("tcp", 22),
    "CKV_AWS_25": ("tcp", 3389),
    "CKV_AWS_260": ("tcp", 80),
    "CKV_AWS_277": ("all", None),
    "CKV_AZURE_10": ("tcp", 22),
    "CKV_AZURE_9": ("tcp", 3389),
    "CKV_AZURE_160": ("tcp", 80),
    "CKV_AZURE_77": ("udp", None),
}
_FROM_ANYWHERE = frozenset({"0.0.0.0/0", "::/0", "*", "internet", "any"})
_FILTER_HOPS = frozenset({"security-group-rule", "nsg-rule"})
# checkov's own suppression comment (checkov/common/comment/enum.py).
_SKIP = re.compile(
    r"(?:checkov|bridgecrew|cortex):skip= *([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)?(:[^\n]*)?"
)
_NO_REASON = "No comment provided"  # what checkov records for a skip without one
_INDEX = r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]'  # [0] or ["key"]
_ADDRESS_PART = re.compile(rf"(?P<name>[^.\[\]]+)(?P<key>{_INDEX})?")


def is_checkov_check(rule: str) -> bool:
    """Whether a rule id is a checkov check's (CKV_AWS_24, CKV2_AZURE_1)."""
    return CHECK_ID.fullmatch(rule) is not None


class CheckovFindings(Struct):
    findings: list[Finding] = field(default_factory=list)
    rules: list[RuleInfo] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def checkov_findings(
    seen: InputsSeen, model: NetworkModel, options: LoadOptions, base: list[Path] | None = None
) -> CheckovFindings:
    """checkov's failed checks on the inputs `seen` describes, as findings; with `base`, only
    the checks the change makes fail."""
    from reachlint.commands.integrations.checkov_runner import run_checks

    targets = [_target(path, kind, options) for path, kind in seen.kinds.items()]
    scan = run_checks([target for target in targets if target is not None])
    out = CheckovFindings(notes=list(scan.problems))
    failing_before = _failing(base, options) if base else set()
    index = _ModelIndex(model)
    skips = _SkipComments()
    rules: dict[str, RuleInfo] = {}
    for target, result in scan.results:
        if (result.check_id, result.resource) in failing_before:
            continue
        origins = seen.origins.get(target.path, {})
        fallback = _place(target, result, origins)
        elements = index.elements_of(result, target.framework)
        # One finding per element the resource became: each copy of a copy loop or a counted
        # module, under the address reachlint's own findings use.
        by_address: dict[str, list[tuple[Element, str | None]]] = {}
        for element, group in elements:
            by_address.setdefault(element.address, []).append((element, group))
        for address, own in sorted(by_address.items()) or [(result.resource, [])]:
            finding = _finding(target, result, address, own, fallback, skips)
            out.findings.append(finding)
        rules.setdefault(result.check_id, _rule_info(result))
    out.rules = sorted(rules.values(), key=lambda rule: rule.id)
    return out


def _target(path: Path, kind: str, options: LoadOptions) -> Target | None:
    from reachlint.commands.integrations.checkov_runner import Target

    if kind == "terraform-plan":
        return Target("terraform_plan", path)
    if kind == "terraform-dir":
        return Target("terraform", path, options.var_files)
    if kind == "arm":
        return Target("arm", path)
    if kind in ("cloudformation", "cloud-assembly"):
        return Target("cloudformation", path)
    return None


def _failing(base: list[Path], options: LoadOptions) -> set[tuple[str, str]]:
    """(check, resource) pairs that fail before the change."""
    from reachlint.commands.integrations.checkov_runner import run_checks
    from reachlint.inputs.detect import detect

    targets = [_target(path, detect(path), options) for path in base]
    scan = run_checks([target for target in targets if target is not None])
    return {
        (result.check_id, result.resource)
        for _before, result in scan.results
        if result.skip_reason is None
    }


def _finding(
    target: Target,
    result: CheckResult,
    address: str,
    elements: list[tuple[Element, str | None]],
    fallback: tuple[str, int],
    skips: _SkipComments,
) -> Finding:
    from reachlint.rules.findings import EndRef, Finding, Suppression

    file, line = fallback
    for element, group in elements:
        if group is None and element.origin.file and element.origin.line:
            file, line = element.origin.file, element.origin.line
            break
    end = EndRef(address=address, kind="resource", file=file, line=line)
    suppressed = None
    if result.skip_reason is not None:
        suppressed = Suppression(kind="inline", reason=result.skip_reason, file=file, line=line)
    elif file.endswith(".tf") and target.framework == "terraform_plan":
        suppressed = skips.covering(file, line, result.check_id)
    message = f"checkov {result.check_id} fails on {address}"
    if result.details:
        message += ": " + "; ".join(result.details)
    return Finding(
        rule=result.check_id,
        severity=_severity_of(result),
        title=result.name,
        message=message,
        source=end,
        destination=end,
        traffic=[],
        path=_opening_rules(result.check_id, elements),
        suppressed=suppressed,
        tool="checkov",
        guideline=result.guideline,
    )


def _place(target: Target, result: CheckResult, origins: dict[str, Origin]) -> tuple[str, int]:
    """The file and line a reviewer edits: for a plan, the resource's configuration."""
    if target.framework == "terraform_plan":
        origin = origins.get(result.resource)
        if origin is not None and origin.file and origin.line and origin.file.endswith(".tf"):
            return origin.file, origin.line
        return str(target.path), result.lines[0]
    if target.framework == "terraform":
        directory = target.path if target.path.is_dir() else target.path.parent
        relative = os.path.relpath(result.file, directory.resolve())
        if not relative.startswith(".."):
            return os.path.normpath(directory / relative), result.lines[0]
        return result.file, result.lines[0]
    return str(target.path), result.lines[0]


def _severity_of(result: CheckResult) -> Severity:
    return _SEVERITIES.get(result.severity or "", DEFAULT_SEVERITY)


def _rule_info(result: CheckResult) -> RuleInfo:
    from reachlint.reports.schema import RuleInfo

    how = (
        f"checkov's guideline: {result.guideline}"
        if result.guideline
        else f"checkov's documentation of {result.check_id} says how to fix it."
    )
    return RuleInfo(
        id=result.check_id,
        title=result.name,
        severity=_severity_of(result),
        description=f"checkov check {result.check_id}: {result.name}",
        help=(
            f"# {result.check_id}\n\n{result.name} (a checkov check, run by `reachlint check "
            f"--checkov`).\n\n## How to fix\n\n{how} Or suppress it on the resource with "
            f"`# checkov:skip={result.check_id}:reason` or `# reachlint:ignore "
            f"{result.check_id} reason`.\n"
        ),
        tool="checkov",
        guideline=result.guideline,
    )


# --- the model's view of a checked resource ------------------------------------------------


class _ModelIndex:
    """Model elements by address and by the file they are written in; rules with their group."""

    def __init__(self, model: NetworkModel) -> None:
        from reachlint.model.network import Element

        self.model = model
        self.by_address: dict[str, list[tuple[Element, str | None]]] = {}
        self.by_file: dict[str, list[tuple[Element, str | None]]] = {}
        self._resolved: dict[str, str] = {}
        self._members: dict[str, set[str]] | None = None
        for name in model.__struct_fields__:
            value = getattr(model, name)
            if not isinstance(value, dict):
                continue
            for element in value.values():
                if isinstance(element, Element):
                    self._add(element, None)
                    for rule in getattr(element, "rules", None) or []:
                        self._add(rule, element.address)

    def _add(self, element: Element, group: str | None) -> None:
        self.by_address.setdefault(element.address, []).append((element, group))
        if element.origin.file:
            key = self.resolved(element.origin.file)
            self.by_file.setdefault(key, []).append((element, group))

    def resolved(self, file: str) -> str:
        if file not in self._resolved:
            self._resolved[file] = os.path.normcase(os.path.realpath(file))
        return self._resolved[file]

    def elements_of(self, result: CheckResult, framework: str) -> list[tuple[Element, str | None]]:
        """The elements checkov's resource is: by address (a plan names them as the model
        does), else those of its type written within its lines (a directory or template names
        a resource before copies are made: `module.m.aws_instance.x` is every
        `module.m["k"].aws_instance.x[n]`)."""
        named = self.by_address.get(result.resource, [])
        if named or framework == "terraform_plan":
            return named
        kind = _resource_type(result.resource)
        copies = _copies_of(result.resource) if framework == "terraform" else None
        first, last = result.lines
        return [
            (element, group)
            for element, group in self.by_file.get(self.resolved(result.file), [])
            if element.type.lower() == kind
            and element.origin.line is not None
            and first <= element.origin.line <= last
            and (copies is None or copies.fullmatch(element.address) is not None)
        ]

    def groups_of(self, addresses: set[str]) -> set[str]:
        """The security groups and NSGs among these addresses, or holding these rules."""
        groups = set()
        for address in addresses:
            for element, group in self.by_address.get(address, []):
                if group is not None:
                    groups.add(group)
                elif address in self.model.security_groups or (
                    address in self.model.network_security_groups
                ):
                    groups.add(element.address)
        return groups

    def members(self, groups: set[str]) -> set[str]:
        """Endpoints filtered by one of these groups: on an interface or its subnet (Azure)."""
        if self._members is None:
            self._members = {}
            for endpoint in self.model.endpoints.values():
                for interface in endpoint.interfaces:
                    subnet = self.model.subnets.get(interface.subnet or "")
                    filters = [
                        *interface.security_groups,
                        interface.network_security_group,
                        subnet.security_group if subnet is not None else None,
                    ]
                    for group in filter(None, filters):
                        self._members.setdefault(group, set()).add(endpoint.address)
        return set().union(*(self._members.get(group, set()) for group in groups))


def _copies_of(resource: str) -> re.Pattern[str]:
    """The addresses of a Terraform resource's copies: an index may follow each unindexed
    module or resource name."""
    parts = []
    for match in _ADDRESS_PART.finditer(resource):
        name, key = match.group("name"), match.group("key")
        parts.append(re.escape(name) + (re.escape(key) if key else f"(?:{_INDEX})?"))
    return re.compile(r"\.".join(parts))


def _resource_type(resource: str) -> str:
    """`aws_security_group` of `module.a.aws_security_group.b`; the type of an ARM resource;
    `AWS::EC2::SecurityGroup` of CloudFormation's `AWS::EC2::SecurityGroup.WebGroup`."""
    if resource.startswith(("AWS::", "Custom::")) and "." in resource:
        return resource.rsplit(".", 1)[0].lower()
    arm = re.match(r"(?P<type>[^/.]+\.[^/.]+(?:/[A-Za-z0-9]+)+)\.", resource)
    if arm is not None:
        return arm.group("type").lower()
    parts = resource.split(".")
    return parts[-2].lower() if len(parts) >= 2 else resource.lower()


def _exposed(check_id: str) -> Traffic | None:
    """The service an exposure check is about, from every address."""
    from reachlint.model.traffic import IntervalSet, Traffic, parse_protocol

    exposure = EXPOSURE_CHECKS.get(check_id)
    if exposure is None:
        return None
    protocol, port = exposure
    if port is None:
        return Traffic.box(parse_protocol(protocol))
    return Traffic.box(parse_protocol(protocol), ports=IntervalSet([(port, port)]))


def _opening_rules(check_id: str, elements: list[tuple[Element, str | None]]) -> list[HopRef]:
    """The rules of the checked group (or the checked rule) that admit the check's service
    from anywhere, as the hops reachlint shows for them."""
    from reachlint.model.network import NsgRule, SecurityGroupRule

    wanted = _exposed(check_id)
    if wanted is None:
        return []
    rules: list[tuple[Element, str]] = [
        (element, group) for element, group in elements if group is not None
    ]
    if not rules:
        for element, _group in elements:
            for rule in getattr(element, "rules", None) or []:
                rules.append((rule, element.address))
    hops = []
    for rule, group in rules:
        if isinstance(rule, SecurityGroupRule):
            hop = _security_group_hop(rule, group, wanted)
        elif isinstance(rule, NsgRule):
            hop = _nsg_hop(rule, group, wanted)
        else:
            continue
        if hop is not None:
            hops.append(hop)
    return hops


def _security_group_hop(rule: SecurityGroupRule, group: str, wanted: Traffic) -> HopRef | None:
    from reachlint.model.traffic import ALL_PORTS, IntervalSet, Traffic, parse_protocol
    from reachlint.rules.findings import HopRef

    anywhere = sorted(_FROM_ANYWHERE & set(rule.cidrs))
    if rule.direction != "ingress" or not anywhere:
        return None
    try:
        ports = IntervalSet([(rule.ports.low, rule.ports.high)]) if rule.ports else ALL_PORTS
        admitted = Traffic.box(parse_protocol(rule.protocol), ports=ports) & wanted
    except ValueError:
        return None
    if not admitted:
        return None
    return HopRef(
        address=rule.address,
        kind="security-group-rule",
        detail=f"{group} allows {admitted.text()} from {', '.join(anywhere)}",
        file=rule.origin.file,
        line=rule.origin.line,
    )


def _nsg_hop(rule: NsgRule, group: str, wanted: Traffic) -> HopRef | None:
    from reachlint.model.traffic import ALL_PORTS, IntervalSet, Traffic, parse_protocol
    from reachlint.rules.findings import HopRef

    source = rule.source
    named = {value.lower() for value in [*source.cidrs, *source.service_tags]}
    if rule.direction != "inbound" or not rule.allow or not (source.any or named & _FROM_ANYWHERE):
        return None
    ranges = rule.destination_ports
    try:
        ports = IntervalSet([(r.low, r.high) for r in ranges]) if ranges else ALL_PORTS
        admitted = Traffic.box(parse_protocol(rule.protocol), ports=ports) & wanted
    except ValueError:
        return None
    if not admitted:
        return None
    return HopRef(
        address=rule.address,
        kind="nsg-rule",
        detail=f"{group} rule {rule.name} ({rule.priority}) allows {admitted.text()} from anywhere",
        file=rule.origin.file,
        line=rule.origin.line,
    )


# --- checkov:skip comments in the configuration beside a plan ------------------------------


class _SkipComments:
    """`checkov:skip=` comments in a resource's block, found the way checkov finds them in a
    directory: anywhere between the block's braces."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[list[tuple[int, str]], list[tuple[int, int]]]] = {}

    def covering(self, file: str, line: int, check_id: str) -> Suppression | None:
        from reachlint.rules.findings import Suppression

        comments, blocks = self._scan(file)
        opened = [block for block in blocks if block[0] == line]
        last = max((block[1] for block in opened), default=line)
        for number, text in comments:
            if not line <= number <= last:
                continue
            for match in _SKIP.finditer(text):
                if check_id in (match.group(1) or "").split(","):
                    reason = (match.group(2) or ":")[1:].strip() or _NO_REASON
                    return Suppression(kind="inline", reason=reason, file=file, line=number)
        return None

    def _scan(self, file: str) -> tuple[list[tuple[int, str]], list[tuple[int, int]]]:
        from reachlint.commands.changes.comments import hcl_comments_and_blocks

        if file not in self._files:
            try:
                raw = read_confined(Path(file), input_root(Path(file)))
                text = raw.decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._files[file] = hcl_comments_and_blocks(text) if "skip=" in text else ([], [])
        return self._files[file]


# --- checkov's findings beside reachlint's ---------------------------------------------------


def correlate(findings: list[Finding], model: NetworkModel, reach: Reachability) -> list[Finding]:
    """Point each exposure check and the reachlint findings through the same group at each
    other; say in an exposure check's message what reachlint knows of the group."""
    from reachlint.commands.changes.baseline import entries_traffic
    from reachlint.engine.flows import EndpointClass, External

    index = _ModelIndex(model)
    inbound = [
        flow
        for flow in reach.flows
        if isinstance(flow.source, External)
        and flow.source.kind == "internet"
        and isinstance(flow.destination, EndpointClass)
        and flow.state == "reachable"
    ]
    reached_by_check: dict[str, set[str]] = {}
    out = list(findings)
    ours = [
        (position, finding, entries_traffic(finding.traffic))
        for position, finding in enumerate(out)
        if finding.tool == "reachlint" and finding.source.kind == "internet"
    ]
    for position, finding in enumerate(out):
        wanted = _exposed(finding.rule) if finding.tool == "checkov" else None
        if wanted is None:
            continue
        hop_addresses = {hop.address for hop in finding.path}
        groups = index.groups_of(hop_addresses or {finding.destination.address})
        if not groups:
            continue
        through = _addresses_of(groups, index)
        same = [
            (where, other)
            for where, other, traffic in ours
            if traffic & wanted
            and any(hop.kind in _FILTER_HOPS and hop.address in through for hop in other.path)
        ]
        for where, _other in same:
            out[where] = _with_related(
                out[where],
                finding.fingerprint,
                f" (checkov {finding.rule} flags {finding.destination.address} for this opening)",
            )
        if finding.rule not in reached_by_check:
            reached_by_check[finding.rule] = _reached_from_internet(inbound, wanted)
        text = _what_reachlint_knows(same, groups, wanted, index, reached_by_check[finding.rule])
        out[position] = replace(
            finding,
            message=f"{finding.message}; reachlint: {text}",
            related=[other.fingerprint for _where, other in same if other.fingerprint] or None,
        )
    return out


def _addresses_of(groups: set[str], index: _ModelIndex) -> set[str]:
    """The groups and the addresses of their rules: what a path's filter hops name."""
    addresses = set(groups)
    for group in groups:
        for element, _group in index.by_address.get(group, []):
            addresses.update(rule.address for rule in getattr(element, "rules", None) or [])
    return addresses


def _with_related(finding: Finding, fingerprint: str | None, remark: str) -> Finding:
    if fingerprint is None or fingerprint in (finding.related or []):
        return finding
    return replace(
        finding,
        message=finding.message + remark,
        related=[*(finding.related or []), fingerprint],
    )


def _what_reachlint_knows(
    same: list[tuple[int, Finding]],
    groups: set[str],
    wanted: Traffic,
    index: _ModelIndex,
    reached_on_service: set[str],
) -> str:
    service = wanted.text()
    service = "all protocols and ports" if service == "all" else service
    if same:
        reached = sorted({finding.destination.address for _where, finding in same})
        rules = sorted({finding.rule for _where, finding in same})
        return (
            f"the internet reaches {_listed(reached)} through it on {service} ({', '.join(rules)})"
        )
    members = index.members(groups)
    if not members:
        return "this group has no members, so nothing is reachable through it"
    reached = sorted(members & reached_on_service)
    if reached:
        return (
            f"the internet reaches {_listed(reached)} on {service}, which no rule checked forbids"
        )
    return f"no endpoint in this group is reachable from the internet on {service}"


def _reached_from_internet(inbound: list[Flow], wanted: Traffic) -> set[str]:
    """The endpoints some of `wanted` reaches from the internet."""
    from reachlint.engine.flows import EndpointClass

    return {
        member.endpoint
        for flow in inbound
        if isinstance(flow.destination, EndpointClass) and flow.traffic & wanted
        for member in flow.destination.members
    }


def _listed(addresses: list[str], shown: int = 3) -> str:
    rest = len(addresses) - shown
    text = ", ".join(addresses[:shown])
    return f"{text} and {rest} more" if rest > 0 else text
