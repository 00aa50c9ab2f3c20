"""What a teacher knows across a whole test set, and what its students took from it: pure functions of logits.

Every function takes logits of one model, (N, K), or of its seeds, (S, N, K), with the true labels (N,), and
returns tensors or plain numbers; no Gradio, no plotly (kdemo/figures/insights.py draws, kdemo/app/tabs/insights.py
wires). Seeds are pooled: each seed is one student, so a statistic over S seeds is over their S x N predictions.
The missing-class bias lives in kdemo/teach/missing.py.
"""
from __future__ import annotations

import torch

from ..lang import Said, say

ECE_BINS = 15          # equal-width confidence bins of the reliability diagram (Guo et al. 2017)
CELL_IMAGES = 16       # test images shown for one confusion cell
WELL_CALIBRATED = 0.005   # |mean confidence - accuracy| below half a point reads as "well calibrated"


def seeds_of(logits: torch.Tensor) -> torch.Tensor:
    """(S, N, K) float from (N, K) or (S, N, K)."""
    if logits.dim() == 2:
        logits = logits[None]
    if logits.dim() != 3:
        raise ValueError(f"logits must be (N, K) or (S, N, K), got shape {tuple(logits.shape)}")
    return logits.float()


def soften(logits: torch.Tensor, T: float = 1.0) -> torch.Tensor:
    """softmax(z / T) over the classes, same shape."""
    return torch.softmax(logits.float() / T, dim=-1)


# ---------------------------------------------------------------- class similarity ("dark knowledge")

def class_similarity(logits: torch.Tensor, labels: torch.Tensor, T: float) -> torch.Tensor:
    """(K, K): row i is the mean softened distribution softmax(z / T) over the test images of true class i (and
    every seed). Rows sum to 1 (a class with no test image gets a row of zeros)."""
    p = soften(seeds_of(logits), T).mean(dim=0)                             # (N, K): seeds averaged per image
    k = p.shape[1]
    sums = torch.zeros(k, k, dtype=torch.float64).index_add_(0, labels, p.double())
    counts = torch.bincount(labels, minlength=k).double().clamp(min=1)
    return (sums / counts[:, None]).float()


def split_diagonal(matrix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(off-diagonal with NaN on the diagonal, the diagonal): the own-class mass (~0.9+) would wash out the colour
    scale of the rest, so it is shown apart."""
    off = matrix.clone()
    off.fill_diagonal_(float("nan"))
    return off, matrix.diagonal().clone()


def similar_pairs(matrix: torch.Tensor, classes: list[str], top: int = 3) -> list[dict]:
    """The `top` most similar class pairs: the largest (M[i, j] + M[j, i]) / 2 over i < j, i.e. how much of each
    other the model sees in the two classes, on average over both directions."""
    k = matrix.shape[0]
    sym = (matrix + matrix.T) / 2
    i, j = torch.triu_indices(k, k, offset=1)
    scores = sym[i, j]
    order = scores.argsort(descending=True)[:top]
    return [{"a": classes[int(i[o])], "b": classes[int(j[o])], "i": int(i[o]), "j": int(j[o]),
             "score": float(scores[o])} for o in order]


def who(model: str) -> dict:
    """A model of the views ("teacher", "kd", "scratch") as words (kdemo.lang's "who.*")."""
    return {"key": f"who.{model}", "params": {}}


def pairs_part(pairs: list[dict], model: str, T: float) -> dict:
    """'At T = 4 the teacher's most similar classes (...): **4 ↔ 9** (0.031), **3 ↔ 5** (0.022), ...', as data."""
    listed = {"each": [{"key": "ins.pair", "params": {"a": p["a"], "b": p["b"], "score": [p["score"], 3]}}
                       for p in pairs], "sep": ", "}
    return {"key": "ins.pairs", "params": {"T": [T, None], "who": who(model), "listed": listed}}


def pairs_sentence(pairs: list[dict], model: str, T: float) -> str:
    """The most similar class pairs of `model` ("teacher", "kd", "scratch") in words ('' for none)."""
    return say([pairs_part(pairs, model, T)]) if pairs else ""


# ---------------------------------------------------------------- calibration

def reliability(logits: torch.Tensor, labels: torch.Tensor, bins: int = ECE_BINS) -> dict:
    """Reliability diagram and ECE at T = 1, `bins` equal-width confidence bins (k/B, (k+1)/B].

    Returns count, mean confidence and accuracy per bin (NaN where empty), "ece" (sum over bins of
    n_b / N * |accuracy_b - confidence_b|), "confidence" and "accuracy" overall (fractions)."""
    p = soften(seeds_of(logits))
    conf, pred = p.max(dim=-1)                                              # (S, N)
    conf, hit = conf.reshape(-1).double(), (pred == labels).reshape(-1).double()
    idx = (torch.ceil(conf * bins).long() - 1).clamp(0, bins - 1)
    count = torch.bincount(idx, minlength=bins).double()
    s_conf = torch.zeros(bins, dtype=torch.float64).index_add_(0, idx, conf)
    s_hit = torch.zeros(bins, dtype=torch.float64).index_add_(0, idx, hit)
    n = max(len(conf), 1)
    safe = count.clamp(min=1)
    empty = count == 0
    return {"edges": torch.linspace(0, 1, bins + 1).tolist(), "count": count.long().tolist(),
            "bin_confidence": torch.where(empty, float("nan"), s_conf / safe).tolist(),
            "bin_accuracy": torch.where(empty, float("nan"), s_hit / safe).tolist(),
            "ece": float((s_hit - s_conf).abs().sum() / n), "confidence": float(conf.sum() / n),
            "accuracy": float(hit.sum() / n)}


def calibration_side(rel: dict) -> str:
    """'over-confident' (sure more often than right), 'under-confident' or 'well calibrated'."""
    gap = rel["confidence"] - rel["accuracy"]
    if abs(gap) < WELL_CALIBRATED:
        return "well calibrated"
    return "over-confident" if gap > 0 else "under-confident"


SIDES = {"well calibrated": "ins.well", "over-confident": "ins.over", "under-confident": "ins.under"}


def judgement_part(rel: dict, model: str) -> dict:
    return {"key": "ins.judgement", "params": {
        "who": who(model), "side": {"key": SIDES[calibration_side(rel)], "params": {}},
        "conf": [100 * rel["confidence"], 1], "acc": [100 * rel["accuracy"], 1], "ece": [100 * rel["ece"], 2]}}


def calibration_judgement(rel: dict, model: str) -> Said:
    """One sentence with the numbers: 'The teacher is over-confident (99.5% sure on average, right 99.1% ...).'"""
    return say([judgement_part(rel, model)])


# ---------------------------------------------------------------- where the student fails

def predictions(logits: torch.Tensor) -> torch.Tensor:
    """(S, N) argmax class per seed and image."""
    return seeds_of(logits).argmax(dim=-1)


def per_class_accuracy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """(S, K) accuracy on each true class, per seed (NaN for a class with no test image)."""
    pred = predictions(logits)
    s, k = pred.shape[0], logits.shape[-1]
    hits = torch.zeros(s, k, dtype=torch.float64).index_add_(1, labels, (pred == labels).double())
    counts = torch.bincount(labels, minlength=k).double()
    return torch.where(counts > 0, hits / counts.clamp(min=1), float("nan")).float()


def confusion(logits: torch.Tensor, labels: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """(K, K) counts of one seed: rows are true classes, columns predicted ones."""
    pred = predictions(logits)[seed]
    k = logits.shape[-1]
    return torch.bincount(labels * k + pred, minlength=k * k).reshape(k, k)


def cell_indices(logits: torch.Tensor, labels: torch.Tensor, true: int, pred: int, seed: int = 0,
                 limit: int = CELL_IMAGES) -> tuple[list[int], int]:
    """(the first `limit` test-image indices with this true and predicted class, how many there are in all)."""
    hit = (labels == true) & (predictions(logits)[seed] == pred)
    idx = hit.nonzero().flatten()
    return idx[:limit].tolist(), len(idx)


# ---------------------------------------------------------------- why DKD: KD's weight on NCKD

def target_probability(logits: torch.Tensor, labels: torch.Tensor, T: float) -> torch.Tensor:
    """(S * N,) p_t: the softened probability of the true class."""
    p = soften(seeds_of(logits), T)
    return p.gather(-1, labels.expand(p.shape[0], -1)[..., None]).reshape(-1)


def nckd_weight(logits: torch.Tensor, labels: torch.Tensor, T: float, bins: int = 20) -> dict:
    """Histograms of p_t and of 1 - p_t (the factor classic KD puts on NCKD: KD = TCKD + (1 - p_t) NCKD, Zhao et
    al. 2022), `bins` equal-width bins on [0, 1], with their means and the share of images where the weight is
    below 0.01 (NCKD all but switched off)."""
    pt = target_probability(logits, labels, T).double()
    w = 1 - pt
    edges = torch.linspace(0, 1, bins + 1)

    def hist(x):
        return torch.bincount((x * bins).long().clamp(0, bins - 1), minlength=bins).tolist()
    return {"T": float(T), "edges": edges.tolist(), "p_t_hist": hist(pt), "weight_hist": hist(w),
            "mean_p_t": float(pt.mean()), "mean_weight": float(w.mean()),
            "share_below_0.01": float((w < 0.01).double().mean()), "images": len(pt)}


def nckd_sentence(stats: dict, beta: float = 2.0) -> Said:
    """What the histograms say, with the numbers."""
    return say([{"key": "ins.nckd", "params": {
        "T": [stats["T"], None], "pt": [stats["mean_p_t"], 3], "w": [stats["mean_weight"], 3],
        "share": [100 * stats["share_below_0.01"], 0], "beta": [beta, None],
        "times": [beta / max(stats["mean_weight"], 1e-9), 0]}}])
