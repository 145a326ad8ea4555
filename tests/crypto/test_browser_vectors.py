"""seal.js in real chromium writes the same bytes as the Python sealer, and Python opens them."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.core.crypto.container import open_stream, validate_structure
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.crypto.vectors import CONTAINER_VECTORS, file_bytes, load, vector_private_pem

pytestmark = pytest.mark.browser

SEAL_JS = Path(__file__).resolve().parents[2] / "app" / "static" / "js" / "seal.js"

RUN_SEAL = """
async ([vector, useHooks]) => {
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const files = vector.files.map((f) => new File([bytes(f.data_b64)], f.name, {type: f.content_type}));
  const progress = [];
  const onProgress = (done, total) => progress.push([done, total]);
  let blob;
  if (useHooks) {
    const hooks = {
      contentKey: Uint8Array.from(vector.content_key_hex.match(/../g).map((h) => parseInt(h, 16))),
      wrappedKey: bytes(vector.wrapped_key_b64),
    };
    blob = await TenderHallSeal.testing.sealBidWith(hooks, vector.rsa_public_key_pem,
      vector.header_fields, vector.manifest_in, files, onProgress);
  } else {
    blob = await TenderHallSeal.sealBid(vector.rsa_public_key_pem, vector.header_fields,
      vector.manifest_in, files, onProgress);
  }
  const buf = new Uint8Array(await blob.arrayBuffer());
  let s = "";
  for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
  return {b64: btoa(s), type: blob.type, progress: progress[progress.length - 1]};
}
"""


class _Pages(BaseHTTPRequestHandler):
    """Serves one page and seal.js: WebCrypto needs a secure context such as 127.0.0.1."""

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        if self.path == "/seal.js":
            body, ctype = SEAL_JS.read_bytes(), "text/javascript"
        else:
            body = b'<!doctype html><html><head><script src="/seal.js"></script></head></html>'
            ctype = "text/html"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    from playwright import sync_api

    require_chromium()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pg = browser.new_page()
            pg.goto(f"http://127.0.0.1:{server.server_port}/")
            pg.wait_for_function("() => window.TenderHallSeal !== undefined")
            yield pg
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("name", CONTAINER_VECTORS)
def test_browser_sealing_with_fixed_keys_matches_the_vector_bytes(page: Any, name: str) -> None:
    vector = load(name)
    result = page.evaluate(RUN_SEAL, [vector, True])
    data = base64.b64decode(result["b64"])
    expected = vector["expected"]
    assert data == base64.b64decode(expected["container_b64"])
    assert result["type"] == "application/vnd.tenderhall.sealed-bid"
    opened = open_stream(vector_private_pem(), io.BytesIO(data), None)
    assert opened.manifest == expected["manifest"]


def test_browser_sealing_with_real_webcrypto_opens_in_python(page: Any) -> None:
    vector = load("container-v1-basic.json")
    result = page.evaluate(RUN_SEAL, [vector, False])
    data = base64.b64decode(result["b64"])
    sha, size = validate_structure(io.BytesIO(data), 42, "91150900MA0N000X7Q", 10**6)
    assert size == len(data)
    opened = open_stream(vector_private_pem(), io.BytesIO(data), None)
    assert opened.manifest == vector["expected"]["manifest"]
    assert [f.sha256 for f in opened.files] == [
        f["sha256"] for f in vector["expected"]["manifest"]["files"]
    ]
    # A fresh content key: the chunk bodies differ from the vector's, the plaintext does not.
    assert [c["ciphertext_hex"] for c in vector["expected"]["chunks"]][0] not in data.hex()
    total = sum(len(file_bytes(f)) for f in vector["files"])
    assert result["progress"] == [2 * total, 2 * total]


def test_browser_sha256_matches_python_on_block_boundaries(page: Any) -> None:
    import hashlib

    for n in (0, 1, 55, 56, 63, 64, 65, 119, 120, 1000):
        got = page.evaluate(
            "(n) => { const s = new TenderHallSeal.Sha256(); const a = new Uint8Array(n);"
            " for (let i = 0; i < n; i++) a[i] = i % 251; s.update(a.subarray(0, n >> 1));"
            " s.update(a.subarray(n >> 1)); return s.hexdigest(); }",
            n,
        )
        assert got == hashlib.sha256(bytes(i % 251 for i in range(n))).hexdigest(), n
