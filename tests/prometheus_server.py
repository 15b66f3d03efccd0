"""A real Prometheus server for tests (Debian package ``prometheus``): it scrapes one
target on 127.0.0.1 every second, evaluates the given rule files every second, keeps
its storage in a temporary folder, and answers PromQL over its HTTP API."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO, Any

import yaml

from debian_tools import debian_tool


def prometheus_binary() -> str:
    """The ``prometheus`` server; skipped where it is missing, but a failure under CI."""
    return debian_tool("prometheus", "prometheus")


class PrometheusServer:
    """``prometheus`` scraping ``scrape`` (host:port) as job ``job``, its log in a file."""

    def __init__(
        self, folder: Path, port: int, scrape: str, rule_files: list[Path], job: str
    ) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = folder / "prometheus.log"
        config = {
            "global": {
                "scrape_interval": "1s",
                "scrape_timeout": "1s",
                "evaluation_interval": "1s",
            },
            "rule_files": [str(path) for path in rule_files],
            "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [scrape]}]}],
        }
        config_path = folder / "prometheus.yml"
        config_path.write_text(yaml.safe_dump(config))
        self._log: IO[bytes] = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                prometheus_binary(),
                f"--config.file={config_path}",
                f"--storage.tsdb.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def query(self, expr: str) -> dict[str, Any]:
        """The API's answer to an instant query now: ``status``, then ``data`` or ``error``."""
        url = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                body = answer.read()
        except urllib.error.HTTPError as error:  # 400/422 carry the API's own error
            body = error.read()
            error.close()
        result: dict[str, Any] = json.loads(body)
        return result

    def series(self, expr: str) -> list[dict[str, str]]:
        """The label sets of ``expr``'s result now (none: an empty list)."""
        answer = self.query(expr)
        assert answer["status"] == "success", f"{expr}: {answer.get('error')}"
        return [item["metric"] for item in answer["data"]["result"]]

    def wait_for(self, expr: str, what: str, timeout: float = 20) -> None:
        """Poll until ``expr`` has a result; fail naming ``what`` past ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"prometheus exited:\n{self.log}"
            try:
                if self.series(expr):
                    return
            except OSError:  # not listening yet
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what} ({expr})")
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit within 10 s."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()
