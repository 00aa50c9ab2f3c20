"""The Temperature lab's maths: turn a drawing into an MNIST digit, then soften and decompose predictions.

No Gradio here: `sketch_to_digit` takes the Sketchpad's value (or any image array) and `analyse` takes two
models and a 28x28 image, so both are testable and fast (one forward pass per model for every temperature).
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .. import lang

INK_THRESHOLD = 0.1    # fraction of full ink below which a pixel counts as empty (anti-aliasing fringe)
DEFAULT_TEMPS = (1.0, 2.0, 4.0, 8.0, 16.0)


class LabInputError(lang.Told):
    """A drawing the lab cannot use; the message is meant for the person drawing."""


def _decode(item, max_side: int, max_bytes: int):
    """One image of a sketch payload (a file reference {"path": ...}, the bytes the browser sent, or an array) as
    an RGBA array, its size checked from the file's header before any pixel is decoded."""
    if item is None:
        return None
    if isinstance(item, np.ndarray):
        arr = item
    elif isinstance(item, (bytes, dict)):
        source = io.BytesIO(item) if isinstance(item, bytes) else item.get("path")
        if not isinstance(source, (str, io.BytesIO)):
            raise LabInputError("told.lab_image")
        try:
            size = len(item) if isinstance(item, bytes) else os.path.getsize(source)
            if size > max_bytes:
                raise LabInputError("told.lab_file_mb", mb=max_bytes // 2**20)
            with Image.open(source) as img:            # reads the header only
                w, h = img.size
                if max(w, h) > max_side:
                    raise LabInputError("told.lab_pixels", w=w, h=h, side=max_side)
                arr = np.asarray(img.convert("RGBA"))
        except (OSError, Image.DecompressionBombError, ValueError) as e:
            if isinstance(e, LabInputError):
                raise
            raise LabInputError("told.lab_unreadable") from None
    else:
        raise LabInputError("told.lab_image")
    if arr.ndim not in (2, 3) or max(arr.shape[:2]) > max_side:
        raise LabInputError("told.lab_side", side=max_side)
    return arr


def read_sketch(value, max_side: int = 2048, max_layers: int = 4, max_bytes: int = 5 * 2**20) -> dict | None:
    """A Sketchpad payload, bounded before decoding: at most `max_layers` layers, each at most `max_side` pixels
    a side and `max_bytes` a file. Returns {"background", "layers", "composite"} as arrays (or None: empty)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise LabInputError("told.lab_sketch", fields="{background, layers, composite}")
    layers = value.get("layers") or []
    if not isinstance(layers, list) or len(layers) > max_layers:
        raise LabInputError("told.lab_layers", n=max_layers)
    return {"background": _decode(value.get("background"), max_side, max_bytes),
            "layers": [_decode(x, max_side, max_bytes) for x in layers],
            "composite": _decode(value.get("composite"), max_side, max_bytes)}


def _ink_from_rgba(img: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] from an image: alpha where there is transparency, else contrast with the background.

    The composite's background is white in the light theme and dark grey in the dark theme, so for an opaque
    image the background is read off the border and ink is the distance from it.
    """
    img = img.astype(np.float32)
    if img.max() > 1.0:
        img = img / 255.0
    if img.ndim == 2:
        gray = img
    else:
        if img.shape[2] == 4 and img[..., 3].min() < 0.99:
            return img[..., 3]
        gray = img[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    bg = float(np.median(border))
    ink = np.abs(gray - bg)
    span = max(bg, 1.0 - bg)
    return np.clip(ink / span, 0.0, 1.0)


def ink_from_sketch(value) -> np.ndarray | None:
    """(H, W) ink in [0, 1] from a gr.Sketchpad value, a plain array, or None for an empty canvas."""
    if value is None:
        return None
    if isinstance(value, dict):
        layers = [np.asarray(l) for l in (value.get("layers") or []) if l is not None]
        layers = [l for l in layers if l.ndim == 3 and l.shape[2] == 4]
        if layers:  # the brush strokes' alpha is the cleanest ink signal, independent of the theme
            return np.max(np.stack([l[..., 3].astype(np.float32) / 255.0 for l in layers]), axis=0)
        value = value.get("composite")
        if value is None:
            return None
    arr = np.asarray(value)
    if arr.ndim not in (2, 3) or min(arr.shape[:2]) < 8:
        raise LabInputError("told.lab_shape", shape=str(tuple(arr.shape))[:40])
    return _ink_from_rgba(arr)


def _resize(img: np.ndarray, h: int, w: int) -> np.ndarray:
    t = torch.from_numpy(np.ascontiguousarray(img))[None, None]
    return F.interpolate(t, size=(h, w), mode="bilinear", antialias=True, align_corners=False)[0, 0].numpy()


def center_digit(ink: np.ndarray) -> np.ndarray:
    """MNIST's recipe (LeCun et al.): bounding box scaled into 20x20, centre of mass at the centre of 28x28."""
    ys, xs = np.nonzero(ink > INK_THRESHOLD)
    if len(ys) == 0:
        raise LabInputError("told.canvas_empty")
    box = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = box.shape
    scale = 20.0 / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = np.clip(_resize(box, nh, nw), 0, 1)
    out = np.zeros((28, 28), dtype=np.float32)
    top, left = (28 - nh) // 2, (28 - nw) // 2
    out[top:top + nh, left:left + nw] = small
    total = out.sum()
    cy = (out.sum(axis=1) * np.arange(28)).sum() / total
    cx = (out.sum(axis=0) * np.arange(28)).sum() / total
    dy, dx = int(round(13.5 - cy)), int(round(13.5 - cx))
    # Shift without wrapping: clamp so the 20x20 box stays inside the frame.
    dy = int(np.clip(dy, -top, 28 - (top + nh)))
    dx = int(np.clip(dx, -left, 28 - (left + nw)))
    return np.roll(out, (dy, dx), axis=(0, 1))


def sketch_to_digit(value) -> np.ndarray:
    """28x28 float32 in [0, 1] (white ink on black, like MNIST) from a Sketchpad value; LabInputError if unusable."""
    ink = ink_from_sketch(value)
    if ink is None or ink.max() <= INK_THRESHOLD:
        raise LabInputError("told.canvas_empty")
    if (ink > INK_THRESHOLD).mean() > 0.9:
        raise LabInputError("told.canvas_ink")
    return center_digit(ink)


def entropy(p: torch.Tensor) -> float:
    """Shannon entropy in bits."""
    return float(-(p * torch.log2(p.clamp_min(1e-30))).sum())


@dataclass
class LabResult:
    classes: tuple[str, ...]
    temperatures: tuple[float, ...]
    teacher_probs: np.ndarray       # (len(temps), K)
    student_probs: np.ndarray       # (len(temps), K)
    teacher_entropy: list[float]
    student_entropy: list[float]
    target: int                     # class the DKD view splits on
    T: float                        # the temperature of the DKD view
    binary_teacher: tuple[float, float]   # (p_target, p_rest) at T
    binary_student: tuple[float, float]
    rest_classes: tuple[str, ...]
    rest_teacher: np.ndarray        # renormalised non-target distribution at T, (K-1,)
    rest_student: np.ndarray
    tckd: float                     # KL of the binary distributions (un-scaled)
    nckd: float                     # KL among the non-targets (un-scaled)
    weight: float                   # 1 - p_t^teacher: how much NCKD counts inside classic KD
    kd: float                       # KL(teacher_T || student_T) = tckd + weight * nckd

    @property
    def teacher_pred(self) -> int:
        return int(np.argmax(self.teacher_probs[0]))

    @property
    def student_pred(self) -> int:
        return int(np.argmax(self.student_probs[0]))


@torch.no_grad()
def analyse(teacher, student, digit: np.ndarray, mean: float, std: float, classes,
            temperatures=DEFAULT_TEMPS, T: float = 4.0, target: int | None = None) -> LabResult:
    """Soften both models' predictions on `digit` at every temperature and decompose KD at temperature T."""
    if not (0 < T <= 1000) or any(not (0 < t <= 1000) for t in temperatures):
        raise LabInputError("told.lab_temps")
    x = ((torch.as_tensor(digit, dtype=torch.float32) - mean) / std)[None, None]
    zt = teacher(x.to(next(teacher.parameters()).device)).double().cpu()[0]
    zs = student(x.to(next(student.parameters()).device)).double().cpu()[0]
    temps = tuple(float(t) for t in temperatures)
    pt = torch.stack([torch.softmax(zt / t, 0) for t in temps])
    ps = torch.stack([torch.softmax(zs / t, 0) for t in temps])
    k = len(zt)
    target = int(zt.argmax()) if target is None else int(target)
    if not 0 <= target < k:
        raise LabInputError("told.lab_target", hi=k - 1)
    pt_T = torch.softmax(zt / T, 0)
    rest = [i for i in range(k) if i != target]
    rt, rs = torch.softmax(zt[rest] / T, 0), torch.softmax(zs[rest] / T, 0)
    log_bt = torch.stack([F.log_softmax(zt / T, 0)[target], torch.logsumexp(zt[rest] / T, 0) - torch.logsumexp(zt / T, 0)])
    log_bs = torch.stack([F.log_softmax(zs / T, 0)[target], torch.logsumexp(zs[rest] / T, 0) - torch.logsumexp(zs / T, 0)])
    tckd = float((log_bt.exp() * (log_bt - log_bs)).sum())
    nckd = float((rt * (rt.clamp_min(1e-300).log() - rs.clamp_min(1e-300).log())).sum())
    kd = float((pt_T * (F.log_softmax(zt / T, 0) - F.log_softmax(zs / T, 0))).sum())
    classes = tuple(classes)
    return LabResult(
        classes=classes, temperatures=temps, teacher_probs=pt.numpy(), student_probs=ps.numpy(),
        teacher_entropy=[entropy(p) for p in pt], student_entropy=[entropy(p) for p in ps],
        target=target, T=float(T),
        binary_teacher=(float(log_bt[0].exp()), float(log_bt[1].exp())),
        binary_student=(float(log_bs[0].exp()), float(log_bs[1].exp())),
        rest_classes=tuple(classes[i] for i in rest), rest_teacher=rt.numpy(), rest_student=rs.numpy(),
        tckd=tckd, nckd=nckd, weight=float(1 - pt_T[target]), kd=kd)
