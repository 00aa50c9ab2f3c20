"""TrainConfig: one run's settings, generated from the parameter table and checked when it is built.

Its fields carry real types (`annotation`: str, int, float, bool, tuple[int, ...], `| None` where the entry may
be empty, `| str` where it also takes words) and its docstring lists them, so `help(TrainConfig)` and
`TrainConfig.__annotations__` show every field. It is generated, not written out, so that a method's new
hyperparameter (declared on its class) becomes a field.

Fields, defaults and per-field checks come from kdemo.settings.params.PARAMS; the checks that involve several fields
live here (models fit the dataset, class indices exist) and with the method (`Distiller.check`), so a bad value fails
before any thread starts, with a message a person can act on.
"""
from __future__ import annotations

import json
from dataclasses import asdict, field, fields, make_dataclass, replace

from .. import lang
from ..data.datasets import DATASETS
from ..methods.distillers import DISTILLERS
from ..zoo.models import MODELS
from .params import BY_NAME, PARAMS, Param, in_group
from ..methods.rates import recommended_lr, twin_lr


class _Config:
    """Methods of TrainConfig (its fields are generated from PARAMS below)."""

    def __post_init__(self):
        for f in fields(self):
            setattr(self, f.name, f.metadata["param"].check(getattr(self, f.name)))
        self._check_combination()
        if self.lr is None:    # left empty: the rate measured stable for this method and pair
            self.lr = recommended_lr(self.dataset, self.teacher, self.student, self.method, self.optimizer)

    def _check_combination(self):
        info = DATASETS[self.dataset]
        roles = ("student", "teacher") if self.uses_teacher else ("student",)
        for role in roles:
            spec = MODELS[getattr(self, role)]
            if self.dataset not in spec.datasets:
                raise lang.Told("told.misfit", role=lang.setting(role, role), model=spec.key, dataset=self.dataset,
                                fits=", ".join(spec.datasets))
        if self.n_labeled is not None and self.n_labeled > info.train_size:
            p = BY_NAME["n_labeled"]
            raise lang.Told("told.labeled", setting=lang.setting(p.name, p.label), most=lang.num(info.train_size, None),
                            data=info.title, got=lang.num(self.n_labeled, None))
        if any(c >= info.num_classes for c in self.omit_classes):
            raise lang.Told("told.omit_range", setting=self._said("omit_classes"), hi=info.num_classes - 1,
                            got=str(list(self.omit_classes)))
        if len(self.omit_classes) > info.num_classes - 2:
            raise lang.Told("told.omit_all", setting=self._said("omit_classes"))
        if self.transfer_set == "all" and self.n_labeled is None:
            raise lang.Told("told.transfer_all", setting=self._said("transfer_set"), labeled=self._said("n_labeled"))
        DISTILLERS[self.method].check(self, MODELS[self.student], MODELS[self.teacher] if self.uses_teacher else None)

    @staticmethod
    def _said(name: str) -> dict:
        """A setting as a message names it: by its key in English ("omit_classes"), by its label elsewhere."""
        return lang.setting(name, name)

    @property
    def uses_teacher(self) -> bool:
        return DISTILLERS[self.method].needs_teacher

    @property
    def trains_twin(self) -> bool:
        """A twin only adds information when the student learns from a teacher: with "ce" it would be a copy."""
        return self.twin and self.uses_teacher

    @property
    def twin_rate(self) -> float:
        """The twin's learning rate: its own best for this setup (auto), the student's (same), or the number."""
        if self.twin_lr == "same":
            return self.lr
        if self.twin_lr == "auto":
            return self.best_twin_lr()[0]
        return self.twin_lr

    def best_twin_lr(self) -> tuple[float, str]:
        """The rate measured best for labels-only training of this student, data and length, and its source."""
        return twin_lr(self.dataset, self.student, self.n_labeled, self.epochs, self.transfer_set, self.optimizer,
                       DATASETS[self.dataset].train_size)

    @property
    def members(self) -> int:
        """Models trained together: one student per seed, and as many twins."""
        return self.seeds * (2 if self.trains_twin else 1)

    def hyper(self):
        """What the losses read: the method group's values (kdemo.methods.distillers reads them by name)."""
        return Hyper(**{f.name: getattr(self, f.name) for f in fields(Hyper)})

    def replace(self, **changes):
        return replace(self, **changes)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["omit_classes"] = list(self.omit_classes)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, d: dict):
        if not isinstance(d, dict):
            raise lang.Told("told.config_object")
        unknown = sorted(str(k)[:40] for k in set(d) - {f.name for f in fields(cls)})
        if unknown:
            raise lang.Told("told.config_keys", keys=", ".join(unknown[:10]))
        return cls(**d)

    @classmethod
    def from_json(cls, text: str):
        try:
            d = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as e:
            raise ValueError(f"config is not valid JSON: {e}") from None
        return cls.from_dict(d)


KIND_TYPES = {"choice": str, "int": int, "float": float, "bool": bool, "classes": tuple[int, ...]}


def annotation(p: Param):
    """The Python type a checked value has: `Param.check` returns exactly this (None where the entry is optional)."""
    kind = KIND_TYPES[p.kind] | str if p.words else KIND_TYPES[p.kind]
    return kind | None if p.optional else kind


def _field(p: Param):
    return p.name, annotation(p), field(default=p.default, metadata={"param": p})


def _doc(title: str, params) -> str:
    """A docstring listing every field: `help(TrainConfig)` reads as the table does."""
    lines = [title, "", "Fields (generated from the parameter table, kdemo/settings/params.py):"]
    for p in params:
        kind = getattr(annotation(p), "__name__", None) or str(annotation(p))
        extra = f"; one of {', '.join(p.choices)}" if p.kind == "choice" and len(p.choices) <= 12 else ""
        lines.append(f"    {p.name}: {kind} = {p.default!r}  -- {p.help}{extra}")
    return "\n".join(lines)


TrainConfig = make_dataclass("TrainConfig", [_field(p) for p in PARAMS], bases=(_Config,))
TrainConfig.__module__ = __name__
TrainConfig.__doc__ = _doc("One distillation run: a student (or several seeds of it) and its from-scratch twin.",
                           PARAMS)

_HYPER = [p for p in in_group("method") if p.name != "method"]
Hyper = make_dataclass("Hyper", [(p.name, annotation(p), field(default=p.default)) for p in _HYPER], frozen=True)
Hyper.__module__ = __name__
Hyper.__doc__ = _doc("The method's hyperparameters, as the distillers read them.", _HYPER)
