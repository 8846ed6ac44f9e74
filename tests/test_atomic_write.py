"""Every file mxpy writes goes through mxpy._atomic_file: open()'s permissions, symlinks followed, never torn."""

from __future__ import annotations

import os
import pathlib
import re
import stat

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError


def _module_with_optimizer():
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc"), name="softmax")
    mod = mx.mod.Module(net, context=mx.cpu())
    mod.bind(data_shapes=[("data", (2, 3))], label_shapes=[("softmax_label", (2,))])
    mod.init_params()
    mod.init_optimizer(kvstore=None, optimizer="sgd", optimizer_params={"momentum": 0.9})
    return mod


def _kvstore_with_optimizer():
    kv = mx.kv.create("local")
    kv.set_optimizer(mx.optimizer.SGD(momentum=0.9))
    kv.init(0, mx.nd.ones((2,)))
    kv.push(0, mx.nd.ones((2,)))
    return kv


# each writer: (name, function writing `path`)
WRITERS = {
    "nd.save": lambda path: mx.nd.save(path, {"w": mx.nd.ones((2,))}),
    "Symbol.save": lambda path: (mx.sym.Variable("x") + 1).save(path),
    "Module.save_optimizer_states": lambda path: _module_with_optimizer().save_optimizer_states(path),
    "KVStore.save_optimizer_states": lambda path: _kvstore_with_optimizer().save_optimizer_states(path),
}


@pytest.fixture
def umask():
    def set_mask(mask):
        old = os.umask(mask)
        restore.append(old)

    restore: list = []
    yield set_mask
    if restore:
        os.umask(restore[0])


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_new_file_gets_open_permissions(tmp_path, writer, mask, umask):
    umask(mask)
    WRITERS[writer](str(tmp_path / "f"))
    with open(tmp_path / "plain", "w"):
        pass
    assert stat.S_IMODE(os.stat(tmp_path / "f").st_mode) == stat.S_IMODE(os.stat(tmp_path / "plain").st_mode) == 0o666 & ~mask


def test_checkpoint_files_get_open_permissions(tmp_path, umask):
    umask(0o022)
    prefix = str(tmp_path / "net")
    mx.model.save_checkpoint(prefix, 1, mx.sym.Variable("x") + 1, {"w": mx.nd.ones((1,))}, {})
    for name in ("net-symbol.json", "net-0001.params"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o644, name


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_overwrite_keeps_the_files_mode(tmp_path, writer):
    path = tmp_path / "f"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    WRITERS[writer](str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert path.read_bytes() != b"old"


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_writes_through_a_symlink(tmp_path, writer):
    target = tmp_path / "real"
    target.write_bytes(b"old")
    link = tmp_path / "link"
    link.symlink_to(target)
    WRITERS[writer](str(link))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() != b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_checkpoint_writes_through_symlinks(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "net-symbol.json").write_text("old")
    (store / "net-0001.params").write_bytes(b"old")
    for name in ("net-symbol.json", "net-0001.params"):
        (tmp_path / name).symlink_to(store / name)
    mx.model.save_checkpoint(str(tmp_path / "net"), 1, mx.sym.Variable("x") + 1, {"w": mx.nd.ones((1,))}, {})
    for name in ("net-symbol.json", "net-0001.params"):
        assert (tmp_path / name).is_symlink(), name
    sym, args, _ = mx.model.load_checkpoint(str(store / "net"), 1)
    assert sym.list_arguments() == ["x"] and args["w"].asnumpy().tolist() == [1.0]


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_failed_write_leaves_the_old_file(tmp_path, writer, monkeypatch):
    path = tmp_path / "f"
    path.write_bytes(b"old")

    def fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(MXNetError, match="cannot write .*Input/output error"):
        WRITERS[writer](str(path))
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_no_other_module_writes_files():
    # the helper is the only place in mxpy that creates, renames or opens a file for writing;
    # a writer that must stream (MXRecordIO's append-as-you-go) says so on the line:
    # `# streaming write: <why>`
    root = pathlib.Path(mx.__file__).parent
    pattern = re.compile(r"os\.replace|os\.rename|mkstemp|NamedTemporaryFile|open\([^)]*[\"'][wax]b?\+?[\"']")
    offenders = [
        f"{p.relative_to(root)}:{i}: {line.strip()}"
        for p in root.rglob("*.py")
        if p.name != "_atomic_file.py"
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line) and not line.lstrip().startswith(("#", ">>>")) and "# streaming write:" not in line
    ]
    assert not offenders, "write files through mxpy._atomic_file (atomic_write, or stage + commit), or mark a streaming writer:\n" + "\n".join(offenders)


def test_nd_save_bytes_unchanged(tmp_path):
    # the helper writes exactly the chunks it is given
    a = mx.nd.array(np.arange(6).reshape(2, 3))
    mx.nd.save(str(tmp_path / "a"), [a])
    assert (tmp_path / "a").read_bytes() == b"".join(bytes(c) for c in mx.nd.serialization.file_chunks([], [a]))
