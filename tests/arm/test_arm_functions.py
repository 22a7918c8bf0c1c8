"""Template functions, each with the result ARM documents for it."""

from __future__ import annotations

from typing import Any

import pytest
from arm_helpers import value_of

from reachlint.errors import InputError
from reachlint.formats.arm.values import Unknown

SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000"
GROUP = f"{SUBSCRIPTION}/resourceGroups/resource-group"

DOCUMENTED: list[tuple[str, Any]] = [
    # strings
    ("[concat('prefix-', 'name')]", "prefix-name"),
    ("[concat(createArray('1-1', '1-2'), createArray('2-1'))]", ["1-1", "1-2", "2-1"]),
    ("[concat('count-', 5)]", "count-5"),
    ("[format('{0}, {1}. Formatted number: {2:N0}', 'Hello', 'User', 8175133)]",
     "Hello, User. Formatted number: 8,175,133"),
    ("[format('vm-{0:D3}', 7)]", "vm-007"),
    ("[format('{{literal}} {0}', 'x')]", "{literal} x"),
    ("[replace('123-123-1234', '-', '')]", "1231231234"),
    ("[split('one,two,three', ',')]", ["one", "two", "three"]),
    ("[split('one;two,three', createArray(',', ';'))]", ["one", "two", "three"]),
    ("[toLower('One Two Three')]", "one two three"),
    ("[toUpper('One Two Three')]", "ONE TWO THREE"),
    ("[trim('    one two three   ')]", "one two three"),
    ("[padLeft('123', 10, '0')]", "0000000123"),
    ("[substring('one two three', 4, 3)]", "two"),
    ("[startsWith('abcdef', 'AB')]", True),
    ("[endsWith('abcdef', 'ef')]", True),
    ("[endsWith('abcdef', 'e')]", False),
    ("[indexOf('abcdef', 'CD')]", 2),
    ("[lastIndexOf('test', 't')]", 3),
    ("[indexOf('abcdef', 'z')]", -1),
    ("[string(createObject('valueA', 10, 'valueB', 'Example Text'))]",
     '{"valueA":10,"valueB":"Example Text"}'),
    ("[string(createArray('a', 'b', 'c'))]", '["a","b","c"]'),
    ("[string(5)]", "5"),
    ("[string(true())]", "True"),
    ("[json('{\"a\": \"b\"}')]", {"a": "b"}),
    ("[json('null')]", None),
    ("[join(createArray('a', 'b'), '-')]", "a-b"),
    ("[uri('http://contoso.com/resources/', 'nested/azuredeploy.json')]",
     "http://contoso.com/resources/nested/azuredeploy.json"),
    ("[first('One Two Three')]", "O"),
    ("[last('One Two Three')]", "e"),
    # logic and comparison
    ("[equals(1, 1)]", True),
    ("[equals('a', 'A')]", False),
    ("[equals(createArray('a', 'b'), createArray('a', 'b'))]", True),
    ("[equals(createObject('a', 1), createObject('A', 1))]", True),
    ("[equals(1, true())]", False),
    ("[less(10, 11)]", True),
    ("[less('A', 'a')]", True),
    ("[greater('A', 'a')]", False),
    ("[lessOrEquals(10, 10)]", True),
    ("[greaterOrEquals(9, 10)]", False),
    ("[not(true())]", False),
    ("[and(true(), false())]", False),
    ("[or(false(), true())]", True),
    ("[if(equals(1, 1), 'yes', 'no')]", "yes"),
    ("[coalesce(null(), null(), 'default')]", "default"),
    ("[bool('True')]", True),
    ("[bool(0)]", False),
    ("[int('4')]", 4),
    # numbers
    ("[add(5, 3)]", 8),
    ("[sub(7, 3)]", 4),
    ("[mul(5, 3)]", 15),
    ("[div(8, 3)]", 2),
    ("[div(-7, 2)]", -3),
    ("[mod(7, 3)]", 1),
    ("[mod(-7, 2)]", -1),
    ("[min(createArray(0, 3, 2, 5, 4))]", 0),
    ("[min(0, 3, 2)]", 0),
    ("[max(createArray(0, 3, 2, 5, 4))]", 5),
    ("[range(1, 3)]", [1, 2, 3]),
    ("[range(5, 0)]", []),
    # arrays and objects
    ("[createArray(1, 2, 3)]", [1, 2, 3]),
    ("[createObject('intProp', 1, 'stringProp', 'abc')]", {"intProp": 1, "stringProp": "abc"}),
    ("[array('efgh')]", ["efgh"]),
    ("[array(createArray(1))]", [1]),
    ("[empty('')]", True),
    ("[empty(createArray())]", True),
    ("[empty(createObject())]", True),
    ("[empty(null())]", True),
    ("[empty('a')]", False),
    ("[length('One Two Three')]", 13),
    ("[length(createArray('a', 'b'))]", 2),
    ("[length(createObject('a', 1))]", 1),
    ("[contains('OneTwoThree', 'e')]", True),
    ("[contains('OneTwoThree', 'z')]", False),
    ("[contains(createObject('one', 'a'), 'ONE')]", True),
    ("[contains(createArray('one', 'two', 'three'), 'three')]", True),
    ("[first(createArray('one', 'two'))]", "one"),
    ("[last(createArray('one', 'two'))]", "two"),
    ("[skip(createArray('one', 'two', 'three'), 2)]", ["three"]),
    ("[skip('one two three', 4)]", "two three"),
    ("[take(createArray('one', 'two', 'three'), 2)]", ["one", "two"]),
    ("[take('one two three', 2)]", "on"),
    ("[indexOf(createArray('a', 'b'), 'b')]", 1),
    ("[union(createObject('a', 'b', 'c', 'd'), createObject('c', 'e'))]", {"a": "b", "c": "e"}),
    ("[union(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2)))]",
     {"a": {"x": 1, "y": 2}}),
    ("[union(createArray('one', 'two'), createArray('two', 'three'))]", ["one", "two", "three"]),
    ("[intersection(createArray('one', 'two', 'three'), createArray('two', 'three'))]",
     ["two", "three"]),
    ("[intersection(createObject('one', 'a', 'two', 'b', 'three', 'c'), "
     "createObject('one', 'a', 'two', 'z', 'three', 'c'))]", {"one": "a", "three": "c"}),
    ("[items(createObject('b', 2, 'a', 1))]",
     [{"key": "a", "value": 1}, {"key": "b", "value": 2}]),
    ("[objectKeys(createObject('a', 1, 'b', 2))]", ["a", "b"]),
    ("[shallowMerge(createArray(createObject('a', 1), createObject('b', 2)))]", {"a": 1, "b": 2}),
    ("[flatten(createArray(createArray(1), createArray(2, 3)))]", [1, 2, 3]),
    ("[tryGet(createObject('a', createObject('b', 2)), 'a', 'b')]", 2),
    ("[tryGet(createObject('a', 1), 'missing')]", None),
    # lambdas
    ("[filter(createArray(1, 2, 3, 4), lambda('x', greater(lambdaVariables('x'), 2)))]", [3, 4]),
    ("[map(createArray(1, 2), lambda('x', mul(lambdaVariables('x'), 10)))]", [10, 20]),
    ("[map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), "
     "string(lambdaVariables('i')))))]", ["a0", "b1"]),
    ("[reduce(createArray(1, 2, 3), 0, lambda('cur', 'next', "
     "add(lambdaVariables('cur'), lambdaVariables('next'))))]", 6),
    ("[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), "
     "lambdaVariables('b'))))]", [1, 2, 3]),
    ("[toObject(createArray(createObject('name', 'a', 'v', 1)), lambda('e', "
     "lambdaVariables('e').name), lambda('e', lambdaVariables('e').v))]", {"a": 1}),
    # addresses
    ("[parseCidr('10.144.0.0/20')]", {
        "network": "10.144.0.0", "netmask": "255.255.240.0", "broadcast": "10.144.15.255",
        "firstUsable": "10.144.0.1", "lastUsable": "10.144.15.254", "cidr": 20,
    }),
    ("[cidrSubnet('10.144.0.0/20', 24, 2)]", "10.144.2.0/24"),
    ("[cidrSubnet('fdad:3236:5555::/48', 52, 1)]", "fdad:3236:5555:1000::/52"),
    ("[cidrHost('10.144.3.0/24', 0)]", "10.144.3.1"),
    ("[cidrHost('fdad:3236:5555:3000::/52', 2)]", "fdad:3236:5555:3000::3"),
    # resource ids and the deployment
    ("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]",
     f"{GROUP}/providers/Microsoft.Network/virtualNetworks/v/subnets/s"),
    ("[resourceId('otherGroup', 'Microsoft.Network/virtualNetworks', 'v')]",
     f"{SUBSCRIPTION}/resourceGroups/otherGroup/providers/Microsoft.Network/virtualNetworks/v"),
    ("[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg')]",
     f"{SUBSCRIPTION}/providers/Microsoft.Resources/resourceGroups/rg"),
    ("[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]",
     "/providers/Microsoft.Management/managementGroups/mg"),
    ("[extensionResourceId(resourceId('Microsoft.Network/virtualNetworks', 'v'), "
     "'Microsoft.Authorization/locks', 'lock')]",
     f"{GROUP}/providers/Microsoft.Network/virtualNetworks/v/providers/"
     "Microsoft.Authorization/locks/lock"),
    ("[resourceGroup().name]", "resource-group"),
    ("[resourceGroup().id]", GROUP),
    ("[subscription().subscriptionId]", "00000000-0000-0000-0000-000000000000"),
    ("[deployment().name]", "deployment"),
    ("[environment().name]", "AzureCloud"),
    ("[environment().suffixes.storage]", "core.windows.net"),
    # property access
    ("[createObject('a', createObject('b', 1)).a.b]", 1),
    ("[createObject('a', createObject('B', 1))['A'].b]", 1),
    ("[createArray(1, 2)[1]]", 2),
]  # fmt: skip


@pytest.mark.parametrize(("expression", "expected"), DOCUMENTED)
def test_documented_result(expression: str, expected: Any) -> None:
    assert value_of(expression) == expected


def test_unique_string_and_guid_are_stable_and_shaped_like_arm() -> None:
    first = value_of("[uniqueString('a', 'b')]")
    assert first == value_of("[uniqueString('a', 'b')]") != value_of("[uniqueString('a', 'c')]")
    assert len(first) == 13 and first.isalnum() and first == first.lower()
    guid = value_of("[guid('a', 'b')]")
    assert len(guid) == 36 and guid.count("-") == 4 and guid == value_of("[guid('a', 'b')]")


@pytest.mark.parametrize(
    "expression",
    [
        "[utcNow()]",
        "[newGuid()]",
        "[listKeys('x', '2023-01-01').keys[0].value]",
        "[base64('x')]",
        "[dataUri('x')]",
        "[concat('a', utcNow())]",
        "[toLower(reference('outside').ipAddress)]",
        "[if(equals(utcNow(), 'x'), 1, 2)]",
        "[substring('abc', 2, 5)]",
        "[createObject('a', 1).missing]",
        "[createArray(1)[3]]",
        "[someFutureFunction(1)]",
    ],
)
def test_what_is_known_only_at_deployment_is_unknown(expression: str) -> None:
    assert isinstance(value_of(expression), Unknown)


def test_unknowns_stay_inside_containers_and_do_not_decide_settled_logic() -> None:
    assert value_of("[length(createArray(utcNow(), 1))]") == 2
    assert value_of("[and(false(), equals(utcNow(), 'x'))]") is False
    assert value_of("[or(true(), equals(utcNow(), 'x'))]") is True
    assert value_of("[if(true(), 'chosen', utcNow())]") == "chosen"


def test_parameters_variables_and_variable_loops() -> None:
    sections = {
        "parameters": {"Name": {"type": "string", "defaultValue": "[toUpper('web')]"}},
        "variables": {
            "greeting": "[format('hello {0}', parameters('name'))]",
            "copy": [{"name": "disks", "count": 2, "input": "[copyIndex('disks', 1)]"}],
        },
    }
    assert value_of("[variables('GREETING')]", **sections) == "hello WEB"
    assert value_of("[variables('disks')]", **sections) == [1, 2]


def test_user_defined_functions() -> None:
    functions = [
        {
            "namespace": "ns",
            "members": {
                "prefixed": {
                    "parameters": [{"name": "name", "type": "string"}],
                    "output": {
                        "type": "string",
                        "value": "[format('a-{0}', parameters('name'))]",
                    },
                }
            },
        }
    ]
    assert value_of("[ns.prefixed('web')]", functions=functions) == "a-web"


def test_a_variable_that_refers_to_itself_is_an_input_error() -> None:
    with pytest.raises(InputError, match="variable 'a' refers to itself"):
        value_of("[variables('a')]", variables={"a": "[variables('a')]"})


@pytest.mark.parametrize("default", ["[utcNow('MMddHHmmss')]", "[newGuid()]"])
def test_a_string_parameter_whose_default_exists_only_at_deployment_stands_for_itself(
    default: str,
) -> None:
    # utcNow() and newGuid() are allowed only as a parameter's default and are known only when
    # the deployment runs: like a parameter without a value, names built from it read `{t}`
    # and resource ids built from them still match (quickstart application-gateway-ipv6-create
    # names its VNet so).
    parameters = {"t": {"type": "string", "defaultValue": default}}
    name = value_of("[format('{0}{1}', 'myVNet', parameters('t'))]", parameters=parameters)
    assert name == "myVNet{t}"
    assert value_of("[parameters('t')]", parameters=parameters) == "{t}"
    # Other types stay unknown.
    number = {"n": {"type": "int", "defaultValue": "[length(utcNow())]"}}
    assert isinstance(value_of("[parameters('n')]", parameters=number), Unknown)
