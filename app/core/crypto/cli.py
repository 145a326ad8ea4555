"""``tenderhall-seal``: seal a bid offline, inspect a container, check a receipt.

Needs no server configuration: a lot's opening public key comes from a PEM file or from
the platform's ``GET /api/v1/lots/<id>/opening-key`` endpoint.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.crypto.container import (
    DEFAULT_CHUNK_SIZE,
    ContainerError,
    inspect_header,
    open_stream,
    public_key_sha256,
    seal_stream,
    validate_structure,
)
from app.core.crypto.custody import CustodyError
from app.core.crypto.opening_key import OpeningKeyMismatch, SchemaError, read_opening_key


class CliError(Exception):
    """A refusal to go on, reported on stderr with exit status 2."""


def _fetch_key(url: str) -> tuple[str, dict[str, Any]]:
    """The opening key at `url`: the platform's JSON document (OpeningKeyDocument, checked
    against its own fingerprint) or a bare PEM."""
    if not url.startswith(("https://", "http://")):
        raise CliError("--url 须以 https:// 或 http:// 开头")
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (scheme checked above)
            body = resp.read(1024 * 1024).decode("utf-8")
    except urllib.error.HTTPError as exc:
        raise CliError(f"服务器拒绝了请求（HTTP {exc.code}）：{_server_message(exc)}") from exc
    if body.lstrip().startswith("-----BEGIN"):
        return body, {}
    try:
        doc = read_opening_key(json.loads(body))
    except (ValueError, SchemaError) as exc:
        if isinstance(exc, OpeningKeyMismatch):
            raise CliError("服务器返回的开标公钥与其指纹不符，已停止") from exc
        detail = exc.messages if isinstance(exc, SchemaError) else exc
        raise CliError(f"服务器返回的开标公钥格式无法识别：{detail}") from exc
    return doc["public_key_pem"], doc


def _server_message(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read(64 * 1024).decode("utf-8"))["message"])
    except (ValueError, KeyError, TypeError, OSError):
        return str(exc.reason)


def _cmd_seal(args: argparse.Namespace) -> int:
    if args.key:
        pem, info = Path(args.key).read_text(encoding="ascii"), {}
    else:
        pem, info = _fetch_key(args.url)
    if info.get("lot_id") is not None and int(info["lot_id"]) != args.lot:
        raise CliError("开标公钥属于另一个标段，已停止")
    price_form = json.loads(Path(args.price_form).read_text(encoding="utf-8"))
    manifest = {"price_form": price_form}
    files = [
        (Path(f).name, f, mimetypes.guess_type(f)[0] or "application/octet-stream")
        for f in args.files
    ]
    fields = {
        "lot_id": args.lot,
        "lot_code": args.lot_code or info.get("lot_code") or str(args.lot),
        "bidder_org_id": args.bidder_org_id,
        "bidder_credit_code": args.bidder,
        "chunk_size": args.chunk_size,
    }
    out_path = Path(args.output)
    tmp = out_path.with_name(out_path.name + ".part")
    try:
        with open(tmp, "wb") as out:
            header = seal_stream(pem, fields, manifest, files, out)
        tmp.replace(out_path)
    finally:
        tmp.unlink(missing_ok=True)
    with open(out_path, "rb") as fh:
        sha, size = validate_structure(fh, args.lot, args.bidder, None)
    print(
        json.dumps(
            {
                "file": str(out_path),
                "sha256": sha,
                "size": size,
                "header_sha256": header.sha256_hex,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    with open(args.container, "rb") as fh:
        header = inspect_header(fh)
    with open(args.container, "rb") as fh:
        sha, size = validate_structure(fh, None, None, None)
    summary = header.summary()
    summary.update(sha256=sha, size=size, structure="ok")
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def _cmd_open(args: argparse.Namespace) -> int:
    pem = Path(args.private_key).read_bytes()
    with open(args.container, "rb") as fh:
        opened = open_stream(pem, fh, args.directory)
    print(
        json.dumps(
            {
                "manifest": opened.manifest,
                "files": [
                    {"name": f.name, "size": f.size, "sha256": f.sha256, "path": str(f.path)}
                    for f in opened.files
                ],
                "ciphertext_sha256": opened.ciphertext_sha256,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


def _cmd_verify_receipt(args: argparse.Namespace) -> int:
    from app.core.crypto.signing import verify_receipt

    document = json.loads(Path(args.receipt).read_text(encoding="utf-8"))
    key_arg = args.public_key
    key = Path(key_arg).read_text(encoding="ascii") if Path(key_arg).is_file() else key_arg
    if verify_receipt(document, key):
        print("回执签名有效 (signature OK)")
        print(json.dumps(document["receipt"], ensure_ascii=False, indent=2))
        return 0
    print("回执签名无效：回执被修改，或不是该平台公钥签发的 (signature INVALID)", file=sys.stderr)
    return 1


def _cmd_keygen(args: argparse.Namespace) -> int:
    from Crypto.PublicKey import RSA

    key = RSA.generate(3072)
    Path(args.output).write_bytes(key.export_key(pkcs=8))
    Path(args.output).chmod(0o600)
    Path(args.public_output).write_bytes(key.public_key().export_key())
    print(public_key_sha256(key))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tenderhall-seal", description="Tender Hall 密封投标文件工具 (THSB v1)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    seal = sub.add_parser("seal", help="加密投标文件 / seal files and the price form")
    src = seal.add_mutually_exclusive_group(required=True)
    src.add_argument("--key", help="标段开标公钥 PEM 文件")
    src.add_argument("--url", help="https://host/api/v1/lots/<id>/opening-key")
    seal.add_argument("--lot", type=int, required=True, help="标段 ID")
    seal.add_argument("--lot-code", help="标段编号（默认取自服务器或标段 ID）")
    seal.add_argument("--bidder", required=True, help="投标人统一社会信用代码")
    seal.add_argument("--bidder-org-id", type=int, help="投标人在平台的单位 ID")
    seal.add_argument("--price-form", required=True, help="开标一览表 JSON 文件")
    seal.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
    seal.add_argument("-o", "--output", required=True)
    seal.add_argument("files", nargs="+")
    seal.set_defaults(func=_cmd_seal)

    insp = sub.add_parser("inspect", help="查看文件头并检查结构（无需私钥）")
    insp.add_argument("container")
    insp.set_defaults(func=_cmd_inspect)

    opn = sub.add_parser("open", help="用私钥解密（离线测试用）")
    opn.add_argument("--private-key", required=True)
    opn.add_argument("-d", "--directory", required=True)
    opn.add_argument("container")
    opn.set_defaults(func=_cmd_open)

    ver = sub.add_parser("verify-receipt", help="离线验证回执签名")
    ver.add_argument("receipt")
    ver.add_argument("--public-key", required=True, help="平台公钥 PEM 文件或 32 字节十六进制")
    ver.set_defaults(func=_cmd_verify_receipt)

    gen = sub.add_parser("keygen", help="生成 RSA-3072 测试密钥对")
    gen.add_argument("-o", "--output", required=True)
    gen.add_argument("--public-output", required=True)
    gen.set_defaults(func=_cmd_keygen)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ContainerError, CustodyError) as exc:
        print(f"错误 [{getattr(exc, 'reason', exc.code)}]: {exc.message}", file=sys.stderr)
        return 2
    except (CliError, OSError, ValueError) as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
