"""tenderhall-seal: seal → inspect → open, and offline receipt verification."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.crypto.cli import main
from app.core.crypto.signing import load_or_create_key, public_key_info, sign_receipt
from tests.crypto.vectors import VECTORS, vector_private_pem


@pytest.fixture
def sealed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    from Crypto.PublicKey import RSA

    public = tmp_path / "lot.pem"
    public.write_bytes(RSA.import_key(vector_private_pem()).public_key().export_key())
    form = tmp_path / "form.json"
    form.write_text(
        json.dumps({"total_price": "880000.00", "duration_days": 60, "quality": "合格"}),
        encoding="utf-8",
    )
    (tmp_path / "技术标.pdf").write_bytes(b"%PDF-1.4 fake" * 100)
    (tmp_path / "商务标.txt").write_text("商务", encoding="utf-8")
    out = tmp_path / "bid.thsb"
    code = main(
        [
            "seal",
            "--key",
            str(public),
            "--lot",
            "42",
            "--lot-code",
            "CZ-42",
            "--bidder",
            "91150900MA0N000X7Q",
            "--price-form",
            str(form),
            "-o",
            str(out),
            str(tmp_path / "技术标.pdf"),
            str(tmp_path / "商务标.txt"),
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["size"] == out.stat().st_size
    return out


def test_cli_seal_inspect_open_round_trip(
    sealed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inspect", str(sealed)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["lot_id"], info["lot_code"], info["structure"]) == (42, "CZ-42", "ok")
    assert info["content_types"] == ["application/pdf", "text/plain"]
    assert (
        main(
            [
                "open",
                "--private-key",
                str(VECTORS / "rsa-3072-test-key.pem"),
                "-d",
                str(tmp_path / "opened"),
                str(sealed),
            ]
        )
        == 0
    )
    opened = json.loads(capsys.readouterr().out)
    assert opened["manifest"]["price_form"]["total_price"] == "880000.00"
    assert (tmp_path / "opened" / "商务标.txt").read_text(encoding="utf-8") == "商务"


def test_cli_inspect_reports_a_truncated_container(
    sealed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sealed.write_bytes(sealed.read_bytes()[:-3])
    assert main(["inspect", str(sealed)]) == 2
    assert "[truncated]" in capsys.readouterr().err


def test_cli_refuses_a_price_given_as_a_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from Crypto.PublicKey import RSA

    public = tmp_path / "lot.pem"
    public.write_bytes(RSA.import_key(vector_private_pem()).public_key().export_key())
    form = tmp_path / "form.json"
    form.write_text('{"total_price": 880000.5}', encoding="utf-8")
    (tmp_path / "a.txt").write_text("a")
    assert (
        main(
            [
                "seal",
                "--key",
                str(public),
                "--lot",
                "1",
                "--bidder",
                "X",
                "--price-form",
                str(form),
                "-o",
                str(tmp_path / "b.thsb"),
                str(tmp_path / "a.txt"),
            ]
        )
        == 2
    )
    assert "开标一览表" in capsys.readouterr().err
    assert not (tmp_path / "b.thsb").exists()


def test_cli_verifies_a_receipt_offline_and_rejects_a_forged_one(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "platform.pem")
    (tmp_path / "platform.pub.pem").write_text(public_key_info(key).pem)
    doc = sign_receipt({"lot_id": 42, "ciphertext_sha256": "ab" * 32, "size": 10}, key)
    good = tmp_path / "receipt.json"
    good.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    forged = tmp_path / "forged.json"
    doc["receipt"]["size"] = 11
    forged.write_text(json.dumps(doc), encoding="utf-8")
    cmd = [sys.executable, "-m", "app.core.crypto.cli", "verify-receipt"]
    ok = subprocess.run(
        [*cmd, str(good), "--public-key", str(tmp_path / "platform.pub.pem")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [*cmd, str(forged), "--public-key", public_key_info(key).raw_hex],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert bad.returncode == 1
    assert "无效" in bad.stderr


def _serve_json(body: dict[str, object]) -> tuple[object, str]:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/api/v1/lots/42/opening-key"


@pytest.mark.parametrize(("lot_id", "code"), [(42, 0), (43, 1)])
def test_cli_fetches_the_opening_key_and_refuses_another_lots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lot_id: int, code: int
) -> None:
    from Crypto.PublicKey import RSA

    from app.core.crypto.container import inspect_header, public_key_sha256

    key = RSA.import_key(vector_private_pem())
    server, url = _serve_json(
        {
            "lot_id": lot_id,
            "lot_code": "CZ2026-0042-01",
            "public_key_pem": key.public_key().export_key().decode(),
            "key_sha256": public_key_sha256(key),
            "k": 2,
            "n": 3,
        }
    )
    try:
        form = tmp_path / "form.json"
        form.write_text('{"total_price": "1.00"}', encoding="utf-8")
        (tmp_path / "a.txt").write_text("a")
        out = tmp_path / "bid.thsb"
        argv = ["seal", "--url", url, "--lot", "42", "--bidder", "X", "--price-form", str(form)]
        result = main([*argv, "-o", str(out), str(tmp_path / "a.txt")])
    finally:
        server.shutdown()  # type: ignore[attr-defined]
        server.server_close()  # type: ignore[attr-defined]
    if code == 0:
        assert result == 0
        with open(out, "rb") as fh:
            assert inspect_header(fh).lot_code == "CZ2026-0042-01"
    else:
        assert result != 0 and not out.exists()
