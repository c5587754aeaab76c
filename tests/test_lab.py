"""`make lab`: JupyterLab starts (also as root), lists the project's kernel and runs it.

The server is the venv's own (``sys.executable -m jupyterlab``), bound to 127.0.0.1 on a free
port with a random token; the ``egovstudy`` kernelspec is registered exactly as ``make
install`` does (``ipykernel install --name egovstudy``) but into a temporary prefix put first
on ``JUPYTER_PATH``, so the test neither needs nor changes the venv's registration. All
traffic is to 127.0.0.1. There is no statistic here, so no external reference applies.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import egovstudy

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "notebooks/01_load_and_validate.ipynb"
STARTUP_SECONDS = 60.0
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lab_argv(port: int, token: str) -> list[str]:
    argv = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
            f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={ROOT}",
            "--ServerApp.port_retries=0",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    return argv + (["--allow-root"] if IS_ROOT else [])


def test_make_lab_binds_localhost_and_allows_root_only_as_root() -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    # -n prints the recipe without running it (nor the venv install it depends on)
    out = subprocess.run([make, "-n", "-s", "lab"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout.replace("\\\n", " ")
    line = next(ln for ln in out.splitlines() if " lab " in ln and "jupyter" in ln)
    assert "--ip=127.0.0.1" in line.split()
    assert ("--allow-root" in line.split()) is IS_ROOT
    custom = subprocess.run([make, "-n", "-s", "lab", "LAB_IP=0.0.0.0", "LAB_PORT=8899"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60,
                            check=True).stdout.replace("\\\n", " ")
    assert "--ip=0.0.0.0" in custom and "--port=8899" in custom


class _Lab:
    """A running JupyterLab server and a small authenticated REST client for it."""

    def __init__(self, port: int, token: str, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.port, self.token, self.proc, self.log = port, token, proc, log

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


@pytest.fixture()
def lab(tmp_path: Path) -> Iterator[_Lab]:
    prefix = tmp_path / "prefix"
    # the same registration as `make install`, into a throw-away prefix
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix),
                    "--name", "egovstudy", "--display-name", "Python (egovstudy)"],
                   check=True, capture_output=True, timeout=120)
    env = dict(os.environ)
    env.update({
        "JUPYTER_PATH": str(prefix / "share" / "jupyter"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        # the kernel imports this checkout's egovstudy, as the tests do
        "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    })
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path / "lab.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(_lab_argv(port, token), cwd=tmp_path, env=env,
                                stdout=sink, stderr=subprocess.STDOUT)
    server = _Lab(port, token, proc, log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with code {proc.returncode}:\n"
                            f"{server.log_tail()}")
            try:
                if server.request("GET", "/api/status") is not None:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab not answering after {STARTUP_SECONDS:.0f} s:\n"
                            f"{server.log_tail()}")
            time.sleep(0.5)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _execute(lab: _Lab, kernel_id: str, code: str, timeout: float = 60.0) -> str:
    """Run ``code`` over the kernel's websocket channel; return its stdout (raise on error)."""
    import websocket  # websocket-client

    ws = websocket.create_connection(
        f"ws://127.0.0.1:{lab.port}/api/kernels/{kernel_id}/channels",
        header=[f"Authorization: token {lab.token}"], timeout=timeout)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout":
                out.append(content["text"])
            elif kind == "error":
                raise AssertionError(f"kernel error: {content['ename']}: {content['evalue']}")
            elif kind == "status" and content.get("execution_state") == "idle":
                return "".join(out)
        raise AssertionError(f"no reply from the kernel within {timeout:.0f} s")
    finally:
        ws.close()


@pytest.mark.slow
def test_lab_lists_kernel_opens_notebook_and_runs_egovstudy(lab: _Lab) -> None:
    specs = lab.request("GET", "/api/kernelspecs")
    assert "egovstudy" in specs["kernelspecs"], sorted(specs["kernelspecs"])
    assert specs["kernelspecs"]["egovstudy"]["spec"]["display_name"] == "Python (egovstudy)"

    model = lab.request("GET", f"/api/contents/{NOTEBOOK}")
    assert model["type"] == "notebook" and model["format"] == "json"
    assert model["content"]["cells"], f"{NOTEBOOK} opened empty"
    # the notebook names a kernel the server can start
    assert model["content"]["metadata"]["kernelspec"]["name"] in specs["kernelspecs"]

    kernel = lab.request("POST", "/api/kernels", {"name": "egovstudy"})
    try:
        out = _execute(lab, kernel["id"], "import egovstudy; print(egovstudy.__version__)")
        assert out.strip() == egovstudy.__version__
        where = _execute(lab, kernel["id"], "print(egovstudy.__file__)")
        assert Path(where.strip()).resolve() == Path(egovstudy.__file__).resolve()
    finally:
        lab.request("DELETE", f"/api/kernels/{kernel['id']}")
    assert lab.request("GET", "/api/kernels") == []


def test_every_ipynb_is_paired_with_its_source() -> None:
    # Lab's jupytext contents manager answers 500 for an .ipynb whose "formats" omit ipynb
    # (the failure the test above caught); the .py headers carry the pairing to the twins
    import nbformat

    twins = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert twins
    for twin in twins:
        formats = nbformat.read(twin, as_version=4).metadata["jupytext"]["formats"]
        assert formats.split(",") == ["ipynb", "py:percent"], f"{twin.name}: {formats}"
