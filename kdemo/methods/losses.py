"""Distillation losses as pure functions of tensors.

Every function takes the student's outputs first and the teacher's second, detaches the teacher (gradients
flow only to the student and to any regressor applied before the call), and returns a batch-mean scalar.
The logit losses also take stacked members, (M, B, K) with targets (M, B), and return one value per member (M,):
that is how several seeds train as one model (kdemo/zoo/stacked.py). Conventions follow the papers; where a paper scales by T^2 we do too, so the gradient magnitude of the soft
term stays comparable across temperatures (Hinton et al. 2015, section 2).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


def standardize(logits: Tensor, eps: float = 1e-7) -> Tensor:
    """Z-score each row of logits (Sun et al., "Logit Standardization in KD", CVPR 2024).

    The student then only has to match the teacher's logit *shape*, not its scale or offset.
    """
    mean = logits.mean(dim=-1, keepdim=True)
    std = logits.std(dim=-1, keepdim=True)
    return (logits - mean) / (std + eps)


def _prep(student_logits: Tensor, teacher_logits: Tensor, temperature: float, standardized: bool):
    if temperature <= 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    s, t = student_logits, teacher_logits.detach()
    if standardized:
        s, t = standardize(s), standardize(t)
    return s / temperature, t / temperature


def kd_loss(student_logits: Tensor, teacher_logits: Tensor, temperature: float, *,
            standardized: bool = False) -> Tensor:
    """Hinton KD: KL(softmax(t/T) || softmax(s/T)), batch mean, times T^2 (Hinton et al. 2015)."""
    s, t = _prep(student_logits, teacher_logits, temperature, standardized)
    # KL(teacher || student) from log-probabilities: the student's come second, the order the anti-pattern list
    # warns about (kl_div(input=log q_student, target=p_teacher)).
    return _kl(F.log_softmax(t, dim=-1), F.log_softmax(s, dim=-1)) * temperature**2


def _binary_and_rest(z: Tensor, target: Tensor, target_mask: Tensor) -> tuple[Tensor, Tensor]:
    """Log-probabilities of target vs rest, shape (B, 2), and log-softmax among the non-targets, shape (B, K).

    All in log space, so a 1000-logit gap gives -1000, not log(0) = -inf. The non-target distribution keeps all
    K columns with the target's logit set to a huge negative number (probability exactly 0), so no reshape is
    needed. log(1 - p_t) is read off the largest non-target class k: log p_k - log q_k, where q is that
    renormalised distribution; both are small numbers there, so nothing cancels. This runs on every training
    step, hence the few ops.
    """
    neg = torch.finfo(z.dtype).min / 2          # finite, so 0 * (difference of two of them) is 0, never NaN
    z_rest = z.masked_fill(target_mask, neg)
    log_p, log_q = F.log_softmax(z, dim=-1), F.log_softmax(z_rest, dim=-1)
    k = z_rest.argmax(dim=-1, keepdim=True)
    log_target_and_k = log_p.gather(-1, torch.cat([target.unsqueeze(-1), k], dim=-1))   # [log p_t, log p_k]
    log_binary = log_target_and_k - F.pad(log_q.gather(-1, k), (1, 0))                # [log p_t, log(1 - p_t)]
    return log_binary, log_q


def _kl(log_p: Tensor, log_q: Tensor) -> Tensor:
    """Batch mean of KL(p || q) per row, from log-probabilities; rows where p underflows to 0 contribute 0.

    Written out rather than F.kl_div so that stacked members (..., B, K) reduce to one value each.
    """
    return (log_p.exp() * (log_p - log_q)).sum(dim=-1).mean(dim=-1)


def dkd_terms(student_logits: Tensor, teacher_logits: Tensor, target: Tensor, temperature: float, *,
              standardized: bool = False) -> tuple[Tensor, Tensor]:
    """Decoupled KD parts (Zhao et al., CVPR 2022): (TCKD, NCKD), each batch-mean and times T^2.

    TCKD is the KL between the binary target-vs-rest distributions; NCKD the KL among the non-target classes
    after renormalising. Classic KD = TCKD + (1 - p_t^teacher) * NCKD per sample, so a confident teacher
    suppresses exactly the "dark knowledge" term; DKD weights the two freely.
    """
    s, t = _prep(student_logits, teacher_logits, temperature, standardized)
    mask = torch.zeros_like(s, dtype=torch.bool).scatter_(-1, target.unsqueeze(-1), True)
    bin_s, rest_s = _binary_and_rest(s, target, mask)
    bin_t, rest_t = _binary_and_rest(t, target, mask)
    scale = temperature**2
    return _kl(bin_t, bin_s) * scale, _kl(rest_t, rest_s) * scale


def dkd_loss(student_logits: Tensor, teacher_logits: Tensor, target: Tensor, alpha: float, beta: float,
             temperature: float, *, standardized: bool = False) -> Tensor:
    """DKD = alpha * TCKD + beta * NCKD (Zhao et al., CVPR 2022)."""
    tckd, nckd = dkd_terms(student_logits, teacher_logits, target, temperature, standardized=standardized)
    return alpha * tckd + beta * nckd


def kd_prob_bug_loss(student_logits: Tensor, teacher_logits: Tensor, temperature: float) -> Tensor:
    """The classic tutorial bug: probabilities (not log-probabilities) passed to KL, times T^2.

    `kl_div(input, target)` expects log-probabilities as input; fed softmax outputs it computes
    sum p_t * (log p_t - q_s), whose gradient -p_t * dq_s is tiny at high T, so the soft loss teaches little.
    Kept only so the classroom can see the difference next to `kd_loss`.
    """
    s, t = _prep(student_logits, teacher_logits, temperature, False)
    p_t, q_s = F.softmax(t, dim=-1), F.softmax(s, dim=-1)
    # what kl_div(input=q_s, target=p_t) computes: sum p_t * (log p_t - q_s), with 0 log 0 = 0
    return (torch.xlogy(p_t, p_t) - p_t * q_s).sum(dim=-1).mean(dim=-1) * temperature**2


def hint_loss(student_hint: Tensor, teacher_hint: Tensor) -> Tensor:
    """FitNets hint regression (Romero et al. 2015): MSE between the regressed student map and the teacher's.

    The caller applies the learnable regressor to the student's map first, so both have the same shape.
    """
    if student_hint.shape != teacher_hint.shape:
        raise ValueError(f"hint shapes differ: {tuple(student_hint.shape)} vs {tuple(teacher_hint.shape)}")
    return F.mse_loss(student_hint, teacher_hint.detach())


def cosine_loss(student_hidden: Tensor, teacher_hidden: Tensor) -> Tensor:
    """1 - cosine similarity of hidden representations, batch mean (the notebooks' CosineEmbeddingLoss, y=1)."""
    s = student_hidden.flatten(1)
    t = teacher_hidden.detach().flatten(1)
    if s.shape != t.shape:
        raise ValueError(f"hidden widths differ: {s.shape[1]} vs {t.shape[1]}; project the student first")
    return (1 - F.cosine_similarity(s, t, dim=1, eps=1e-8)).mean()


def _pairwise_distances(e: Tensor, eps: float = 1e-12) -> Tensor:
    sq = e.pow(2).sum(dim=1)
    d2 = (sq[:, None] + sq[None, :] - 2 * e @ e.t()).clamp(min=eps)
    off_diag = 1 - torch.eye(len(e), device=e.device, dtype=e.dtype)
    return d2.sqrt() * off_diag                                    # (B, B), zero diagonal


def _angles(e: Tensor) -> Tensor:
    diff = F.normalize(e[None, :, :] - e[:, None, :], p=2, dim=2)  # (B, B, D): unit vectors e_j - e_i
    return torch.bmm(diff, diff.transpose(1, 2)).flatten()         # cos of angle at each anchor i, (B^3,)


def rkd_loss(student_emb: Tensor, teacher_emb: Tensor, distance_weight: float = 25.0,
             angle_weight: float = 50.0) -> Tensor:
    """Relational KD (Park et al., CVPR 2019): match normalised pairwise distances and triplet angles.

    Works across different widths because only relations between samples are compared.
    """
    s = student_emb.flatten(1)
    t = teacher_emb.detach().flatten(1)
    if len(s) < 3:
        raise ValueError("RKD needs a batch of at least 3 samples")
    t_d = _pairwise_distances(t)
    t_d = t_d / t_d[t_d > 0].mean()
    s_d = _pairwise_distances(s)
    s_d = s_d / s_d[s_d > 0].mean()
    loss_d = F.smooth_l1_loss(s_d, t_d)
    loss_a = F.smooth_l1_loss(_angles(s), _angles(t))
    return distance_weight * loss_d + angle_weight * loss_a


def _pearson_rows(a: Tensor, b: Tensor, eps: float = 1e-8) -> Tensor:
    a = a - a.mean(dim=-1, keepdim=True)
    b = b - b.mean(dim=-1, keepdim=True)
    return (a * b).sum(dim=-1) / (a.norm(dim=-1) * b.norm(dim=-1) + eps)


def dist_terms(student_logits: Tensor, teacher_logits: Tensor, temperature: float = 1.0) -> tuple[Tensor, Tensor]:
    """DIST (Huang et al., NeurIPS 2022): (inter-class, intra-class) relation losses, each times T^2.

    Inter: 1 - Pearson correlation of each sample's class probabilities; intra: the same per class across the
    batch. Correlation instead of KL lets a small student match rankings without matching exact values.
    """
    s, t = _prep(student_logits, teacher_logits, temperature, False)
    p_s, p_t = s.softmax(dim=-1), t.softmax(dim=-1)
    inter = (1 - _pearson_rows(p_s, p_t)).mean(dim=-1) * temperature**2
    intra = (1 - _pearson_rows(p_s.transpose(-1, -2), p_t.transpose(-1, -2))).mean(dim=-1) * temperature**2
    return inter, intra


def dist_loss(student_logits: Tensor, teacher_logits: Tensor, temperature: float = 1.0, beta: float = 1.0,
              gamma: float = 1.0) -> Tensor:
    """DIST = beta * inter + gamma * intra (Huang et al. 2022)."""
    inter, intra = dist_terms(student_logits, teacher_logits, temperature)
    return beta * inter + gamma * intra


def masked_cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    """Cross-entropy over labeled samples only (target -1 = unlabeled); 0 for a batch with none labeled.

    F.cross_entropy(ignore_index=-1) returns NaN when every target is ignored, which happens with a small
    labeled subset inside a large transfer set.
    """
    if target.dim() == 1 and bool((target >= 0).all()):
        return F.cross_entropy(logits, target)
    labeled = target >= 0
    per = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.clamp(min=0).reshape(-1),
                          reduction="none").view(target.shape)
    return (per * labeled).sum(dim=-1) / labeled.sum(dim=-1).clamp(min=1)
