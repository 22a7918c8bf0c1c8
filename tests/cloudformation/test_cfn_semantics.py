"""What CloudFormation deploys where it differs from Terraform, each on a small template; and
the commands around templates (detection, suppressions, pre-commit, the type table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reachlint.commands.check import run_check
from reachlint.errors import InputError
from reachlint.inputs.detect import detect
from reachlint.inputs.load import LoadOptions, build_model
from reachlint.reports.text import traffic_text
from tests.cloudformation.templates import NETWORK

REPO = Path(__file__).resolve().parents[2]


EGRESS_ONLY_443 = """
version: 1
rules:
  - id: EGRESS-443
    title: egress only on 443
    severity: high
    match: {from: {types: [aws_instance]}, to: internet}
    allow: [{protocol: tcp, ports: [443]}]
"""


def _template(tmp_path: Path, group_rules: str, *, extra: str = "") -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(NETWORK.replace("GROUP_RULES", group_rules) + extra)
    return path


def _rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return path


def test_a_group_without_egress_rules_keeps_aws_default_allow_all(tmp_path: Path) -> None:
    # AWS::EC2::SecurityGroup: "When you specify a VPC security group, Amazon EC2 creates a
    # default egress rule that allows egress traffic on all ports and IP protocols to any
    # location. The default rule is removed only when you specify one or more egress rules."
    template = _template(tmp_path, "")
    report = run_check([template], [_rules(tmp_path, EGRESS_ONLY_443)], builtin=False)
    assert [(f.source.address, f.destination.address) for f in report.findings] == [
        ("Web", "internet")
    ]
    written = _template(
        tmp_path,
        "      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, "
        "CidrIp: 0.0.0.0/0}]",
    )
    assert run_check([written], [_rules(tmp_path, EGRESS_ONLY_443)], builtin=False).findings == []


def test_a_parameter_without_a_value_is_named_and_follows_assume_unknown(tmp_path: Path) -> None:
    template = _template(
        tmp_path,
        "      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, "
        "CidrIp: !Ref AdminCidr}]",
    )
    opened = run_check([template], [], assume_unknown="open")
    admin = [f for f in opened.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert len(admin) == 1 and admin[0].depends_on_unknown == ["AdminCidr"]
    closed = run_check([template], [], assume_unknown="closed")
    assert not [f for f in closed.findings if f.rule == "INTERNET-ADMIN-PORTS"]


def test_a_peering_to_another_account_without_a_role_carries_nothing(tmp_path: Path) -> None:
    # Accepted only through the accepter's role (PeerRoleArn); in one account, always.
    template = tmp_path / "peering.yaml"
    template.write_text(
        """
Resources:
  A: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.1.0.0/16}}
  B: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.2.0.0/16}}
  SameAccount:
    Type: AWS::EC2::VPCPeeringConnection
    Properties: {VpcId: !Ref A, PeerVpcId: !Ref B}
  OtherAccount:
    Type: AWS::EC2::VPCPeeringConnection
    Properties: {VpcId: !Ref A, PeerVpcId: !Ref B, PeerOwnerId: "111122223333"}
  WithRole:
    Type: AWS::EC2::VPCPeeringConnection
    Properties:
      VpcId: !Ref A
      PeerVpcId: !Ref B
      PeerOwnerId: "111122223333"
      PeerRoleArn: arn:aws:iam::111122223333:role/peer
"""
    )
    from reachlint.inputs.load import build_model

    model = build_model([template])
    active = {address for address, peering in model.peerings.items() if peering.active}
    assert active == {"SameAccount", "WithRole"}


def test_a_database_without_publicly_accessible_is_an_unknown(tmp_path: Path) -> None:
    # AWS decides at creation from the subnet group's VPC; the template does not say.
    extra = """
  Other:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24}
  Subnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties: {DBSubnetGroupDescription: db, SubnetIds: [!Ref Subnet, !Ref Other]}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      DBSubnetGroupName: !Ref Subnets
      VPCSecurityGroups: [!GetAtt Group.GroupId]
"""
    template = _template(
        tmp_path,
        "      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 3306, ToPort: 3306, "
        "CidrIp: 0.0.0.0/0}]",
        extra=extra,
    )
    opened = run_check([template], [], assume_unknown="open")
    stores = [f for f in opened.findings if f.rule == "INTERNET-DATA-STORES"]
    assert [f.destination.address for f in stores] == ["Db"]
    assert stores[0].depends_on_unknown == ["Db: PubliclyAccessible"]
    closed = run_check([template], [], assume_unknown="closed")
    assert not [f for f in closed.findings if f.rule == "INTERNET-DATA-STORES"]


def test_a_suppression_in_resource_metadata_covers_that_resource(tmp_path: Path) -> None:
    for metadata in (
        "    Metadata:\n      reachlint:ignore:\n"
        "        - {rule: INTERNET-ADMIN-PORTS, reason: break-glass access (OPS-12)}\n",
        "    Metadata:\n      reachlint:\n        ignore:\n"
        "          - {rule: INTERNET-ADMIN-PORTS, reason: break-glass access (OPS-12)}\n",
    ):
        text = NETWORK.replace(
            "  Group:\n    Type: AWS::EC2::SecurityGroup\n",
            "  Group:\n    Type: AWS::EC2::SecurityGroup\n" + metadata,
        ).replace(
            "GROUP_RULES",
            "      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, "
            "CidrIp: 0.0.0.0/0}]",
        )
        template = tmp_path / "suppressed.yaml"
        template.write_text(text)
        report = run_check([template], [])
        admin = [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]
        assert len(admin) == 1 and admin[0].suppressed is not None, metadata
        assert admin[0].suppressed.reason == "break-glass access (OPS-12)"


def test_templates_and_cloud_assemblies_are_detected_by_content(tmp_path: Path) -> None:
    yaml_template = _template(tmp_path, "")
    assert detect(yaml_template) == "cloudformation"
    json_template = tmp_path / "stack.json"
    json_template.write_text(
        '{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": '
        '{"CidrBlock": "10.0.0.0/16"}}}}'
    )
    assert detect(json_template) == "cloudformation"
    assert detect(REPO / "fixtures/cloudformation/cdk-webapp/cdk.out") == "cloud-assembly"
    other = tmp_path / "values.yaml"
    other.write_text("replicas: 3\n")
    with pytest.raises(InputError):
        detect(other)


def test_the_pre_commit_hook_checks_changed_templates_and_assemblies(tmp_path: Path) -> None:
    from reachlint.commands.integrations.precommit import targets

    template = _template(tmp_path, "")
    other = tmp_path / "values.yaml"
    other.write_text("replicas: 3\n")
    cdk = REPO / "fixtures/cloudformation/cdk-webapp/cdk.out"
    changed = [template, other, cdk / "assembly-Prod" / "ProdWebAppStackA2C2BA48.template.json"]
    assert targets("cloudformation", changed) == sorted([template, cdk / "assembly-Prod"], key=str)


def test_the_documented_type_table_is_generated_from_the_dialects() -> None:
    from reachlint.inputs.types import markdown_table

    document = (REPO / "docs" / "types.md").read_text()
    assert document.endswith(markdown_table())


def test_a_subnet_outside_the_input_routes_as_an_unknown(tmp_path: Path) -> None:
    # Templates often deploy into an existing VPC (`List<AWS::EC2::Subnet::Id>` parameters, or
    # literal ids): whether its tables route to an internet gateway is not in the input. It is
    # an unknown value, named, that --assume-unknown decides; never a silent "not reachable".
    template = tmp_path / "existing.yaml"
    template.write_text(
        """
Parameters:
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      VpcId: vpc-0123456789abcdef0
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-1
      SubnetId: !Select [0, !Ref Subnets]
      SecurityGroupIds: [!Ref Group]
"""
    )
    opened = [f for f in run_check([template], []).findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert [f.destination.address for f in opened] == ["Web"]
    # In the VPC of its group, as AWS requires: that VPC's routes are what it rests on.
    assert "the routes of vpc-0123456789abcdef0" in (opened[0].depends_on_unknown or [])
    assert "Web: SubnetId" in (opened[0].depends_on_unknown or [])
    closed = run_check([template], [], assume_unknown="closed").findings
    assert not [f for f in closed if f.rule == "INTERNET-ADMIN-PORTS"]


def test_a_cdk_resource_is_shown_with_its_construct_path() -> None:
    cdk = REPO / "fixtures/cloudformation/cdk-webapp"
    report = run_check([cdk / "cdk.out"], [cdk / "rules.yaml"], builtin=False)
    (finding,) = report.findings
    assert finding.source.address == "Bastion6045F255"
    assert finding.source.label == "Prod/WebAppStack/Bastion/Resource/Resource"
    from reachlint.reports import render

    assert "Bastion6045F255 (instance) · Prod/WebAppStack/Bastion/Resource/Resource" in render(
        report, "text"
    )


def test_the_default_vpc_is_as_aws_creates_it(tmp_path: Path) -> None:
    # docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html: an internet gateway, a main
    # route table sending 0.0.0.0/0 to it, default subnets that give public addresses.
    template = tmp_path / "default.yaml"
    template.write_text(
        """
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
  Web:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-1, SecurityGroupIds: [!Ref Group]}
"""
    )
    admin = [f for f in run_check([template], []).findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert [f.destination.address for f in admin] == ["Web"]
    hops = [hop.address for hop in admin[0].path]
    assert "default-vpc.InternetGateway" in hops and "default-vpc" in hops


def test_what_aws_gives_every_vpc_is_named_in_the_templates_words(tmp_path: Path) -> None:
    from reachlint.inputs.load import build_model

    model = build_model([_template(tmp_path, "")])
    assert "Vpc.DefaultNetworkAcl" in model.network_acls
    assert "Vpc.DefaultSecurityGroup" in model.security_groups
    assert "Vpc.MainRouteTable" in model.route_tables


@pytest.mark.parametrize(
    "names", ["AllocationId: !GetAtt Address.AllocationId", "EIP: !Ref Address"]
)
def test_an_elastic_ip_written_apart_makes_the_instance_public(tmp_path: Path, names: str) -> None:
    # The subnet gives no public address; an EIPAssociation does (naming the address by its
    # allocation id, or by the address itself), and the address counts as associated (no note
    # says otherwise) and is on the path.
    extra = f"""
  Address: {{Type: AWS::EC2::EIP, Properties: {{Domain: vpc}}}}
  Associate:
    Type: AWS::EC2::EIPAssociation
    Properties: {{{names}, InstanceId: !Ref Web}}
"""
    text = NETWORK.replace("MapPublicIpOnLaunch: true", "MapPublicIpOnLaunch: false").replace(
        "GROUP_RULES",
        "      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, "
        "CidrIp: 0.0.0.0/0}]",
    )
    template = tmp_path / "eip.yaml"
    template.write_text(text + extra)
    report = run_check([template], [])
    admin = [f for f in report.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert [f.destination.address for f in admin] == ["Web"]
    assert not admin[0].depends_on_unknown
    assert "Address" in [hop.address for hop in admin[0].path]
    assert not [n for n in report.notes if "not associated" in n.message]


GROUP_BY_CONDITION = """
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties: !If
      - Exposed
      - GroupDescription: web
        VpcId: !Ref Vpc
        SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
      - {GroupDescription: web, VpcId: !Ref Vpc}
Conditions:
  Exposed: !Equals [!Ref Exposure, public]
"""


def _with_group(tmp_path: Path, group: str) -> Path:
    """NETWORK with its group written as `group`, and a parameter Exposure without a value."""
    text = NETWORK.split("  Group:")[0].replace(
        "  AdminCidr: {Type: String}", "  AdminCidr: {Type: String}\n  Exposure: {Type: String}"
    )
    template = tmp_path / "template.yaml"
    template.write_text(text + group)
    return template


def test_properties_chosen_by_a_condition_the_deployment_decides_are_unknown_where_they_differ(
    tmp_path: Path,
) -> None:
    # Fn::If may choose a resource's whole Properties; with a parameter without a value, what
    # the two mappings write differently is unknown, and what they write alike is known.
    template = _with_group(tmp_path, GROUP_BY_CONDITION)
    opened = run_check([template], [], assume_unknown="open")
    (ssh,) = [f for f in opened.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert ssh.destination.address == "Web"
    assert ssh.depends_on_unknown == ["Group: SecurityGroupIngress"]
    closed = run_check([template], [], assume_unknown="closed")
    assert not [f for f in closed.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    # Decided by a given value, the chosen mapping is read as written.
    given = tmp_path / "parameters.json"
    given.write_text('[{"ParameterKey": "Exposure", "ParameterValue": "public"}]')
    decided = run_check(
        [template], [], options=LoadOptions(parameters=given), assume_unknown="closed"
    )
    (ssh,) = [f for f in decided.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert not ssh.depends_on_unknown


@pytest.mark.parametrize("properties", ["!Ref Vpc", "[a, b]", "some text"])
def test_properties_that_are_not_a_mapping_are_an_input_error(
    tmp_path: Path, properties: str
) -> None:
    template = tmp_path / "template.yaml"
    written = "Properties: {ImageId: ami-12345678, SubnetId: !Ref Subnet, SecurityGroupIds: ["
    instance = f"{written}!Ref Group]}}"
    text = NETWORK.replace("GROUP_RULES", "").replace(instance, f"Properties: {properties}")
    assert properties in text
    template.write_text(text)
    with pytest.raises(InputError, match="resource Web: Properties must be a mapping"):
        run_check([template], [])


FORWARD_TO_A_PARAMETER = """
Parameters:
  Groups: {Type: CommaDelimitedList}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  A: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}}
  B: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24}}
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Scheme: internal, Subnets: [!Ref A, !Ref B]}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      Protocol: HTTP
      DefaultActions: [{Type: forward, ForwardConfig: {TargetGroups: TARGET_GROUPS}}]
"""


@pytest.mark.parametrize(
    ("groups", "note"),
    [
        ("!Ref Groups", "DefaultActions names a target group that is not in the input (it rests "
         "on Groups)"),
        ("5", None),
    ],
)  # fmt: skip
def test_forward_target_groups_that_are_not_a_list_are_named_or_passed_over(
    tmp_path: Path, groups: str, note: str | None
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(FORWARD_TO_A_PARAMETER.replace("TARGET_GROUPS", groups))
    model = build_model([template])
    assert [n.message for n in model.notes if "DefaultActions" in n.message] == (
        [note] if note else []
    )


SAME_INGRESS_APART = """
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties: !If
      - Exposed
      - GroupDescription: one
        VpcId: !Ref Vpc
        SecurityGroupIngress:
          - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Sub "${AdminCidr}/32"}
      - GroupDescription: two
        VpcId: !Ref Vpc
        SecurityGroupIngress:
          - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Sub "${AdminCidr}/32"}
Conditions:
  Exposed: !Equals [!Ref Exposure, public]
"""
NO_PROPERTIES_APART = GROUP_BY_CONDITION.replace(
    "      - {GroupDescription: web, VpcId: !Ref Vpc}", "      - !Ref AWS::NoValue"
)
NESTED_APART = """
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties: !If
      - Exposed
      - !If
        - Wide
        - GroupDescription: web
          VpcId: !Ref Vpc
          SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]
        - {GroupDescription: web, VpcId: !Ref Vpc}
      - {GroupDescription: web, VpcId: !Ref Vpc}
Conditions:
  Exposed: !Equals [!Ref Exposure, public]
  Wide: !Equals [!Ref Exposure, wide]
"""


@pytest.mark.parametrize(
    ("group", "ports", "named"),
    [
        # Branches that differ only in the description: the rule is known, its range is not.
        (SAME_INGRESS_APART, [(22, 22)], ["AdminCidr"]),
        # One branch leaves no properties, or is itself an Fn::If: the rules are not known.
        (NO_PROPERTIES_APART, [(22, 22), (3389, 3389), (5985, 5986)],
         ["Group: SecurityGroupIngress"]),
        (NESTED_APART, [(22, 22), (3389, 3389), (5985, 5986)], ["Group: SecurityGroupIngress"]),
    ],
)  # fmt: skip
def test_properties_branches_are_compared_by_what_they_write(
    tmp_path: Path, group: str, ports: list[tuple[int, int]], named: list[str]
) -> None:
    template = _with_group(tmp_path, group)
    opened = run_check([template], [], assume_unknown="open")
    (ssh,) = [f for f in opened.findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert (ssh.traffic[0].ports, ssh.depends_on_unknown) == (ports, named)
    closed = run_check([template], [], assume_unknown="closed")
    assert not [f for f in closed.findings if f.rule == "INTERNET-ADMIN-PORTS"]


FROM_INTERNET = """
version: 1
rules:
  - id: FROM-INTERNET
    title: every flow from the internet
    severity: low
    match: {from: internet, to: any}
"""

# The ACL denies echo requests (type 8, every code) and allows the rest, as the Terraform
# fixture aws/facts/icmp-messages does with aws_network_acl_rule.
NO_ECHO_REQUESTS_ACL = """
  Acl: {Type: AWS::EC2::NetworkAcl, Properties: {VpcId: !Ref Vpc}}
  AclAssociation:
    Type: AWS::EC2::SubnetNetworkAclAssociation
    Properties: {SubnetId: !Ref Subnet, NetworkAclId: !Ref Acl}
  NoEchoRequests:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 1
      RuleAction: deny
      CidrBlock: 0.0.0.0/0
      Icmp: {Type: 8, Code: -1}
  AllIn:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 200
      Protocol: -1
      RuleAction: allow
      CidrBlock: 0.0.0.0/0
  AllOut:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: -1
      Egress: true
      RuleAction: allow
      CidrBlock: 0.0.0.0/0
"""


@pytest.mark.parametrize(
    ("from_port", "to_port", "extra", "traffic"),
    [
        # IpPermission: for ICMP, FromPort is the type and ToPort the code; -1 is every one.
        (8, 0, "", "icmp type 8 code 0"),
        (0, 0, "", "icmp type 0 code 0"),  # echo replies, not "all ICMP"
        (-1, -1, NO_ECHO_REQUESTS_ACL, "icmp types 0-7, types 9-255"),
    ],
)
def test_icmp_rules_name_a_type_and_a_code(
    tmp_path: Path, from_port: int, to_port: int, extra: str, traffic: str
) -> None:
    rule = f"{{IpProtocol: icmp, FromPort: {from_port}, ToPort: {to_port}, CidrIp: 0.0.0.0/0}}"
    template = _template(tmp_path, f"      SecurityGroupIngress:\n        - {rule}", extra=extra)
    report = run_check([template], [_rules(tmp_path, FROM_INTERNET)], builtin=False)
    assert [(f.destination.address, traffic_text(f.traffic)) for f in report.findings] == [
        ("Web", traffic)
    ]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("{AmazonProvidedIpv6CidrBlock: true}", [(("Vpc.Ipv6CidrBlocks",), 6)]),
        ("{Ipv6IpamPoolId: ipam-pool-1, Ipv6NetmaskLength: 56}", [(("Vpc.Ipv6CidrBlocks",), 6)]),
        (
            "{Ipv4IpamPoolId: ipam-pool-2, Ipv4NetmaskLength: 20}",
            [(("Vpc.CidrBlockAssociations",), 4)],
        ),
        (
            "{AmazonProvidedIpv6CidrBlock: !Ref WithIpv6}",
            [(("WithIpv6", "Vpc.Ipv6CidrBlocks"), 6)],
        ),
        ("{AmazonProvidedIpv6CidrBlock: false}", []),
        ("{Ipv6CidrBlock: '2600:1f18:1234:5600::/56'}", []),
    ],
)
def test_a_vpc_block_allocated_at_deployment_is_a_range_not_known(
    tmp_path: Path, block: str, expected: list[tuple[tuple[str, ...], int]]
) -> None:
    # AWS::EC2::VPCCidrBlock: AmazonProvidedIpv6CidrBlock "Requests an Amazon-provided IPv6 CIDR
    # block"; Ipv4IpamPoolId / Ipv6IpamPoolId allocate from an IPAM pool. The VPC holds the
    # block all the same: its range is not known before deployment, not absent.
    template = tmp_path / "vpc.yaml"
    template.write_text(
        f"""
Parameters:
  WithIpv6: {{Type: String, AllowedValues: ["true", "false"]}}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {{CidrBlock: 10.0.0.0/16}}
  Block:
    Type: AWS::EC2::VPCCidrBlock
    Properties: {{VpcId: !Ref Vpc, {block[1:-1]}}}
"""
    )
    network = build_model([template]).networks["Vpc"]
    assert [(r.sources, r.version) for r in network.unknown_ranges] == expected
    written = "2600:1f18:1234:5600::/56" in block
    assert network.cidrs == ["10.0.0.0/16", *(["2600:1f18:1234:5600::/56"] * written)]


def test_an_instance_whose_forwarding_is_not_known_follows_assume_unknown(tmp_path: Path) -> None:
    # A route to an instance leads through it only with its source/destination check off
    # (fixtures/aws/facts/nat-instance-forwards); a parameter without a value decides it here.
    fixture = REPO / "fixtures/aws/facts/nat-instance-forwards"
    template = tmp_path / "template.yaml"
    text = (fixture / "template.yaml").read_text()
    text = text.replace("SourceDestCheck: false", "SourceDestCheck: !Ref Forwarding")
    text = text.replace("Resources:", "Parameters:\n  Forwarding: {Type: String}\nResources:", 1)
    template.write_text(text)
    rules = [fixture / "rules.yaml"]
    opened = run_check([template], rules, builtin=False, assume_unknown="open").findings
    assert [(f.source.address, traffic_text(f.traffic)) for f in opened] == [("AppNat", "tcp 443")]
    assert opened[0].depends_on_unknown == ["ToNat: Nat.SourceDestCheck"]
    assert run_check([template], rules, builtin=False, assume_unknown="closed").findings == []


def test_a_subnet_block_written_apart_is_the_subnets(tmp_path: Path) -> None:
    # AWS::EC2::SubnetCidrBlock "Associates a CIDR block with your subnet": the same network
    # as fixtures/aws/facts/ipv6-on-launch with the Manual subnet's IPv6 block written apart.
    fixture = REPO / "fixtures/aws/facts/ipv6-on-launch/template.yaml"
    inline = (
        "      Ipv6CidrBlock: !Select [2, !Cidr [!Select [0, !GetAtt Vpc.Ipv6CidrBlocks], 4, 64]]\n"
    )
    text = fixture.read_text()
    assert inline in text
    apart = (
        "  ManualIpv6:\n    Type: AWS::EC2::SubnetCidrBlock\n    Properties:\n"
        "      SubnetId: !Ref Manual\n" + inline
    )
    template = tmp_path / "template.yaml"
    template.write_text(text.replace(inline, "").replace("  Routes:\n", apart + "  Routes:\n"))
    subnet = build_model([template]).subnets["Manual"]
    assert [(r.sources, r.version) for r in subnet.unknown_ranges] == [
        (("Vpc.Ipv6CidrBlocks[0]",), 6)
    ]
    admin = [f for f in run_check([template], []).findings if f.rule == "INTERNET-ADMIN-PORTS"]
    assert sorted(f.destination.address for f in admin) == ["Asked", "AutoInstance"]
