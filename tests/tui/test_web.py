"""`charter tui --web` in a real browser: serve the app on a free local port, load it in
headless Chromium (Debian's `chromium` package, installed with apt-get when missing and
possible, else the test is skipped with the reason), check that the first screen shows
the run, press a key and see the view change.

The terminal in the page is drawn on a canvas (xterm.js), so the test reads what the
browser received: a script added before the page loads records every WebSocket frame the
page gets from the server (the terminal's output), and the key goes in through Chrome's
DevTools protocol as a real key event on the terminal's input element.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

_DEADLINE = 90.0  # seconds: an upper bound for the server, the browser and the app

_RECORD_FRAMES = """
window.__received = "";
(() => {
  const Real = window.WebSocket;
  const decoder = new TextDecoder();
  function Recording(url, protocols) {
    const socket = protocols === undefined ? new Real(url) : new Real(url, protocols);
    socket.addEventListener("message", (event) => {
      const data = event.data;
      if (typeof data === "string") { window.__received += data; }
      else if (data instanceof ArrayBuffer) { window.__received += decoder.decode(data); }
      else if (data instanceof Blob) { data.text().then((t) => { window.__received += t; }); }
    });
    return socket;
  }
  Recording.prototype = Real.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) { Recording[name] = Real[name]; }
  window.WebSocket = Recording;
})();
"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "chromium"],
            capture_output=True,
            timeout=900,
            check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which("chromium")
    if found is None:
        pytest.skip(
            "headless Chromium is not available: Debian's chromium package is not installed"
            " and `apt-get install -y chromium` could not install it (needs root and a mirror)"
        )
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small finished run with an escalation decided, to open with `--run`."""
    from charter.graph import Orchestrator
    from charter.protocols import Signal

    path = tmp_path_factory.mktemp("web") / "night-run"
    with Orchestrator(path, pm_policy="approve") as orch:
        orch.signal(Signal(id="s1", kind="pipeline_failed", source="m", at=orch.clock.now()))
        assert orch.run_until_idle() == "idle"
    return path


@contextlib.contextmanager
def _process(argv: list[str], **kw: Any) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(argv, text=True, **kw)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _DevTools:
    """Just enough of Chrome's DevTools protocol over aiohttp's WebSocket client."""

    def __init__(self, socket: Any) -> None:
        self._socket = socket
        self._ids = itertools.count(1)
        self.session: str | None = None

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
        if self.session is not None:
            message["sessionId"] = self.session
        await self._socket.send_str(json.dumps(message))
        while True:  # events arrive in between; the answer carries our id
            reply = json.loads((await self._socket.receive()).data)
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    async def received(self) -> str:
        result = await self.call(
            "Runtime.evaluate", expression="window.__received || ''", returnByValue=True
        )
        return str(result["result"].get("value", ""))


@contextlib.asynccontextmanager
async def _browser(chromium: str, profile: Path) -> AsyncIterator[_DevTools]:
    import aiohttp

    argv = [
        chromium,
        "--headless=new",
        "--no-sandbox",  # the test may run as root in a container
        "--disable-gpu",
        "--no-first-run",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        "about:blank",
    ]
    with _process(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL) as process:
        assert process.stderr is not None
        url = await asyncio.wait_for(asyncio.to_thread(_devtools_url, process.stderr), 60)
        async with aiohttp.ClientSession() as http, http.ws_connect(url, max_msg_size=0) as ws:
            tools = _DevTools(ws)
            target = await tools.call("Target.createTarget", url="about:blank")
            attached = await tools.call(
                "Target.attachToTarget", targetId=target["targetId"], flatten=True
            )
            tools.session = attached["sessionId"]
            yield tools


def _devtools_url(stderr: Any) -> str:
    for line in stderr:
        if "DevTools listening on " in line:
            return str(line.split("DevTools listening on ", 1)[1].strip())
    raise AssertionError("chromium exited without opening its DevTools port")


async def _until(check: Any, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _DEADLINE
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)  # polling a browser and a server: no event to wait on


async def test_the_web_app_shows_the_run_and_answers_a_key(run_dir: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    port = _free_port()
    charter = [sys.executable, "-P", "-c", "from charter.cli.main import run; run()"]
    server_argv = [*charter, "tui", "--run", str(run_dir), "--web", "--port", str(port)]
    with _process(server_argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as server:
        import aiohttp

        page = f"http://127.0.0.1:{port}/"

        async def serving() -> bool:
            if server.poll() is not None:
                raise AssertionError(f"charter tui --web exited: {server.stdout.read()}")  # type: ignore[union-attr]
            try:
                async with aiohttp.ClientSession() as http, http.get(page) as response:
                    return response.status == 200
            except aiohttp.ClientConnectionError:
                return False

        await _until(serving, "the web server")
        async with _browser(chromium, tmp_path / "profile") as tools:
            await tools.call("Page.enable")
            await tools.call("Runtime.enable")
            await tools.call("Page.addScriptToEvaluateOnNewDocument", source=_RECORD_FRAMES)
            await tools.call("Page.navigate", url=page)

            async def first_screen() -> bool:
                text = await tools.received()
                return "Agents" in text and "night-run" in text

            await _until(first_screen, "the first screen to show the run")
            before = await tools.received()
            assert "Charter" in before
            assert "run_started" not in before  # the timeline is not shown yet

            await tools.call(
                "Runtime.evaluate",
                expression="document.querySelector('.xterm-helper-textarea').focus()",
            )
            for kind in ("keyDown", "keyUp"):
                await tools.call(
                    "Input.dispatchKeyEvent",
                    type=kind,
                    key="2",
                    code="Digit2",
                    windowsVirtualKeyCode=50,
                    **({"text": "2"} if kind == "keyDown" else {}),
                )

            async def timeline_shown() -> bool:
                return "run_started" in (await tools.received())[len(before) :]

            await _until(timeline_shown, "the timeline after pressing 2")
