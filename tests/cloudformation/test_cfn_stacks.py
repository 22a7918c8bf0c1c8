"""Reading stacks: conditions, nested stacks, parameters files, cloud assemblies, GetAtt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reachlint.dialects.cloudformation.attributes import Attributes
from reachlint.dialects.cloudformation.parameters import read_parameters_file
from reachlint.dialects.cloudformation.stacks import StackOptions, read_stacks
from reachlint.errors import InputError
from reachlint.formats.cloudformation.values import ResourceRef, Unknown

REPO = Path(__file__).resolve().parents[2]
CDK = REPO / "fixtures" / "cloudformation" / "cdk-webapp" / "cdk.out"


def _stacks(path: Path, **values: object) -> dict[str, object]:
    stacks = read_stacks(path, StackOptions(dict(values), Attributes()))
    return {r.address: r for s in stacks for r in s.resources.values()}


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_false_condition_leaves_the_resource_out_and_an_unknown_one_keeps_it(
    tmp_path: Path,
) -> None:
    template = _write(
        tmp_path / "t.yaml",
        """
Parameters:
  Env: {Type: String, Default: dev}
  Open: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsOpen: !Equals [!Ref Open, "yes"]
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  ProdOnly: {Type: AWS::EC2::VPC, Condition: IsProd, Properties: {CidrBlock: 10.1.0.0/16}}
  Maybe: {Type: AWS::EC2::VPC, Condition: IsOpen, Properties: {CidrBlock: 10.2.0.0/16}}
""",
    )
    resources = _stacks(template)
    assert set(resources) == {"Vpc", "Maybe"}
    maybe = resources["Maybe"]
    assert isinstance(maybe.condition, Unknown) and maybe.condition.names == ("Open",)  # type: ignore[attr-defined]
    assert set(_stacks(template, Env="prod", Open="no")) == {"Vpc", "ProdOnly"}


def test_getatt_repeats_what_the_template_decides(tmp_path: Path) -> None:
    template = _write(
        tmp_path / "t.yaml",
        """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: !Select [1, !Cidr [!GetAtt Vpc.CidrBlock, 4, 8]]
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: g, VpcId: !GetAtt Subnet.VpcId}
  Rule:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Group.GroupId
      IpProtocol: tcp
      FromPort: !GetAtt Db.Endpoint.Port
      ToPort: !GetAtt Db.Endpoint.Port
      SourceSecurityGroupId: !GetAtt Vpc.DefaultSecurityGroup
  Db: {Type: AWS::RDS::DBInstance, Properties: {Engine: postgres}}
  Loop: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !GetAtt Loop.CidrBlock}}
""",
    )
    resources = _stacks(template)
    assert resources["Subnet"].properties["CidrBlock"] == "10.0.1.0/24"  # type: ignore[attr-defined]
    group = resources["Group"].properties  # type: ignore[attr-defined]
    assert group["VpcId"] == ResourceRef("Vpc")
    rule = resources["Rule"].properties  # type: ignore[attr-defined]
    assert rule["GroupId"] == ResourceRef("Group")
    # PostgreSQL's default port: the RDS documentation's default when Port is not written.
    assert rule["FromPort"] == rule["ToPort"] == 5432
    assert rule["SourceSecurityGroupId"] == ResourceRef("Vpc")
    assert isinstance(resources["Loop"].properties["CidrBlock"], Unknown)  # type: ignore[attr-defined]


def test_a_local_nested_stack_is_read_with_the_parameters_it_is_given(tmp_path: Path) -> None:
    _write(
        tmp_path / "child.yaml",
        """
Parameters:
  Cidr: {Type: String}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}
""",
    )
    parent = _write(
        tmp_path / "parent.yaml",
        """
Resources:
  Network:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
      Parameters: {Cidr: 10.9.0.0/16}
  Remote:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: "https://s3.amazonaws.com/bucket/remote.yaml"}
""",
    )
    stacks = read_stacks(parent, StackOptions({}, Attributes()))
    resources = {r.address: r for s in stacks for r in s.resources.values()}
    assert resources["Network/Vpc"].properties["CidrBlock"] == "10.9.0.0/16"
    notes = [message for s in stacks for _, message, _ in s.notes]
    assert any("remote" in note and "Remote" in note for note in notes)


def test_a_nested_stack_is_passed_the_parents_values_and_its_outputs_are_read_back(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path / "child.yaml",
        """
Parameters:
  VpcId: {Type: String}
  Subnets: {Type: List<AWS::EC2::Subnet::Id>}
  Stage: {Type: String, AllowedValues: [test, prod]}
  Cidr: {Type: String}
Resources:
  Group: {Type: AWS::EC2::SecurityGroup, Properties: {VpcId: !Ref VpcId}}
  Lb: {Type: AWS::ElasticLoadBalancingV2::LoadBalancer, Properties: {Subnets: !Ref Subnets}}
  Tagged:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: !Ref Cidr, Tags: [{Key: s, Value: !Ref Stage}]}
Outputs:
  Group: {Value: !GetAtt Group.GroupId}
  Given: {Value: !Ref VpcId}
""",
    )
    parent = _write(
        tmp_path / "parent.yaml",
        """
Parameters:
  Stage: {Type: String}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  A: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc}}
  B: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc}}
  Rule:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Web.Outputs.Given
      SourceSecurityGroupId: !GetAtt Web.Outputs.Group
  Web:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
      Parameters:
        VpcId: !Ref Vpc
        Subnets: !Join [",", [!Ref A, !Ref B]]
        Stage: !Ref Stage
        Cidr: !GetAtt Vpc.CidrBlock
""",
    )
    stacks = read_stacks(parent, StackOptions({}, Attributes()))
    resources = {r.address: r for s in stacks for r in s.resources.values()}
    group = resources["Web/Group"]
    # The parent's VPC, not a resource of the child's: the reference names the parent's stack.
    assert group.properties["VpcId"] == ResourceRef("Vpc", stack="")
    assert group.address_of(group.properties["VpcId"]) == "Vpc"
    subnets = resources["Web/Lb"].properties["Subnets"]
    assert [resources["Web/Lb"].address_of(s) for s in subnets] == ["A", "B"]
    tagged = resources["Web/Tagged"].properties
    assert tagged["CidrBlock"] == "10.0.0.0/16"
    stage = tagged["Tags"][0]["Value"]
    assert isinstance(stage, Unknown)
    assert stage.names == ("Stage",)
    rule = resources["Rule"]
    assert rule.address_of(rule.properties["GroupId"]) == "Vpc"
    assert rule.address_of(rule.properties["SourceSecurityGroupId"]) == "Web/Group"


def test_a_nested_stack_passed_its_own_output_reads_it_as_unknown(tmp_path: Path) -> None:
    _write(
        tmp_path / "child.yaml",
        """
Parameters:
  Cidr: {Type: String}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Ref Cidr}}
Outputs:
  Cidr: {Value: !Ref Cidr}
""",
    )
    parent = _write(
        tmp_path / "parent.yaml",
        """
Resources:
  Loop:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: child.yaml
      Parameters: {Cidr: !GetAtt Loop.Outputs.Cidr}
""",
    )
    resources = _stacks(parent)
    assert isinstance(resources["Loop/Vpc"].properties["CidrBlock"], Unknown)  # type: ignore[attr-defined]


def test_a_nested_template_outside_the_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    inside = tmp_path / "stacks"
    inside.mkdir()
    parent = _write(
        inside / "parent.yaml",
        """
Resources:
  Escape:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: ../../../../../../etc/passwd}
""",
    )
    with pytest.raises(InputError, match="outside"):
        read_stacks(parent, StackOptions({}, Attributes()))


def test_parameters_files_in_the_cli_and_pipeline_forms(tmp_path: Path) -> None:
    cli = tmp_path / "cli.json"
    cli.write_text(
        json.dumps(
            [
                {"ParameterKey": "Cidr", "ParameterValue": "10.0.0.0/16"},
                {"ParameterKey": "Old", "UsePreviousValue": True},
            ]
        )
    )
    assert read_parameters_file(cli) == {"Cidr": "10.0.0.0/16"}
    pipeline = tmp_path / "pipeline.json"
    pipeline.write_text(json.dumps({"Parameters": {"Cidr": "10.1.0.0/16"}}))
    assert read_parameters_file(pipeline) == {"Cidr": "10.1.0.0/16"}
    broken = tmp_path / "broken.json"
    broken.write_text('{"Cidr": "10.0.0.0/16"}')
    with pytest.raises(InputError, match="not a CloudFormation parameters file"):
        read_parameters_file(broken)


def test_a_cloud_assembly_names_construct_paths_and_keeps_logical_ids() -> None:
    resources = _stacks(CDK)
    bastion = resources["Bastion6045F255"]
    assert bastion.construct_path == "Prod/WebAppStack/Bastion/Resource/Resource"  # type: ignore[attr-defined]
    assert bastion.stack.name == "Prod/WebAppStack"  # type: ignore[attr-defined]


def test_a_value_for_a_parameter_no_stack_declares_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no stack of the cloud assembly declares"):
        read_stacks(CDK, StackOptions({"Nope": "1"}, Attributes()))


def test_an_import_of_another_stacks_export_links_to_its_resource(tmp_path: Path) -> None:
    # Two stacks of one app, as `cdk synth` writes a reference from one to the other: the
    # network stack exports its subnet, the app stack imports it (Fn::ImportValue).
    network = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24"},
            },
        },
        "Outputs": {
            "ExportsOutputRefSubnet": {
                "Value": {"Ref": "Subnet"},
                "Export": {"Name": "Network:ExportsOutputRefSubnet"},
            }
        },
    }
    app = {
        "Resources": {
            "Web": {
                "Type": "AWS::EC2::Instance",
                "Properties": {
                    "ImageId": "ami-12345678",
                    "SubnetId": {"Fn::ImportValue": "Network:ExportsOutputRefSubnet"},
                    "KeyName": {"Fn::ImportValue": "Elsewhere:KeyName"},
                },
            }
        }
    }
    (tmp_path / "Network.template.json").write_text(json.dumps(network))
    (tmp_path / "App.template.json").write_text(json.dumps(app))
    manifest = {
        "version": "55.0.0",
        "artifacts": {
            name: {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": f"{name}.template.json"},
                "displayName": name,
            }
            for name in ("Network", "App")
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    resources = _stacks(tmp_path)
    web = resources["App/Web"]
    subnet = web.properties["SubnetId"]  # type: ignore[attr-defined]
    assert subnet == ResourceRef("Subnet", None, "Network/")
    assert web.address_of(subnet) == "Network/Subnet"  # type: ignore[attr-defined]
    # An export no stack of the input has stays unknown.
    assert isinstance(web.properties["KeyName"], Unknown)  # type: ignore[attr-defined]
