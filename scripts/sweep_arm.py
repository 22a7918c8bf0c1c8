"""Load every ARM template under a directory and report what reachlint makes of them.

    python scripts/sweep_arm.py DIR [--verbose]

Each *.json that looks like a template (parameters files and metadata are skipped) is loaded
with the parameters file beside it and mapped to the network model. A template that needs a
parameter with no value is reported as an input error and then loaded again with placeholder
values, so the rest of it is exercised too. Where a classic template and its languageVersion 2.0
twin (`X.json` and `X.symbolicnames.json`) both exist, their models are compared. Exits 1 when
any template crashed (a traceback instead of a model or an input error).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from reachlint.dialects.arm import load_arm_template, looks_like_arm
from reachlint.errors import InputError
from reachlint.formats.arm.values import find_key, lookup
from reachlint.formats.jsonpos import read_json_file
from reachlint.model.network import NetworkModel

_PLACEHOLDERS: dict[str, Any] = {
    "int": 1,
    "bool": False,
    "array": [],
    "object": {},
    "secureobject": {},
}


def placeholders(document: Any, path: Path) -> dict[str, Any]:
    """A value for each parameter that has neither a default nor a value in a parameters file."""
    from reachlint.dialects.arm import parameters_file_for

    given: set[str] = set()
    parameters_file = parameters_file_for(path)
    if parameters_file is not None:
        supplied = lookup(read_json_file(parameters_file), "parameters")
        given = {name.lower() for name in supplied} if isinstance(supplied, dict) else set()
    values: dict[str, Any] = {}
    declared = lookup(document, "parameters")
    for name, declaration in (declared if isinstance(declared, dict) else {}).items():
        if not isinstance(declaration, dict) or name.lower() in given:
            continue
        if find_key(declaration, "defaultValue") is None:
            kind = str(lookup(declaration, "type", "string")).lower()
            allowed = lookup(declaration, "allowedValues")
            if isinstance(allowed, list) and allowed:
                values[name] = allowed[0]
            else:
                values[name] = _PLACEHOLDERS.get(kind, f"{name.lower()}1")
    return values


def comparable(model: NetworkModel) -> Any:
    """The model without origins and inputs, notes as a sorted list of messages."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "origin"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    dumped = model.model_dump()
    dumped.pop("inputs")
    notes = sorted(n["message"] for n in dumped.pop("notes"))
    return strip(dumped), notes


def first_difference(left: Any, right: Any, path: str = "") -> str | None:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if key not in left or key not in right:
                return f"{path}/{key}: only in {'classic' if key in left else 'symbolic'}"
            found = first_difference(left[key], right[key], f"{path}/{key}")
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{path}: {len(left)} vs {len(right)} items"
        for position, (a, b) in enumerate(zip(left, right, strict=True)):
            found = first_difference(a, b, f"{path}[{position}]")
            if found:
                return found
        return None
    return None if left == right else f"{path}: {left!r} vs {right!r}"


def count_model(model: NetworkModel, totals: Counter[str]) -> None:
    totals["networks"] += len(model.networks)
    totals["subnets"] += len(model.subnets)
    totals["NSGs"] += len(model.network_security_groups)
    totals["NSG rules (own)"] += sum(
        1 for nsg in model.network_security_groups.values() for r in nsg.rules if not r.is_default
    )
    totals["ASGs"] += len(model.application_security_groups)
    totals["route tables"] += len(model.route_tables)
    totals["routes"] += sum(len(t.routes) for t in model.route_tables.values())
    totals["peerings"] += len(model.peerings)
    totals["on-premises sites"] += len(model.onprem_sites)
    totals["target groups"] += len(model.target_groups)
    totals["public IPs attached"] += len(model.elastic_ips)
    for endpoint in model.endpoints.values():
        totals[f"endpoints: {endpoint.kind}"] += 1
        if endpoint.load_balancer is not None:
            totals["listeners"] += len(endpoint.load_balancer.listeners)
    for gateway in model.gateways.values():
        totals[f"gateways: {gateway.kind}"] += 1
    totals["notes"] += len(model.notes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--verbose", action="store_true", help="one line per template")
    options = parser.parse_args()

    outcome: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    models: dict[Path, NetworkModel] = {}
    slowest: tuple[float, Path | None] = (0.0, None)
    started = time.perf_counter()
    for path in sorted(options.directory.rglob("*.json")):
        if path.name.endswith(".parameters.json") or path.name == "metadata.json":
            continue
        try:
            document = read_json_file(path)
        except InputError as err:
            outcome["unreadable JSON"] += 1
            print(f"unreadable: {err}")
            continue
        if not looks_like_arm(document):
            continue
        outcome["templates"] += 1
        began = time.perf_counter()
        try:
            try:
                model = load_arm_template(path, document=document)
                outcome["loaded"] += 1
            except InputError as err:
                outcome["input errors"] += 1
                reason = err.message.split("'")[0] + ("..." if "'" in err.message else "")
                errors[reason] += 1
                print(f"input error: {err}")
                values = placeholders(document, path)
                if not values or "has no value and no default" not in err.message:
                    continue
                model = load_arm_template(path, document=document, parameter_values=values)
                outcome["loaded with placeholder parameters"] += 1
        except InputError as err:
            outcome["input errors with placeholders"] += 1
            print(f"input error (placeholders): {err}")
            continue
        except Exception:
            outcome["crashes"] += 1
            print(f"CRASH {path}\n{traceback.format_exc()}")
            continue
        elapsed = time.perf_counter() - began
        slowest = max(slowest, (elapsed, path), key=lambda item: item[0])
        models[path] = model
        count_model(model, totals)
        if options.verbose:
            print(
                f"{path}: {len(model.endpoints)} endpoints, {len(model.subnets)} subnets, "
                f"{len(model.notes)} notes, {elapsed * 1000:.0f} ms"
            )

    pairs = mismatched = 0
    for path, model in models.items():
        if path.name.endswith(".symbolicnames.json"):
            continue
        twin = path.with_name(path.name[: -len(".json")] + ".symbolicnames.json")
        if twin not in models:
            continue
        pairs += 1
        classic, symbolic = comparable(model), comparable(models[twin])
        if classic != symbolic:
            mismatched += 1
            where = first_difference(classic[0], symbolic[0]) or "notes differ"
            print(f"mismatch: {path} vs {twin.name}: {where}")

    print("\n== totals ==")
    for key in ("templates", "loaded", "input errors", "loaded with placeholder parameters",
                "input errors with placeholders", "unreadable JSON", "crashes"):  # fmt: skip
        print(f"{key:40} {outcome[key]}")
    print(f"{'classic/symbolic pairs compared':40} {pairs}")
    print(f"{'pairs whose models differ':40} {mismatched}")
    print("\n== input errors by kind ==")
    for reason, count in errors.most_common():
        print(f"{count:5}  {reason}")
    print("\n== modelled ==")
    for key, count in sorted(totals.items()):
        print(f"{key:40} {count}")
    print(
        f"\n{time.perf_counter() - started:.1f} s in all; slowest {slowest[0]:.2f} s: {slowest[1]}"
    )
    return 1 if outcome["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
