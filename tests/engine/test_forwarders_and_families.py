"""Address families and instances that forward, where they meet: a generated IPv6 block read
from the files, a load balancer's leg to its targets, a NAT instance's groups and public
address, and an appliance instance between two subnets. Each case derives from a fixture (named
in it) and the AWS documentation it cites."""

from __future__ import annotations

from pathlib import Path

from reachlint.commands.check import run_check
from reachlint.commands.design.query import run_query
from reachlint.inputs.load import build_model
from reachlint.reports.text import traffic_text

REPO = Path(__file__).resolve().parents[2]
NAT = REPO / "fixtures" / "aws" / "facts" / "nat-instance-forwards"
CLIENT_FAMILY = REPO / "fixtures" / "aws" / "facts" / "nlb-client-family"
_SUBNET_V6 = "!Select [2, !Cidr [!Select [0, !GetAtt Vpc.Ipv6CidrBlocks], 4, 64]]"


def _edited(tmp_path: Path, source: Path, *edits: tuple[str, str]) -> Path:
    text = source.read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    target = tmp_path / source.name
    target.write_text(text)
    return target


def test_a_generated_ipv6_block_is_a_range_not_known_in_a_directory(tmp_path: Path) -> None:
    # `assign_generated_ipv6_cidr_block = true`: the block is Amazon's to choose, and is not in
    # the files; the VPC still has it, and its local route carries IPv6 between its subnets.
    source = REPO / "fixtures/aws/facts/ipv6-family-end-to-end/main.tf"
    main = _edited(
        tmp_path,
        source,
        ('subnet_id              = aws_subnet.dual.id\n  vpc_security_group_ids = '
         '[aws_security_group.ssh_over_v6.id]',
         'subnet_id              = aws_subnet.other.id\n  vpc_security_group_ids = '
         '[aws_security_group.ssh_over_v6.id]'),
    )  # fmt: skip
    with main.open("a") as written:
        written.write(
            '\nresource "aws_subnet" "other" {\n  vpc_id = aws_vpc.main.id\n'
            '  cidr_block = "10.0.3.0/24"\n'
            "  ipv6_cidr_block = cidrsubnet(aws_vpc.main.ipv6_cidr_block, 8, 3)\n"
            "  assign_ipv6_address_on_creation = true\n}\n"
        )
    network = build_model([tmp_path]).networks["aws_vpc.main"]
    assert [(r.sources, r.version) for r in network.unknown_ranges] == [
        (("aws_vpc.main.ipv6_cidr_block",), 6)
    ]
    _, answer = run_query(
        [tmp_path], "aws_instance.client_both", "aws_instance.ssh_v6", protocol="tcp", port="22"
    )
    assert answer.reachable and traffic_text(answer.traffic) == "tcp 22"


def test_a_load_balancer_reaches_its_targets_over_their_target_groups_family(
    tmp_path: Path,
) -> None:
    # "The load balancer communicates with targets based on the IP address type of the target
    # group" (elasticloadbalancing/latest/application/load-balancer-ip-address-type.html): a
    # dual-stack target behind an IPv4 target group, its group admitting SSH over IPv6 only,
    # is not reached from the load balancer, whose address it then sees is IPv4.
    template = _edited(
        tmp_path,
        CLIENT_FAMILY / "template.yaml",
        ("    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24}",
         "    DependsOn: VpcIpv6\n    Properties:\n      VpcId: !Ref Vpc\n"
         "      CidrBlock: 10.0.2.0/24\n      AssignIpv6AddressOnCreation: true\n"
         f"      Ipv6CidrBlock: {_SUBNET_V6}"),
        ("Properties: {Port: 22, Protocol: TCP, VpcId: !Ref Vpc, "
         "Targets: [{Id: !Ref BehindV4}]}",
         "Properties:\n      Port: 22\n      Protocol: TCP\n      VpcId: !Ref Vpc\n"
         "      Targets: [{Id: !Ref BehindV4}]\n      TargetGroupAttributes:\n"
         "        [{Key: preserve_client_ip.enabled, Value: 'false'}]"),
        ("Properties: {Type: network, Subnets: [!Ref Public]}",
         "Properties: {Type: network, IpAddressType: dualstack, Subnets: [!Ref Public]}"),
    )  # fmt: skip
    _, answer = run_query([template], "internet", "BehindV4", protocol="tcp", port="22")
    assert not answer.reachable


def test_a_nat_instance_judges_the_senders_address_of_the_legs_family(tmp_path: Path) -> None:
    # The NAT instance translates IPv4: its group sees the sender's IPv4 address, so a rule for
    # ::/0 admits nothing it forwards to the IPv4 internet, even from a dual-stack sender.
    template = _edited(
        tmp_path,
        NAT / "template.yaml",
        ("{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16}",
         '{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIpv6: "::/0"}'),
        ("  Igw:\n",
         "  VpcIpv6:\n    Type: AWS::EC2::VPCCidrBlock\n"
         "    Properties: {VpcId: !Ref Vpc, AmazonProvidedIpv6CidrBlock: true}\n  Igw:\n"),
        ("Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24}",
         "Properties:\n      VpcId: !Ref Vpc\n      CidrBlock: 10.0.2.0/24\n"
         "      AssignIpv6AddressOnCreation: true\n"
         f"      Ipv6CidrBlock: {_SUBNET_V6}"),
    )  # fmt: skip
    _, answer = run_query([template], "AppNat", "internet", protocol="tcp", port="443")
    assert not answer.reachable
    assert [blocked.at.address for blocked in answer.blocked or []] == ["NatGroup"]


def test_a_nat_instance_whose_public_address_is_not_known_follows_assume_unknown(
    tmp_path: Path,
) -> None:
    # Whether the public subnet gives public addresses is a parameter: the NAT instance
    # translates to a public address only if it does, and the way out rests on that.
    template = _edited(
        tmp_path,
        NAT / "template.yaml",
        ("CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: true}",
         "CidrBlock: 10.0.1.0/24, MapPublicIpOnLaunch: !Ref GivesPublic}"),
        ("Resources:", "Parameters:\n  GivesPublic: {Type: String}\nResources:"),
    )  # fmt: skip
    rules = [NAT / "rules.yaml"]
    opened = run_check([template], rules, builtin=False).findings
    assert [(f.source.address, traffic_text(f.traffic)) for f in opened] == [("AppNat", "tcp 443")]
    assert opened[0].depends_on_unknown == ["the public address of Nat"]
    assert run_check([template], rules, builtin=False, assume_unknown="closed").findings == []


def test_an_appliance_instance_between_subnets_is_judged_by_its_groups(tmp_path: Path) -> None:
    # A route for another subnet of the VPC to the forwarding instance: what it forwards
    # passes its security group, which admits only tcp 443 from the VPC.
    template = _edited(
        tmp_path,
        NAT / "template.yaml",
        ("BehindNatTable, DestinationCidrBlock: 0.0.0.0/0,",
         "BehindNatTable, DestinationCidrBlock: 10.0.3.0/24,"),
        ("Properties: {GroupDescription: sends anything anywhere, VpcId: !Ref Vpc}",
         "Properties:\n      GroupDescription: sends anything anywhere\n      VpcId: !Ref Vpc\n"
         "      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 0, ToPort: 65535, "
         "CidrIp: 10.0.0.0/16}]"),
    )  # fmt: skip
    for port, reachable in (("443", True), ("80", False)):
        _, answer = run_query([template], "AppNat", "AppChecked", protocol="tcp", port=port)
        assert answer.reachable == reachable, port
    assert [blocked.at.address for blocked in answer.blocked or []] == ["NatGroup"]


def test_a_fixed_ipv4_address_leaves_the_ipv6_one_to_its_subnet(tmp_path: Path) -> None:
    # An instance whose private IPv4 address is written still gets an IPv6 address in a subnet
    # that assigns them (AssignIpv6AddressOnCreation): it connects over IPv6 from there.
    template = _edited(
        tmp_path,
        REPO / "fixtures/aws/facts/ipv6-family-end-to-end/template.yaml",
        ("[!GetAtt SendsBoth.GroupId]\n",
         "[!GetAtt SendsBoth.GroupId]\n      PrivateIpAddress: 10.0.1.10\n"),
    )  # fmt: skip
    _, answer = run_query([template], "ClientBoth", "SshV6", protocol="tcp", port="22")
    assert answer.reachable and traffic_text(answer.traffic) == "tcp 22"


def test_an_ipv6_client_needs_no_public_address_on_the_path() -> None:
    # IPv6 addresses are global: the database reached over IPv6 only (fixtures/aws/facts/
    # database-ipv6-dual-stack) is not said to get a public address, an IPv4 one.
    fixture = REPO / "fixtures/aws/facts/database-ipv6-dual-stack"
    (finding,) = run_check(
        [fixture / "plan.json"], [fixture / "rules.yaml"], builtin=False
    ).findings
    assert finding.destination.address == "aws_db_instance.public_dual"
    assert [hop.kind for hop in finding.path if hop.kind == "public-address"] == []
    assert "aws_internet_gateway.main" in [hop.address for hop in finding.path]


def test_nat64_reaches_the_ipv4_internet_at_the_prefixs_addresses() -> None:
    # fixtures/aws/facts/nat64-reaches-ipv4: what the instance's filters and routes see is
    # the NAT64 prefix, which stands for every IPv4 address of the internet.
    fixture = REPO / "fixtures/aws/facts/nat64-reaches-ipv4"
    (finding,) = run_check(
        [fixture / "plan.json"], [fixture / "rules.yaml"], builtin=False
    ).findings
    assert finding.addresses == ["64:ff9b::/96"]
