"""Terraform's built-in functions, as far as a network model needs them.

Each function takes evaluated arguments and returns a value or raises EvalError with the
reason Terraform would give. Unknown arguments give an unknown result that keeps their sources,
except where Terraform knows the answer anyway (the length of a list of unknown ids).
Functions that read files or the clock are not here: the evaluator makes them unknown.

One module per family, as Terraform's documentation groups them: network (cidrsubnet...),
collection, numeric, strings (format too), regex (regex, regexall, replace), encoding (base64,
JSON, hashes) and conversion (tostring, sensitive...); `registry` holds what they share.
"""

from __future__ import annotations

from reachlint.formats.hcl.functions import (
    collection,
    conversion,
    encoding,
    network,
    numeric,
    regex,
    strings,
)
from reachlint.formats.hcl.functions.registry import Function
from reachlint.formats.hcl.values import EvalError, Value
from reachlint.limits import WORK

FUNCTIONS: dict[str, Function] = {
    name: implementation
    for family in (network, collection, numeric, strings, regex, encoding, conversion)
    for name, implementation in family.FAMILY.functions.items()
}

# Functions whose result depends on files, the clock or randomness: unknown before apply
# (or, for files, deliberately not read).
NOT_EVALUATED = frozenset(
    {
        "file",
        "fileexists",
        "fileset",
        "filebase64",
        "filebase64sha256",
        "filebase64sha512",
        "filemd5",
        "filesha1",
        "filesha256",
        "filesha512",
        "templatefile",
        "timestamp",
        "plantimestamp",
        "uuid",
        "bcrypt",
        "abspath",
        "pathexpand",
        "yamlencode",
        "yamldecode",
        "textdecodebase64",
        "textencodebase64",
        "uuidv5",
        "rsadecrypt",
        "timeadd",
        "timecmp",
        "formatdate",
        "templatestring",
    }
)


def call_function(name: str, args: list[Value]) -> Value:
    """Call built-in `name`; EvalError for a wrong use. The caller checks the name exists."""
    try:
        result = FUNCTIONS[name](args)
    except EvalError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError, ZeroDivisionError) as err:
        raise EvalError(f"{name}() cannot be applied to these arguments ({err})") from None
    WORK.charge_value(result)
    return result
