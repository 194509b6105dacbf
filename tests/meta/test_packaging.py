"""The built packages hold what users need: license, data files, entry points, metadata.

The wheel and the sdist are built once per run with the project's build backend
(hatchling, installed with pip into a temporary folder, as pip's isolated build does);
``.ci/run`` also builds the wheel with ``pip wheel`` and installs it (stage 7).
"""

from __future__ import annotations

import configparser
import email
import email.message
import json
import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
VERSION = PROJECT["version"]
SCENARIOS = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "rtm_emulator" / "conformance" / "scenarios").glob("*.toml")
)
CLASSIFIERS = [
    "Development Status :: 3 - Alpha",
    "Framework :: AsyncIO",
    "Framework :: Pytest",
    "Intended Audience :: Developers",
    "License :: OSI Approved :: MIT License",
    "Operating System :: OS Independent",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Topic :: Software Development :: Testing",
    "Typing :: Typed",
]
MIT_HEADER = "MIT License\n\nCopyright (c) 2026 the rtm_emulator contributors\n\n"
MIT_BODY = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
    'of this software and associated documentation files (the "Software"), to deal\n'
    "in the Software without restriction, including without limitation the rights\n"
    "to use, copy, modify, merge, publish, distribute, sublicense, and/or sell\n"
    "copies of the Software, and to permit persons to whom the Software is\n"
    "furnished to do so, subject to the following conditions:\n"
    "\n"
    "The above copyright notice and this permission notice shall be included in all\n"
    "copies or substantial portions of the Software.\n"
    "\n"
    'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n'
    "IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\n"
    "FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\n"
    "AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\n"
    "LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\n"
    "OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\n"
    "SOFTWARE.\n"
)
LICENSE = (ROOT / "LICENSE").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"wheel": path, "sdist": path}``, built from the working tree."""
    tmp = tmp_path_factory.mktemp("build")
    backend = tmp / "backend"
    requires = PYPROJECT["build-system"]["requires"]
    env = dict(os.environ, PIP_ROOT_USER_ACTION="ignore", PIP_DISABLE_PIP_VERSION_CHECK="1")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(backend)]
    subprocess.run([*pip, *requires], check=True, env=env, capture_output=True, timeout=300)
    out = tmp / "dist"
    env["PYTHONPATH"] = str(backend)
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-d", str(out)],
        cwd=ROOT,
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert 1 == len(wheels) and 1 == len(sdists), sorted(out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


def _wheel_text(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(name).decode("utf-8")


def _metadata(text: str) -> email.message.Message:
    return email.message_from_string(text)


def test_license_is_mit_with_the_project_header() -> None:
    assert MIT_HEADER + MIT_BODY == LICENSE


def test_the_js_package_carries_the_same_license() -> None:
    """clients/js ships its own copy (npm packs only its folder): the same text."""
    assert LICENSE == (ROOT / "clients" / "js" / "LICENSE").read_text(encoding="utf-8")


def test_wheel_file_name_is_the_one_the_readme_installs(built: dict[str, Path]) -> None:
    name = built["wheel"].name
    assert f"rtm_emulator-{VERSION}-py3-none-any.whl" == name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f'pip install "dist/{name}[server]"' in readme


def test_js_tarball_name_is_the_one_the_readme_installs() -> None:
    package = json.loads((ROOT / "clients" / "js" / "package.json").read_text(encoding="utf-8"))
    tarball = f"{package['name']}-{package['version']}.tgz"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`npm install ./{tarball}`" in readme
    assert "`npm install /path/to/rtm_emulator/clients/js`" in readme


def test_wheel_holds_the_license_typing_marker_rules_and_every_scenario(
    built: dict[str, Path],
) -> None:
    with zipfile.ZipFile(built["wheel"]) as archive:
        names = set(archive.namelist())
    info = f"rtm_emulator-{VERSION}.dist-info"
    assert LICENSE == _wheel_text(built["wheel"], f"{info}/licenses/LICENSE")
    assert "rtm_emulator/py.typed" in names
    assert "rtm_emulator/conformance/rules.toml" in names
    assert len(SCENARIOS) >= 50
    assert [] == [s for s in SCENARIOS if s not in names]
    assert [] == sorted(n for n in names if n.startswith(("tests/", "docs/", "clients/")))


def test_wheel_entry_points_are_the_command_and_the_pytest_plugin(built: dict[str, Path]) -> None:
    info = f"rtm_emulator-{VERSION}.dist-info"
    points = configparser.ConfigParser()
    points.read_string(_wheel_text(built["wheel"], f"{info}/entry_points.txt"))
    assert {"rtm-emulator": "rtm_emulator.cli:main"} == dict(points["console_scripts"])
    assert {"rtm_emulator": "rtm_emulator.pytest_plugin"} == dict(points["pytest11"])


def test_wheel_metadata_license_classifiers_keywords(built: dict[str, Path]) -> None:
    meta = _metadata(_wheel_text(built["wheel"], f"rtm_emulator-{VERSION}.dist-info/METADATA"))
    assert "rtm-emulator" == meta["Name"]
    assert VERSION == meta["Version"]
    assert "MIT" == meta["License-Expression"]
    assert ["LICENSE"] == meta.get_all("License-File")
    assert ">=3.11" == meta["Requires-Python"]
    classifiers = meta.get_all("Classifier") or []
    assert [] == [c for c in CLASSIFIERS if c not in classifiers]
    keywords = meta["Keywords"].split(",")
    assert {"agora", "rtm", "presence", "pytest", "emulator"} <= set(keywords)
    assert {"server", "test"} <= set(meta.get_all("Provides-Extra") or [])
    # there is no public repository yet, so no project URL is claimed
    assert meta.get_all("Project-URL") is None


def test_sdist_holds_license_docs_tests_and_package_data(built: dict[str, Path]) -> None:
    top = f"rtm_emulator-{VERSION}"
    with tarfile.open(built["sdist"]) as archive:
        names = set(archive.getnames())
        license_member = archive.extractfile(f"{top}/LICENSE")
        assert license_member is not None
        assert LICENSE == license_member.read().decode("utf-8")
        pkg_info = archive.extractfile(f"{top}/PKG-INFO")
        assert pkg_info is not None
        meta = _metadata(pkg_info.read().decode("utf-8"))
    expected = [
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "LICENSE",
        "rtm_emulator/py.typed",
        "rtm_emulator/conformance/rules.toml",
        ".ci/run",
        ".ci/env.sh",
        ".ci/demo",
        ".ci/install-forms",
        *SCENARIOS,
    ]
    assert [] == [n for n in expected if f"{top}/{n}" not in names]
    assert [] == sorted(n for n in names if "/node_modules/" in n or "/.venv/" in n)
    assert "MIT" == meta["License-Expression"]


def test_changelog_opens_with_this_version_unreleased() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert f"## [{VERSION}] - Unreleased" == headings[0]
    assert "Keep a Changelog" in text
    assert "### Added" in text
