"""The official Meilisearch client used the blocking way, over one kept-alive connection per thread.

The search benchmark's direct path: how a plain Python program sends the service's own request
through the official client (its request layer and validation) without the service's event-loop
transport (service.search.transport). LeanSession is the two calls of `requests.Session` the
client's request layer makes, over urllib3 directly.
"""

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import certifi  # noqa: E402
import meilisearch  # noqa: E402
import requests  # noqa: E402
import urllib3  # noqa: E402
from meilisearch.index import Index  # noqa: E402
from requests.structures import CaseInsensitiveDict  # noqa: E402
from urllib3.util import Retry  # noqa: E402

from service.search.transport import Answer, PooledHttp  # noqa: E402


class LeanSession:
    """The two calls of `requests.Session` the client's request layer makes, over urllib3 directly.

    requests spent ~0.8 ms of CPU per search on top of urllib3 (request preparation, settings
    merging, cookie extraction, hooks), in the search thread and so holding the GIL the event
    loop needs. Answers are `requests.Response` objects and failures `requests` exceptions, so
    the client's own validation and error mapping (MeilisearchApiError, ...CommunicationError,
    ...TimeoutError) run unchanged. Like the session it replaces: no retries, no redirects, no
    proxy or netrc lookups, certifi's CA bundle for https, and uncompressed answers (no
    Accept-Encoding: Meilisearch runs beside the service, and gzip cost both sides CPU).
    """

    def __init__(self, base_url: str) -> None:
        url = urllib3.util.parse_url(base_url)
        tls: dict[str, Any] = {"ca_certs": certifi.where()} if url.scheme == "https" else {}
        self._pool = urllib3.connection_from_url(base_url, maxsize=1, block=False,
                                                 retries=Retry(0, read=False), **tls)
        self._origin = base_url[:len(base_url) - len(url.path or "")] if url.path else base_url

    def get(self, url: str, *, timeout: float | None, headers: dict[str, str]) -> requests.Response:
        """GET the URL (under the base URL)."""
        return self._send("GET", url, None, timeout, headers)

    def post(self, url: str, *, timeout: float | None, headers: dict[str, str],
             data: str | bytes | None = None) -> requests.Response:
        """POST the body to the URL (under the base URL)."""
        return self._send("POST", url, data.encode() if isinstance(data, str) else data, timeout, headers)

    def _send(self, method: str, url: str, body: bytes | None, timeout: float | None,
              headers: dict[str, str]) -> requests.Response:
        path = url[len(self._origin):] if url.startswith(self._origin) else url
        try:
            answer = self._pool.urlopen(method, path or "/", body=body, headers=headers,
                                        timeout=urllib3.Timeout(connect=timeout, read=timeout),
                                        redirect=False, preload_content=True)
        except (urllib3.exceptions.TimeoutError, urllib3.exceptions.MaxRetryError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, urllib3.exceptions.TimeoutError) and not isinstance(
                    reason, urllib3.exceptions.ConnectTimeoutError):
                raise requests.exceptions.Timeout(str(exc)) from exc
            raise requests.exceptions.ConnectionError(str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise requests.exceptions.ConnectionError(str(exc)) from exc
        response = Answer()
        response.status_code = answer.status
        response.reason = answer.reason or ""
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.data
        response.encoding = "utf-8"
        response.url = url
        return response


def pooled_index(url: str, key: str, *, uid: str, timeout_s: float) -> Index:
    """An official-client index object whose requests reuse one keep-alive connection (one thread only)."""
    # The client's timeout is whole seconds; never wait without one.
    index = meilisearch.Client(url, key, timeout=max(1, round(timeout_s))).index(uid)
    index.http = PooledHttp(index.config, LeanSession(index.config.url))
    return index
