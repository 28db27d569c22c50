"""Headless Chromium driven over the DevTools protocol: open a page, see its DOM, requests, console errors, screenshot."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websocket

BINARY = shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Page:
    dom: str
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, the page's own included
    errors: list[str] = field(default_factory=list)  # console errors, uncaught exceptions, CSP and network errors


class Chromium:
    """One headless browser for a test; ``open`` loads a page with JavaScript on or off."""

    def __init__(self, profile: Path):
        self.profile = profile
        self.process = subprocess.Popen(
            [BINARY, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
             "--remote-debugging-port=0", "--remote-allow-origins=*", f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.socket = None
        self.next_id = 0
        try:
            self.socket = websocket.create_connection(self._page_socket(), timeout=60)
        except BaseException:
            self.close()
            raise

    def _page_socket(self) -> str:
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (marker.exists() and marker.read_text().strip()):  # the browser writes it when it listens
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.05)
        port = marker.read_text().split()[0]
        while True:
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30))
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            if time.monotonic() > deadline:
                raise RuntimeError("chromium has no page target")
            time.sleep(0.05)

    def call(self, method: str, events: list | None = None, **params):
        """Send one command, return its result; events that arrive meanwhile go to ``events``."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if events is not None and "method" in message:
                events.append(message)

    def open(self, url: str, javascript: bool = True, width: int = 1200, height: int = 900) -> Page:
        events: list[dict] = []
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable", events)
        self.call("Emulation.setScriptExecutionDisabled", events, value=not javascript)
        self.call("Emulation.setDeviceMetricsOverride", events, width=width, height=height, deviceScaleFactor=1,
                  mobile=width < 600)
        self.call("Page.navigate", events, url=url)
        while not any(e["method"] == "Page.loadEventFired" for e in events):
            events.append(json.loads(self.socket.recv()))
        dom = self.call("DOM.getOuterHTML", events, nodeId=self.call("DOM.getDocument", events)["root"]["nodeId"])["outerHTML"]
        return Page(dom, _requests(events), _errors(events))

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf(self) -> bytes:
        return base64.b64decode(self.call("Page.printToPDF")["data"])

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _requests(events: list[dict]) -> list[str]:
    return [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]


def _errors(events: list[dict]) -> list[str]:
    found = []
    for e in events:
        method, params = e["method"], e.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            found.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            found.append(str(params.get("exceptionDetails", {}).get("text")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            found.append(params["entry"].get("text", ""))
        elif method == "Network.loadingFailed":
            found.append(f"request failed: {params.get('errorText')}")
    return found
