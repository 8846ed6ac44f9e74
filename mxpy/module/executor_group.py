"""DataParallelExecutorGroup: one executor per context, each on a slice of the batch.

The batch is split along each input's batch axis (``N`` in its layout) in
proportion to ``work_load_list``; every context runs its own executor bound
to the same symbol. Parameters live once per context (``param_arrays[i]`` is
the list of copies of parameter ``i``); the Module sums their gradients
through a KVStore or locally, as MXNet does.

>>> import mxpy as mx
>>> from mxpy.module.executor_group import split_input_slice
>>> split_input_slice(8, [1, 3])
[slice(0, 2, None), slice(2, 8, None)]
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from .. import ndarray as nd
from ..base import MXNetError
from ..context import cpu
from ..io import DataDesc
from ..ndarray import NDArray

_log = logging.getLogger(__name__)  # never the root logger: it would configure logging for the script

__all__ = ["DataParallelExecutorGroup", "split_input_slice"]


def split_input_slice(batch_size: int, work_load_list: list) -> list[slice]:
    """Slices of ``range(batch_size)`` proportional to ``work_load_list`` (the last one takes the rest).

    >>> split_input_slice(5, [1, 1])
    [slice(0, 2, None), slice(2, 5, None)]
    """
    total = float(sum(work_load_list))
    if total <= 0:
        raise ValueError(f"work_load_list must have a positive sum, given {list(work_load_list)}")
    counts = [round(w * batch_size / total) for w in work_load_list]
    if sum(counts) < batch_size:
        counts[-1] += batch_size - sum(counts)
    slices = []
    end = 0
    for n in counts:
        begin = int(min(end, batch_size))
        end = int(min(begin + n, batch_size))
        if begin >= end:
            raise ValueError(f"Too many slices. Some splits are empty: batch size {batch_size} over work loads {list(work_load_list)}")
        slices.append(slice(begin, end))
    return slices


def _batch_axis(desc) -> int:
    return DataDesc.get_batch_axis(getattr(desc, "layout", None))


def _slice_along(arr: NDArray, axis: int, sl: slice) -> NDArray:
    if axis == 0:
        return arr[sl.start : sl.stop]
    return nd.slice_axis(arr, axis=axis, begin=sl.start, end=sl.stop)


def _merge_multi_context(outputs: list, major_axis: list) -> list:
    """Concatenate per-context outputs along their batch axis (those without one: the first)."""
    merged = []
    for tensors, axis in zip(outputs, major_axis):
        if axis >= 0 and len(tensors) > 1:
            ctx = tensors[0].context
            merged.append(nd.concat(*[t.as_in_context(ctx) for t in tensors], dim=axis))
        else:
            merged.append(tensors[0])
    return merged


class DataParallelExecutorGroup:
    """Executors of one symbol on several contexts, each computing a slice of the batch.

    ``param_arrays``/``grad_arrays``/``aux_arrays`` are lists (one entry per
    parameter) of lists (one array per context). With ``shared_group`` the
    executors reuse that group's parameter arrays (bucketing).
    """

    def __init__(
        self,
        symbol,
        contexts,
        workload,
        data_shapes,
        label_shapes,
        param_names,
        for_training,
        inputs_need_grad,
        shared_group=None,
        logger=logging,
        fixed_param_names=None,
        grad_req="write",
        state_names=None,
        group2ctxs=None,
    ):
        self.param_names = list(param_names)
        self.arg_names = symbol.list_arguments()
        self.aux_names = symbol.list_auxiliary_states()
        self.symbol = symbol
        self.contexts = list(contexts)
        self.workload = list(workload)
        self.group2ctxs = self._check_group2ctxs(group2ctxs)
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.logger = _log if logger is logging else logger  # MXNet passes the logging module: use ours
        self.fixed_param_names = list(fixed_param_names or [])
        self.state_names = list(state_names or [])
        # (name, shape) pairs are accepted as MXNet does (its group unpacks them)
        data_shapes = [d if isinstance(d, DataDesc) else DataDesc(*d) for d in data_shapes]
        if label_shapes is not None:
            label_shapes = [d if isinstance(d, DataDesc) else DataDesc(*d) for d in label_shapes]
        self.grad_req = self._grad_reqs(grad_req, data_shapes, label_shapes)
        self.shared_group = shared_group
        # per context, the arrays of the arguments that are not parameters (data, labels), shared
        # with every group bound with this one as its shared_group (MXNet's shared_data_arrays)
        self.shared_data_arrays = shared_group.shared_data_arrays if shared_group is not None else [{} for _ in self.contexts]
        self.execs: list = []
        self._default_execs = None
        self.data_shapes = None
        self.label_shapes = None
        self.data_names = None
        self.label_names = None
        self.output_names = symbol.list_outputs()
        self.output_layouts = [DataDesc.get_batch_axis(symbol[i].attr("__layout__")) for i in range(len(self.output_names))]
        self.num_outputs = len(self.output_names)
        self.bind_exec(data_shapes, label_shapes, shared_group)

    def _check_group2ctxs(self, group2ctxs):
        if group2ctxs is None:
            return [None] * len(self.contexts)
        if isinstance(group2ctxs, list):
            if len(group2ctxs) != len(self.contexts):
                raise ValueError(f"group2ctxs has {len(group2ctxs)} entries, expected one per context ({len(self.contexts)})")
            return group2ctxs
        if isinstance(group2ctxs, dict):
            out = [{} for _ in self.contexts]
            for group, ctxs in group2ctxs.items():
                ctxs = ctxs if isinstance(ctxs, list) else [ctxs]
                if len(ctxs) == 1:
                    ctxs = ctxs * len(self.contexts)
                if len(ctxs) != len(self.contexts):
                    raise ValueError(f"group2ctxs[{group!r}] has {len(ctxs)} contexts, expected 1 or {len(self.contexts)}")
                for i, c in enumerate(ctxs):
                    out[i][group] = c
            return out
        raise TypeError(f"group2ctxs must be a dict or a list of dicts, given {type(group2ctxs).__name__}")

    def _grad_reqs(self, grad_req, data_shapes, label_shapes) -> dict:
        data_names = [d[0] for d in data_shapes]
        if isinstance(grad_req, str):
            reqs = {}
            for name in self.arg_names:
                if not self.for_training:
                    reqs[name] = "null"
                elif name in self.param_names:
                    reqs[name] = "null" if name in self.fixed_param_names else grad_req
                elif name in data_names:
                    reqs[name] = grad_req if self.inputs_need_grad else "null"
                else:
                    reqs[name] = "null"
            return reqs
        if isinstance(grad_req, (list, tuple)):
            if len(grad_req) != len(self.arg_names):
                raise ValueError(f"grad_req has {len(grad_req)} entries, the symbol has {len(self.arg_names)} arguments")
            return dict(zip(self.arg_names, grad_req))
        if isinstance(grad_req, dict):
            reqs = {}
            for name in self.arg_names:
                if self.for_training and name in self.param_names:
                    reqs[name] = "null" if name in self.fixed_param_names else "write"
                elif self.for_training and name in data_names and self.inputs_need_grad:
                    reqs[name] = "write"
                else:
                    reqs[name] = "null"
            reqs.update(grad_req)
            return reqs
        raise TypeError(f"grad_req must be a str, list or dict, given {type(grad_req).__name__}")

    # -- binding -------------------------------------------------------------------------
    def decide_slices(self, data_shapes) -> list:
        """Split the batch over the contexts; returns each input's batch axis."""
        major = [_batch_axis(d) for d in data_shapes]
        batch_size = None
        for desc, axis in zip(data_shapes, major):
            if axis < 0:
                continue
            size = desc.shape[axis]
            if batch_size is None:
                batch_size = size
            elif batch_size != size:
                raise ValueError(f"all data must have the same batch size: batch_size = {batch_size}, but {desc.name} has shape {desc.shape}")
        self.batch_size = batch_size
        self.slices = split_input_slice(batch_size, self.workload)
        return major

    def _sliced_shape(self, shapes, i: int, major_axis: list) -> list:
        out = []
        for desc, axis in zip(shapes, major_axis):
            shape = list(desc.shape)
            if axis >= 0:
                shape[axis] = self.slices[i].stop - self.slices[i].start
            out.append(DataDesc(desc.name, tuple(shape), desc.dtype, desc.layout))
        return out

    def bind_exec(self, data_shapes, label_shapes, shared_group=None, reshape: bool = False) -> None:
        """Bind (or, with ``reshape``, reshape) one executor per context."""
        if reshape and self._default_execs is None:
            raise MXNetError("DataParallelExecutorGroup.bind_exec: reshape=True needs executors bound before")
        major_data = self.decide_slices(data_shapes)
        major_label = [_batch_axis(d) for d in label_shapes] if label_shapes is not None else []
        if label_shapes is not None:
            for desc, axis in zip(label_shapes, major_label):
                if axis >= 0 and desc.shape[axis] != self.batch_size:
                    raise ValueError(f"label {desc.name!r} has shape {desc.shape}, its batch size differs from the data's {self.batch_size}")
        execs = []
        for i in range(len(self.contexts)):
            dshapes = self._sliced_shape(data_shapes, i, major_data)
            lshapes = self._sliced_shape(label_shapes, i, major_label) if label_shapes is not None else []
            if reshape:
                execs.append(self._default_execs[i].reshape(allow_up_sizing=True, **{d.name: d.shape for d in dshapes + lshapes}))
            else:
                execs.append(self._bind_ith_exec(i, dshapes, lshapes, shared_group))
        # everything is bound: only now replace the group's state (a failed bind changes nothing)
        self.execs = execs
        self.data_shapes = list(data_shapes)
        self.label_shapes = list(label_shapes) if label_shapes is not None else None
        self.data_names = [d.name for d in data_shapes]
        self.label_names = [d.name for d in label_shapes] if label_shapes is not None else []
        self.data_layouts = major_data
        self.label_layouts = major_label
        self._collect_arrays()

    def _bind_ith_exec(self, i: int, data_shapes, label_shapes, shared_group):
        shared_exec = None if shared_group is None else shared_group.execs[i]
        ctx = self.contexts[i]
        shapes = {d.name: d.shape for d in data_shapes + label_shapes}
        types = {d.name: d.dtype for d in data_shapes + label_shapes}
        return self.symbol.simple_bind(
            ctx=ctx,
            grad_req=self.grad_req,
            type_dict=types,
            shared_arg_names=self.param_names,
            shared_exec=shared_exec,
            shared_buffer=self.shared_data_arrays[i],
            group2ctx=self.group2ctxs[i],
            **shapes,
        )

    def _collect_arrays(self) -> None:
        execs = self.execs
        self.data_arrays = [[(self.slices[i], e.arg_dict[name]) for i, e in enumerate(execs)] for name in self.data_names]
        self.label_arrays = [[(self.slices[i], e.arg_dict[name]) for i, e in enumerate(execs)] for name in self.label_names if name in self.arg_names]
        self.state_arrays = [[e.arg_dict[name] for e in execs] for name in self.state_names]
        self.param_arrays = [[e.arg_arrays[i] for e in execs] for i, name in enumerate(self.arg_names) if name in self.param_names]
        if self.for_training:
            self.grad_arrays = [[e.grad_arrays[i] for e in execs] for i, name in enumerate(self.arg_names) if name in self.param_names]
        else:
            self.grad_arrays = None
        if self.inputs_need_grad:
            self.input_grad_arrays = [[e.grad_arrays[self.arg_names.index(name)] for e in execs] for name in self.data_names if name in self.arg_names]
        else:
            self.input_grad_arrays = None
        self.aux_arrays = [[e.aux_arrays[i] for e in execs] for i in range(len(self.aux_names))]

    def reshape(self, data_shapes, label_shapes) -> None:
        """Re-bind for new input shapes, sharing memory with the executors first bound."""
        if data_shapes == self.data_shapes and label_shapes == self.label_shapes:
            return
        if self._default_execs is None:
            self._default_execs = list(self.execs)
        self.bind_exec(data_shapes, label_shapes, reshape=True)

    # -- parameters ----------------------------------------------------------------------
    def set_params(self, arg_params: dict, aux_params: dict, allow_extra: bool = False) -> None:
        """Copy parameters into every executor."""
        for e in self.execs:
            e.copy_params_from(arg_params, aux_params, allow_extra_params=allow_extra)

    def get_params(self, arg_params: dict, aux_params: dict) -> None:
        """Average each parameter over the contexts into ``arg_params``/``aux_params`` (on the CPU)."""
        for name, block in zip(self.param_names, self.param_arrays):
            _average_into(block, arg_params[name])
        for name, block in zip(self.aux_names, self.aux_arrays):
            _average_into(block, aux_params[name])

    # -- running -------------------------------------------------------------------------
    def _check_batch(self, data_batch) -> None:
        """Every given input must match the bound shape (validated before any copy)."""
        data = list(data_batch.data)
        if len(data) != len(self.data_names):
            raise ValueError(f"forward: the batch has {len(data)} data arrays, the module is bound to {len(self.data_names)} ({self.data_names})")
        for name, desc, arr in zip(self.data_names, self.data_shapes, data):
            if tuple(arr.shape) != tuple(desc.shape):
                raise MXNetError(f"forward: data {name!r} has shape {tuple(arr.shape)}, but the module is bound to {tuple(desc.shape)}")
        labels = data_batch.label if self.label_arrays else None
        if labels:
            for name, desc, arr in zip(self.label_names, self.label_shapes, labels):
                if tuple(arr.shape) != tuple(desc.shape):
                    raise MXNetError(f"forward: label {name!r} has shape {tuple(arr.shape)}, but the module is bound to {tuple(desc.shape)}")

    def forward(self, data_batch, is_train=None) -> None:
        """Copy each context's slice of the batch in and run the forward passes."""
        self._check_batch(data_batch)
        _load_general(data_batch.data, self.data_arrays, self.data_layouts)
        if is_train is None:
            is_train = self.for_training
        if self.label_arrays and data_batch.label:
            _load_general(data_batch.label, self.label_arrays, self.label_layouts)
        for e in self.execs:
            e.forward(is_train=is_train)

    def get_output_shapes(self) -> list:
        """``[(name, shape)]`` of the merged outputs."""
        shapes = []
        for name, out, axis in zip(self.output_names, self.execs[0].outputs, self.output_layouts):
            shape = list(out.shape)
            if axis >= 0:
                shape[axis] = self.batch_size
            shapes.append((name, tuple(shape)))
        return shapes

    def get_outputs(self, merge_multi_context: bool = True, begin: int = 0, end: int | None = None) -> list:
        """Outputs: merged over contexts, or one list per output with one array per context."""
        end = self.num_outputs if end is None else end
        outputs = [[e.outputs[i] for e in self.execs] for i in range(begin, end)]
        if merge_multi_context:
            outputs = _merge_multi_context(outputs, self.output_layouts[begin:end])
        return outputs

    def get_states(self, merge_multi_context: bool = True) -> list:
        """The state arrays (``state_names``), merged or per context."""
        if merge_multi_context:
            return _merge_multi_context(self.state_arrays, [0] * len(self.state_arrays))
        return self.state_arrays

    def set_states(self, states=None, value=None) -> None:
        """Set the states from arrays (one list per context) or to a scalar ``value``."""
        if states is not None:
            if value is not None:
                raise ValueError("set_states: give states or value, not both")
            for srcs, dsts in zip(states, self.state_arrays):
                srcs = srcs if isinstance(srcs, (list, tuple)) else [srcs] * len(dsts)
                for src, dst in zip(srcs, dsts):
                    src.copyto(dst)
        else:
            if value is None:
                raise ValueError("set_states: give states or value")
            for dsts in self.state_arrays:
                for dst in dsts:
                    dst[:] = value

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """Gradients of the data inputs (bind with ``inputs_need_grad=True``)."""
        if not self.inputs_need_grad:
            raise AssertionError("get_input_grads: bind with inputs_need_grad=True first")
        if merge_multi_context:
            return _merge_multi_context(self.input_grad_arrays, self.data_layouts)
        return self.input_grad_arrays

    def backward(self, out_grads=None) -> None:
        """Backward on every context; ``out_grads`` (merged over the batch) are sliced per context."""
        if not self.for_training:
            raise AssertionError("re-bind with for_training=True to run backward")
        if out_grads is None:
            out_grads = []
        elif isinstance(out_grads, NDArray):
            out_grads = [out_grads]
        for i, (e, sl) in enumerate(zip(self.execs, self.slices)):
            sliced = []
            for grad, axis in zip(out_grads, self.output_layouts):
                if axis >= 0:
                    sliced.append(_slice_along(grad, axis, sl).as_in_context(self.contexts[i]))
                else:
                    sliced.append(grad.as_in_context(self.contexts[i]))
            e.backward(out_grads=sliced or None)

    def update_metric(self, eval_metric, labels, pre_sliced: bool = False) -> None:
        """Feed each context's outputs and its slice of ``labels`` to ``eval_metric``."""
        for k, (e, sl) in enumerate(zip(self.execs, self.slices)):
            if pre_sliced:
                labels_slice = labels[k]
            else:
                labels_slice = []
                for label, axis in zip(labels, self.label_layouts):
                    labels_slice.append(_slice_along(label, axis, sl) if axis >= 0 else label)
            eval_metric.update_dict(OrderedDict(zip(self.label_names, labels_slice)), OrderedDict(zip(self.output_names, e.outputs)))

    def install_monitor(self, mon) -> None:
        """Install ``mon`` (an ``mx.mon.Monitor``) on every executor."""
        for e in self.execs:
            mon.install(e)


def _average_into(block: list, dst: NDArray) -> None:
    if len(block) == 1:
        block[0].astype(dst.dtype).copyto(dst)
        return
    total = block[0].copyto(cpu())
    for w in block[1:]:
        total = total + w.copyto(cpu())
    (total / len(block)).astype(dst.dtype).copyto(dst)


def _load_general(data: list, targets: list, major_axis: list) -> None:
    """Copy each source array's slice into the executors' input arrays."""
    for src, dsts, axis in zip(data, targets, major_axis):
        for sl, dst in dsts:
            if axis >= 0 and (sl.start != 0 or src.shape[axis] != sl.stop):
                _slice_along(src, axis, sl).copyto(dst)
            else:
                src.copyto(dst)
