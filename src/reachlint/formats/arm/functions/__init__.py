"""ARM template functions that need nothing but their arguments.

Each takes the evaluated arguments and returns a value, or raises `EvalError` when the template
gives it something ARM itself would refuse. Arguments that are unknown are handled before these
run (the result is unknown), except where a function is marked as accepting them.
Functions whose result exists only at deployment time return `Unknown`.

One module per family, as ARM's documentation groups them: strings, comparison (and logic),
numbers, arrays (and objects), cidr, and deferred (dates and other values of the deployment
itself); `arguments` holds what they share. Functions that read the deployment's context
(resourceId(), resourceGroup()...) are in `context`, those that call a lambda in `lambdas`.
"""

from __future__ import annotations

from reachlint.formats.arm.functions import arrays, cidr, comparison, deferred, numbers, strings
from reachlint.formats.arm.functions.arguments import Function

# Pure functions by lower-case name. Those that accept unknown arguments are listed below.
PURE: dict[str, Function] = {
    name: implementation
    for family in (strings, comparison, numbers, arrays, cidr, deferred)
    for name, implementation in family.FUNCTIONS.items()
}
# These take unknowns inside the argument list as values (a list may hold unknown items).
ACCEPTS_UNKNOWN = frozenset({"createarray", "createobject", "array", "tryget"})
