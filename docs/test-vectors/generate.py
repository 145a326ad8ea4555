"""Regenerate the sealed-bid test vectors (docs/sealed-bid-container.md §Test vectors).

    .venv/bin/python docs/test-vectors/generate.py

The RSA key in rsa-3072-test-key.pem is public knowledge: it exists only for vectors.
Everything else is fixed, and RSA-OAEP's random padding comes from a labelled SHA-256
counter stream, so running this twice writes identical files.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from Crypto.PublicKey import ECC, RSA  # noqa: E402

from app.core.crypto import draw  # noqa: E402
from app.core.crypto.container import FRAME, PREFIX, seal_stream  # noqa: E402
from app.core.crypto.signing import public_key_info, sign_json  # noqa: E402

KEY_FILE = HERE / "rsa-3072-test-key.pem"


def oaep_stream(label: bytes):
    counter = 0
    pool = b""

    def randfunc(n: int) -> bytes:
        nonlocal counter, pool
        while len(pool) < n:
            pool += hashlib.sha256(label + counter.to_bytes(4, "big")).digest()
            counter += 1
        out, pool = pool[:n], pool[n:]
        return out

    return randfunc


def container_vector(name: str, chunk_size: int, files: list[dict], price_form: dict) -> dict:
    key = RSA.import_key(KEY_FILE.read_bytes())
    content_key = bytes(range(32))
    header_fields = {
        "lot_id": 42,
        "lot_code": "CZ2026-0042-01",
        "bidder_org_id": 7,
        "bidder_credit_code": "91150900MA0N000X7Q",
        "chunk_size": chunk_size,
        "created_at": "2026-03-01T02:30:00Z",
    }
    manifest = {"price_form": price_form}
    inputs = [
        (f["name"], io.BytesIO(base64.b64decode(f["data_b64"])), f["content_type"]) for f in files
    ]
    out = io.BytesIO()
    header = seal_stream(
        key.public_key().export_key(),
        header_fields,
        manifest,
        inputs,
        out,
        _content_key=content_key,
        _oaep_randfunc=oaep_stream(b"tenderhall-vector-" + name.encode()),
    )
    data = out.getvalue()
    chunks = []
    pos = len(header.raw)
    while pos < len(data):
        index, final, length = FRAME.unpack_from(data, pos)
        body = data[pos + FRAME.size : pos + FRAME.size + length]
        chunks.append({"index": index, "final": bool(final), "ciphertext_hex": body.hex()})
        pos += FRAME.size + length
    header_json = header.raw[PREFIX.size :].decode("utf-8")
    expected_files = []
    for f in files:
        raw = base64.b64decode(f["data_b64"])
        expected_files.append(
            {
                "name": f["name"],
                "size": len(raw),
                "sha256": hashlib.sha256(raw).hexdigest(),
                "content_type": f["content_type"],
            }
        )
    return {
        "description": f"THSB v1 container vector '{name}': fixed content key and OAEP padding",
        "rsa_private_key_file": KEY_FILE.name,
        "rsa_public_key_pem": key.public_key().export_key().decode("ascii"),
        "content_key_hex": content_key.hex(),
        "oaep_random_label": "tenderhall-vector-" + name,
        "wrapped_key_b64": header.fields["wrapped_key"],
        "header_fields": header_fields,
        "manifest_in": manifest,
        "files": files,
        "expected": {
            "header_json": header_json,
            "header_sha256": header.sha256_hex,
            "manifest": {**manifest, "version": 1, "files": expected_files},
            "chunks": chunks,
            "container_sha256": hashlib.sha256(data).hexdigest(),
            "container_size": len(data),
            "container_b64": base64.b64encode(data).decode("ascii"),
        },
    }


def signing_vector() -> dict:
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    key = ECC.construct(curve="Ed25519", seed=seed)
    receipt = {
        "lot_id": 42,
        "lot_code": "CZ2026-0042-01",
        "bidder": "91150900MA0N000X7Q",
        "bid_version": 1,
        "ciphertext_sha256": "00" * 32,
        "size": 1234,
        "server_time": "2026-03-01T02:31:00Z",
        "audit_seq": 17,
        "note": "回执",
    }
    info = public_key_info(key)
    return {
        "description": "Ed25519 (RFC 8032) over canonical JSON of the receipt body",
        "seed_hex": seed.hex(),
        "public_key_raw_hex": info.raw_hex,
        "public_key_pem": info.pem,
        "key_id": info.key_id,
        "receipt": receipt,
        "canonical_json": json.dumps(
            receipt, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ),
        "signature_hex": sign_json(receipt, key),
    }


def draw_vector() -> dict:
    seed = bytes.fromhex("0f" * 32)
    public_value = "a3f1c9e2d4b5a6978877665544332211a3f1c9e2d4b5a6978877665544332211"
    mixed = draw.mixed_seed(seed, public_value)
    ids = [101, 102, 103, 104, 105, 106, 107]
    return {
        "description": "commit = SHA-256(seed); mixed = HMAC-SHA256(seed, public_value UTF-8); "
        "rank = ids sorted by HMAC-SHA256(mixed, str(id))",
        "seed_hex": seed.hex(),
        "commitment": draw.commit(seed),
        "public_value": public_value,
        "mixed_seed_hex": mixed.hex(),
        "ids": ids,
        "ranking": [[i, h] for i, h in draw.rank(mixed, ids)],
    }


def draw_v2_vector() -> dict:
    seed = bytes.fromhex("0f" * 32)
    public_value = "a3f1c9e2d4b5a6978877665544332211a3f1c9e2d4b5a6978877665544332211"
    mixed = draw.mixed_seed(seed, public_value)
    pools = [list(range(101, 131)), list(range(120, 140))]
    groups = [{"count": 3, "reserves": 2}, {"count": 2, "reserves": 1}]
    taken: set[int] = set()
    result = []
    for g, (pool, group) in enumerate(zip(pools, groups, strict=True)):
        picked = draw.shuffle_head(
            mixed, f"tenderhall-draw/2:{g}", sorted(pool), group["count"] + group["reserves"], taken
        )
        taken.update(picked)
        result.append({"invited": picked[: group["count"]], "reserves": picked[group["count"] :]})
    return {
        "description": "rule 2: mixed = HMAC-SHA256(seed, public_value UTF-8); per group g, "
        "partial Fisher-Yates over the sorted ids with below(b) from 64-bit big-endian words "
        "of HMAC-SHA256(mixed, 'tenderhall-draw/2:<g>:<j>'), rejection above "
        "2^64 - 2^64 mod b; ids taken by an earlier group are skipped",
        "seed_hex": seed.hex(),
        "public_value": public_value,
        "mixed_seed_hex": mixed.hex(),
        "first_words_group_0": [
            w
            for w, _ in zip(draw.stream_words(mixed, "tenderhall-draw/2:0"), range(6), strict=False)
        ],
        "pools": pools,
        "groups": groups,
        "result": result,
    }


def main() -> None:
    if not KEY_FILE.exists():
        KEY_FILE.write_bytes(RSA.generate(3072).export_key(pkcs=8))
    text = "投标函：我方承诺按招标文件要求完成本项目。\nTender letter, line two.\n"
    basic = container_vector(
        "basic",
        64,
        [
            {
                "name": "投标函.txt",
                "content_type": "text/plain",
                "data_b64": base64.b64encode(text.encode("utf-8")).decode(),
            },
            {
                "name": "bytes.bin",
                "content_type": "application/octet-stream",
                "data_b64": base64.b64encode(bytes(range(256))).decode(),
            },
        ],
        {
            "total_price": "1234567.89",
            "duration_days": 90,
            "quality": "合格",
            "bid_bond": "20000.00",
        },
    )
    # Choose a file length that makes the plaintext an exact multiple of the chunk size,
    # so the final chunk is a full one.
    exact = None
    for pad in range(0, 128):
        candidate = container_vector(
            "exact",
            128,
            [
                {
                    "name": "a.txt",
                    "content_type": "text/plain",
                    "data_b64": base64.b64encode(b"x" * (300 + pad)).decode(),
                }
            ],
            {"total_price": "0.50", "duration_days": 1, "quality": "优良"},
        )
        if all(len(c["ciphertext_hex"]) // 2 == 128 + 16 for c in candidate["expected"]["chunks"]):
            exact = candidate
            break
    assert exact is not None
    vectors = {
        "container-v1-basic.json": basic,
        "container-v1-exact-multiple.json": exact,
        "signing-ed25519.json": signing_vector(),
        "draw-hmac.json": draw_vector(),
        "draw-fisher-yates.json": draw_v2_vector(),
    }
    for name, body in vectors.items():
        (HERE / name).write_text(
            json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print("wrote", name)


if __name__ == "__main__":
    main()
