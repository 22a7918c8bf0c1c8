"""Every input of the corpus of public examples goes through reachlint without a crash."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "sweep_corpus.py"


def _sweep_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sweep_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def test_every_corpus_input_loads_or_is_refused_with_a_message() -> None:
    sweep = _sweep_module()
    if not sweep.DEFAULT_CORPUS.is_dir():
        pytest.skip(f"no corpus at {sweep.DEFAULT_CORPUS}")
    result = sweep.sweep(sweep.DEFAULT_CORPUS, timeout=60.0)
    assert not result.crashes, "\n".join(result.crashes)
    assert not result.too_slow, "\n".join(result.too_slow)
    plans = result.kinds["terraform-plan"]
    assert plans.found > 100
    assert plans.analysed + plans.input_errors == plans.found
    # The CloudFormation templates (YAML) of the AWS samples and the policy-engine tests.
    templates = result.kinds["cloudformation"]
    assert templates.found >= 15
    assert templates.analysed == templates.found
