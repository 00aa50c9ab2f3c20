"""The parameter table drives everything: every entry round-trips through config <-> dict <-> CLI flags <-> query
string, has its control, and is shown exactly for the methods that use it; bad values fail in plain words."""
import argparse
import math

import pytest

from kdemo.settings.config import Hyper, TrainConfig
from kdemo.methods.distillers import DISTILLERS
from kdemo.settings.params import DEFAULTS, GROUPS, PARAMS, method_params, visible
from kdemo.settings.text import add_flags, cli_command, config_from_args, flag, from_query, to_query



def other_value(p):
    """A valid value of a method hyperparameter other than its default, from its declaration alone (so a method
    added later is covered without editing this file)."""
    if p.kind == "bool":
        return not p.default
    if p.kind == "choice":
        return next(c for c in p.choices if c != p.default)
    value = p.lo + (p.hi - p.lo) / 3 if p.default == p.lo or p.default is None else (p.default + p.lo) / 2
    return round(value) if p.kind == "int" else value


# A valid non-default value for every setting (a config with all of them changed at once must still be valid).
CHANGED = {"dataset": "fashion_mnist", "teacher": "lenet5", "student": "mlp_20", "teacher_source": "train",
           "teacher_epochs": 0.5, "method": "dkd",
           **{p.name: other_value(p) for p in PARAMS if p.group == "method" and p.name != "method"},
           "epochs": 2.5, "n_labeled": 600, "seeds": 5, "twin": False, "optimizer": "adam", "lr": 0.0003, "twin_lr": 0.02,
           "schedule": "cosine", "momentum": 0.5, "weight_decay": 0.0001, "batch_size": 32, "transfer_set": "all",
           "omit_classes": (3, 5), "augment": False, "seed": 2**31 - 1, "eval_samples": None, "eval_points": 7,
           "time_budget_s": 30.0, "log_points": 9, "track": "tensorboard", "device": "cpu"}
BAD = {"choice": ["nope", 3, None], "int": [2.5, "abc", float("nan"), float("inf"), True, 10**12],
       "float": ["x", float("nan"), float("-inf"), True, 1e12], "bool": ["yes", 1, None], "classes": ["3", [42]]}


def test_the_table_covers_every_setting_once():
    names = [p.name for p in PARAMS]
    assert len(names) == len(set(names)) and set(CHANGED) == set(names)
    assert all(p.group in GROUPS for p in PARAMS)
    for p in PARAMS:
        assert p.label and p.short and p.help, p.name
        assert p.check(p.default) == p.default, p.name            # every default is valid
    assert TrainConfig() == TrainConfig(**DEFAULTS)


@pytest.mark.parametrize("p", PARAMS, ids=lambda p: p.name)
def test_every_entry_round_trips(p):
    cfg = TrainConfig(**{**DEFAULTS, p.name: CHANGED[p.name]})
    value = getattr(cfg, p.name)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg                      # dict
    assert TrainConfig.from_json(cfg.to_json()) == cfg                      # JSON
    assert p.parse(p.format(value)) == value                                # text
    if p.shared:
        back, rest, ignored = from_query(to_query(cfg))                     # query string
        assert (back, rest, ignored) == (cfg, {}, [])
    ap = argparse.ArgumentParser()
    add_flags(ap)
    line = cli_command(cfg).split()[4:]                                     # CLI flags
    if not p.shared:
        line += [flag(p), p.format(value)]
    assert config_from_args(ap.parse_args(line)) == cfg


def test_all_settings_changed_at_once_round_trip():
    cfg = TrainConfig(**CHANGED)
    back, _, ignored = from_query(to_query(cfg))
    # the device is the server's business, and trackers the command line's
    assert ignored == [] and back == cfg.replace(device="auto", track="none")
    ap = argparse.ArgumentParser()
    add_flags(ap)
    assert config_from_args(ap.parse_args(cli_command(cfg).split()[4:] + ["--device", "cpu", "--track",
                                                                           "tensorboard"])) == cfg


@pytest.mark.parametrize("p", PARAMS, ids=lambda p: p.name)
def test_bad_values_fail_in_plain_words(p):
    for bad in BAD[p.kind]:
        with pytest.raises(ValueError) as e:
            TrainConfig(**{p.name: bad})
        text = str(e.value)
        assert (p.name in text or p.label in text) and "Error" not in text and len(text) < 300, text
    if p.kind in ("int", "float") and not p.optional:
        with pytest.raises(ValueError, match="is empty: enter (.* or )?a number"):
            TrainConfig(**{p.name: None})


@pytest.mark.parametrize("p", PARAMS, ids=lambda p: p.name)
def test_bad_query_values_are_ignored_with_a_reason(p):
    if not p.shared:
        return
    bad = {"choice": "nope", "int": "abc", "float": "nan", "bool": "maybe", "classes": "42"}[p.kind]
    cfg, rest, ignored = from_query({p.name: bad, "colour": "red"})
    assert cfg == TrainConfig() and rest == {"colour": "red"}
    assert len(ignored) == 1 and (p.name in ignored[0] or p.label in ignored[0])


def test_an_impossible_combination_costs_only_its_own_key():
    cfg, _, ignored = from_query("method=fitnets&student=mlp_20&temperature=9")
    assert cfg.student == "mlp_20" and cfg.method == DEFAULTS["method"] and cfg.temperature == 9
    assert len(ignored) == 1 and "feature maps" in ignored[0]


def test_long_queries_are_ignored_whole():
    cfg, _, ignored = from_query("temperature=8&" + "x=1&" * 2000)
    assert cfg == TrainConfig() and "longer than" in ignored[0]


def test_visibility_follows_the_methods_that_use_each_entry():
    for method, cls in DISTILLERS.items():
        shown = {p.name for p in method_params(method)}
        assert shown == {p.name for p in cls.params}, method     # exactly what the class says it reads
    # spot checks against the papers: DKD's weights are its own, T is read by the soft-target methods only
    assert {"alpha", "beta", "warmup_epochs", "temperature"} <= {p.name for p in method_params("dkd")}
    assert "alpha" not in {p.name for p in method_params("kd")}
    assert "temperature" not in {p.name for p in method_params("fitnets")}
    assert [p.name for p in method_params("ce")] == ["ce_weight"]
    for method in DISTILLERS:
        teacher = DISTILLERS[method].needs_teacher
        for name in ("teacher", "teacher_source", "transfer_set"):
            assert visible(next(p for p in PARAMS if p.name == name), {"method": method}) == teacher
    te = next(p for p in PARAMS if p.name == "teacher_epochs")
    assert not visible(te, {"method": "kd"}) and visible(te, {"method": "kd", "teacher_source": "train"})


def test_what_the_losses_read_is_generated_from_the_table():
    hp = TrainConfig(temperature=8.0, beta=3.0).hyper()
    assert isinstance(hp, Hyper) and hp.temperature == 8.0 and hp.beta == 3.0
    assert {f for f in Hyper.__dataclass_fields__} == {p.name for p in PARAMS if p.group == "method"} - {"method"}
    assert math.isclose(Hyper().temperature, DEFAULTS["temperature"])


def test_config_fields_have_real_types_that_help_shows():
    """TrainConfig is generated from the table, with each field's real type: what `check` returns."""
    import pydoc
    from kdemo.settings.config import annotation
    fields = TrainConfig.__dataclass_fields__
    assert list(fields) == [p.name for p in PARAMS]
    types = {p.name: fields[p.name].type for p in PARAMS}
    assert types["epochs"] is float and types["seeds"] is int and types["twin"] is bool
    assert types["method"] is str and types["omit_classes"] == tuple[int, ...] and types["lr"] == float | None
    cfg = TrainConfig(**CHANGED)
    for p in PARAMS:
        value, kind = getattr(cfg, p.name), annotation(p)
        assert value is None and p.optional or isinstance(value, getattr(kind, "__origin__", kind) if
                                                          p.kind == "classes" else kind), p.name
    text = pydoc.render_doc(TrainConfig, renderer=pydoc.plaintext)
    assert "temperature: float = 4.0" in text and "n_labeled: int | None = 500" in text
    assert "alpha: float" in pydoc.render_doc(Hyper, renderer=pydoc.plaintext)


def test_docs_parameters_md_is_generated_from_the_table():
    from pathlib import Path
    from kdemo.settings.text import parameters_markdown
    doc = Path(__file__).resolve().parent.parent / "docs" / "parameters.md"
    assert doc.read_text() == parameters_markdown(), \
        "docs/parameters.md is stale: run python -m kdemo params --markdown > docs/parameters.md"
    assert all(f"`{p.name}`" in doc.read_text() for p in PARAMS)
