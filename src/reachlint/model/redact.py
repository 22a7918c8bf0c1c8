"""Sensitive values in the model: what it shows as text is hidden where a secret would show."""

from __future__ import annotations

from collections.abc import Iterable

from reachlint.model.network import NetworkModel
from reachlint.sensitive import SHOWN, Scrubber


def redact_model(
    model: NetworkModel, by_address: dict[str, set[str]], elsewhere: Iterable[str] = ()
) -> None:
    """Hide what the model shows as text when it is sensitive: rules' descriptions, NSG rules'
    names, and notes. `by_address` holds the sensitive texts of each resource (hidden in its
    own notes however short), `elsewhere` those of no one resource. The model remembers every
    sensitive text, for the reports."""
    secrets = set(elsewhere).union(*by_address.values())
    if not secrets:
        return
    model.sensitive.update(secrets)
    for group in model.security_groups.values():
        for rule in group.rules:
            if rule.description is not None and rule.description in secrets:
                rule.description = SHOWN
    for nsg in model.network_security_groups.values():
        for nsg_rule in nsg.rules:
            if nsg_rule.name in secrets:
                if nsg_rule.address.endswith(nsg_rule.name):  # an inline rule, named by it
                    nsg_rule.address = nsg_rule.address[: -len(nsg_rule.name)] + SHOWN
                nsg_rule.name = SHOWN
    everywhere = Scrubber(secrets)
    scrubbers = {address: Scrubber(found, minimum=1) for address, found in by_address.items()}
    for note in model.notes:
        own = scrubbers.get(note.address or "")
        message = own(note.message) if own is not None else note.message
        note.message = everywhere(message)
