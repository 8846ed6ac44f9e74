"""pyproject.toml is honest: extras only for what the code imports, mxpy's own version, an SPDX licence."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys
import tarfile

import pytest

import mxpy as mx

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _project() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


# distribution name -> the module the code imports
IMPORT_NAME = {"cupy-cuda12x": "cupy", "cupy-cuda13x": "cupy", "opencv-python-headless": "cv2"}
# packages that give mxpy a program rather than a module: the program's name must appear in the code
PROGRAM = {"openmpi": "mpirun"}


def _imports(folder: pathlib.Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for m in re.finditer(r"^\s*(?:import|from)\s+([A-Za-z_][\w]*)", path.read_text(), re.M):
            found.add(m.group(1))
    return found


def test_every_extra_is_imported_by_the_code():
    # an extra for a feature that does not exist yet installs packages nothing uses
    used = {"mxpy": _imports(ROOT / "mxpy"), "examples": _imports(ROOT / "examples") | _imports(ROOT / "mxpy")}
    unused = []
    for extra, reqs in _project()["optional-dependencies"].items():
        if extra == "test":
            continue
        where = "examples" if extra == "demo" else "mxpy"  # the demo extra serves examples/ (through mxpy too)
        for req in reqs:
            dist = re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0]
            if dist in PROGRAM:
                if not any(PROGRAM[dist] in p.read_text() for p in (ROOT / "mxpy").rglob("*.py")):
                    unused.append(f"mxpy[{extra}]: {req} (nothing in mxpy/ runs {PROGRAM[dist]})")
                continue
            module = IMPORT_NAME.get(dist, dist.replace("-", "_"))
            if module not in used[where]:
                unused.append(f"mxpy[{extra}]: {req} (nothing in {where}/ imports {module})")
    assert not unused, "\n".join(unused)


def test_version_is_mxpys_own_and_api_level_is_mxnets():
    from importlib.metadata import version

    PROJECT = _project()
    assert PROJECT["version"] == "0.4.0"
    assert version("mxpy") == PROJECT["version"]
    assert mx.__version__ == "1.9.1"  # scripts compare it against MXNet releases


def test_license_is_spdx_with_its_file():
    PROJECT = _project()
    assert PROJECT["license"] == "Apache-2.0"
    assert PROJECT["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert PROJECT["authors"] and PROJECT["urls"]
    assert any(c.startswith("Programming Language :: Python :: 3.13") for c in PROJECT["classifiers"])
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])  # PEP 639: the SPDX string only


@pytest.mark.slow
def test_sdist_carries_what_its_tests_need(tmp_path):
    # build the sdist offline with the setuptools this environment has (needs >= 77)
    setuptools = pytest.importorskip("setuptools")
    if int(setuptools.__version__.split(".")[0]) < 77:
        pytest.skip(f"setuptools {setuptools.__version__} < 77")
    code = f"from setuptools import build_meta; print(build_meta.build_sdist({str(tmp_path)!r}))"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "deprecat" not in (run.stdout + run.stderr).lower()
    with tarfile.open(tmp_path / run.stdout.split()[-1]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    tracked = subprocess.run(["git", "ls-files", "tests", "examples"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    missing = sorted(set(tracked) - names)
    assert not missing, f"the sdist lacks files its tests need: {missing[:10]}"
    assert {"LICENSE", "README.md", "pyproject.toml", "tests/conftest.py"} <= names
    assert not any(n.startswith("bench/") or "__pycache__" in n for n in names)


def test_readme_has_no_links_outside_the_repository():
    text = (ROOT / "README.md").read_text()
    assert "../shared" not in text and "/work/" not in text
    for link in re.findall(r"\]\(([^)#]+)\)", text):
        if "://" not in link:
            assert (ROOT / link).exists(), f"README links to {link}, which the repository does not have"


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    return text.split(f"### {title}", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]


def _lookup(name: str):
    obj = mx
    for part in name.split(".")[1:]:
        obj = getattr(obj, part, None)
    return obj


def test_readme_module_lists_match_the_package():
    # "What works" names only modules that import; "Not there yet" only ones that do not
    have = re.findall(r"`(mx\.[\w.]+)`", _readme_section("What works"))
    modules, _, rest = _readme_section("Not there yet").partition("- Operators and functions")
    lack = re.findall(r"`(mx\.[\w.]+)`", modules + rest.partition("\n- ")[2])
    assert len(have) >= 15  # the parse found the list (the "not there yet" list shrinks as features land)
    wrong = [f"README says {n} works, but mxpy has no {n}" for n in have if _lookup(n) is None]
    wrong += [f"README says {n} is not there yet, but it is: move it to 'What works'" for n in lack if _lookup(n) is not None]
    assert not wrong, "\n".join(wrong)


def test_readme_lists_exactly_the_missing_operators():
    # tests/golden/api_names.json: MXNet 1.9.1's public mx.nd / mx.sym callables (make_api_names.py)
    golden = json.loads((ROOT / "tests" / "golden" / "api_names.json").read_text())
    section = _readme_section("Not there yet")
    bullet = section.split("- Operators and functions MXNet 1.9.1 has in `mx.nd`", 1)[1].split("\n- ", 1)[0]
    listed = set(re.findall(r"`(\w+)`", bullet.split("have yet:", 1)[1]))
    missing_nd = {n for n in golden["nd"] if not hasattr(mx.nd, n)}
    missing_sym = {n for n in golden["sym"] if not hasattr(mx.sym, n)}
    assert not sorted(missing_nd - listed), f"add to README's missing operators: {sorted(missing_nd - listed)}"
    assert not sorted(listed - missing_nd), f"these landed: remove them from README's missing operators: {sorted(listed - missing_nd)}"
    assert missing_sym <= missing_nd, f"mx.sym lacks names mx.nd has; list them in README: {sorted(missing_sym - missing_nd)}"
    assert f"({len(missing_nd)} of its {len(golden['nd'])}" in bullet.replace("\n", " ").replace("  ", " ")


def test_readme_names_what_the_demo_writes():
    # tests/test_train_mnist.py checks the demo writes exactly these files
    text = (ROOT / "README.md").read_text()
    for name in ("examples/train_mnist.py", "examples/tutorial.py", "demo-output/", "mnist-mlp-symbol.json", "mnist-mlp-00NN.params", "training-curve.png"):
        assert name in text, name
    make = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "examples/train_mnist.py" in make and "examples/tutorial.py" in make
