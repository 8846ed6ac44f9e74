"""Text data for the legacy RNN API: ``encode_sentences`` and ``BucketSentenceIter``.

>>> import mxpy as mx
>>> coded, vocab = mx.rnn.encode_sentences([["a", "b"], ["b", "c"]], start_label=1)
>>> coded
[[1, 2], [2, 3]]
"""

from __future__ import annotations

import bisect
import random

import numpy as np

from .. import ndarray as _nd
from ..base import MXNetError
from ..io import DataBatch, DataDesc, DataIter

__all__ = ["encode_sentences", "BucketSentenceIter"]


def encode_sentences(sentences, vocab=None, invalid_label: int = -1, invalid_key: str = "\n", start_label: int = 0, unknown_token=None):
    """Replace every word by an integer id: ``(coded sentences, vocab)``.

    Without ``vocab`` a new one is built (``invalid_key`` maps to ``invalid_label``;
    new ids count from ``start_label``, skipping ``invalid_label``). With a
    ``vocab``, an unknown word is an error unless ``unknown_token`` is given
    (it then gets, or reuses, that token's id).
    """
    new_vocab = vocab is None
    if new_vocab:
        vocab = {invalid_key: invalid_label}
    idx = start_label
    coded_all = []
    for sent in sentences:
        coded = []
        for word in sent:
            if word not in vocab:
                if not new_vocab and not unknown_token:
                    raise MXNetError(f"Unknown token {word}")
                if idx == invalid_label:
                    idx += 1
                if unknown_token:
                    word = unknown_token
                vocab[word] = idx
                idx += 1
            coded.append(vocab[word])
        coded_all.append(coded)
    return coded_all, vocab


class BucketSentenceIter(DataIter):
    """Batches of integer sentences grouped by length into buckets (padded with
    ``invalid_label``); the label is the sentence shifted one step left.

    ``buckets`` defaults to every length with at least ``batch_size`` sentences;
    longer sentences than the largest bucket are dropped. ``layout`` is ``'NT'``
    (batch major) or ``'TN'``. Each batch's ``bucket_key`` is its bucket length.
    """

    def __init__(
        self,
        sentences,
        batch_size: int,
        buckets=None,
        invalid_label: int = -1,
        data_name: str = "data",
        label_name: str = "softmax_label",
        dtype="float32",
        layout: str = "NT",
    ) -> None:
        super().__init__()
        if not buckets:
            counts = np.bincount([len(s) for s in sentences])
            buckets = [length for length, n in enumerate(counts) if n >= batch_size]
        buckets = sorted(buckets)
        self.major_axis = layout.find("N")
        if self.major_axis not in (0, 1):
            raise ValueError(f"Invalid layout {layout}: Must by NT (batch major) or TN (time major)")
        rows: list[list] = [[] for _ in buckets]
        used = [False] * len(buckets)
        ndiscard = 0
        for sent in sentences:
            b = bisect.bisect_left(buckets, len(sent))
            if b == len(buckets):
                ndiscard += 1
                continue
            used[b] = True
            row = np.full((buckets[b],), invalid_label, dtype=dtype)
            row[: len(sent)] = sent
            rows[b].append(row)
        buckets = [length for length, u in zip(buckets, used) if u]
        self.data = [np.asarray(r, dtype=dtype) for r in rows if r]
        print(f"WARNING: discarded {ndiscard} sentences longer than the largest bucket.")
        self.batch_size = batch_size
        self.buckets = buckets
        self.data_name = data_name
        self.label_name = label_name
        self.dtype = dtype
        self.invalid_label = invalid_label
        self.layout = layout
        self.default_bucket_key = max(buckets)
        shape = (batch_size, self.default_bucket_key) if self.major_axis == 0 else (self.default_bucket_key, batch_size)
        self.provide_data = [DataDesc(name=data_name, shape=shape, layout=layout)]
        self.provide_label = [DataDesc(name=label_name, shape=shape, layout=layout)]
        self.idx = [(i, j) for i, rows_i in enumerate(self.data) for j in range(0, len(rows_i) - batch_size + 1, batch_size)]
        self.curr_idx = 0
        self.nddata: list = []
        self.ndlabel: list = []
        self.reset()

    def reset(self) -> None:
        """Reshuffle the batch order (Python's ``random``) and each bucket's rows (NumPy's)."""
        self.curr_idx = 0
        random.shuffle(self.idx)
        for rows in self.data:
            np.random.shuffle(rows)
        self.nddata = []
        self.ndlabel = []
        for rows in self.data:
            label = np.empty_like(rows)
            label[:, :-1] = rows[:, 1:]
            label[:, -1] = self.invalid_label
            self.nddata.append(_nd.array(rows, dtype=self.dtype))
            self.ndlabel.append(_nd.array(label, dtype=self.dtype))

    def next(self) -> DataBatch:
        if self.curr_idx == len(self.idx):
            raise StopIteration
        i, j = self.idx[self.curr_idx]
        self.curr_idx += 1
        data = self.nddata[i][j : j + self.batch_size]
        label = self.ndlabel[i][j : j + self.batch_size]
        if self.major_axis == 1:
            data, label = data.T, label.T
        return DataBatch(
            [data],
            [label],
            pad=0,
            bucket_key=self.buckets[i],
            provide_data=[DataDesc(name=self.data_name, shape=data.shape, layout=self.layout)],
            provide_label=[DataDesc(name=self.label_name, shape=label.shape, layout=self.layout)],
        )
