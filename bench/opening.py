"""Opening: decrypt and verify N sealed bids of S MB through the opening code path.

Builds a fresh instance with one lot, N bids sealed to its opening key and stored as the
upload would store them, passes the deadline (the freeze) and, in each round, has two
custodians present their shares (not timed) and times `decrypt_bids` — share combination,
RSA-OAEP unwrap, per-chunk AES-256-GCM with its associated data, SHA-256 of the ciphertext
against the receipt and of every plaintext file, the outcome rows and audit entries — then
rolls the round back. In the same run the same bytes go through bare pycryptodome
AES-256-GCM (1 MiB chunks, decrypt + tag check). Prints the medians of --repeat rounds:

    opening_mb_s: N          ciphertext MB/s through the opening
    raw_aes_gcm_mb_s: N      ciphertext MB/s through bare AES-GCM
    opening_ratio: 0.xx

Run: .venv/bin/python bench/opening.py [--bids 100] [--mb 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bids_world import MB, PASSPHRASES, build, overrides, seal_all  # noqa: E402


def raw_aes_gcm(paths: list[Path]) -> float:
    """Seconds to run AES-256-GCM (decrypt + tag) over every byte of `paths`, 1 MiB chunks."""
    from Crypto.Cipher import AES

    key = os.urandom(32)
    seconds = 0.0
    for path in paths:
        with open(path, "rb") as f:
            t0 = time.perf_counter()
            index = 0
            while block := f.read(MB + 16):
                cipher = AES.new(key, AES.MODE_GCM, nonce=index.to_bytes(12, "big"))
                cipher.update(bytes(41))  # header hash, index, final flag
                cipher.decrypt(block[:-16])
                # Our key is not the bid's, so the tag cannot match; computing it is the cost.
                with contextlib.suppress(ValueError):
                    cipher.verify(block[-16:])
                index += 1
            seconds += time.perf_counter() - t0
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=100)
    parser.add_argument("--mb", type=float, default=20.0, help="plaintext size of each bid")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    os.environ["TENDERHALL_ENV"] = "development"
    from app.core import clock
    from app.core.auth.models import User
    from app.core.extensions import db
    from app.core.storage import get_store
    from app.factory import create_app
    from bidding.bids import opening as hall
    from bidding.bids.decryption import decrypt_bids
    from bidding.bids.freeze import close_lot
    from bidding.bids.models import Bid, BidStatus
    from bidding.models import Lot

    size = int(args.mb * MB)
    with tempfile.TemporaryDirectory(prefix="th-bench-opening-") as tmp:
        instance = Path(tmp)
        app = create_app(overrides(instance, args.database_url))
        start = dt.datetime.now(dt.UTC)
        world = build(app, args.bids, size + 4 * MB, start + dt.timedelta(days=1))
        t0 = time.perf_counter()
        paths = seal_all(world, size, instance / "sealed")
        total = sum(p.stat().st_size for p in paths) / MB
        print(
            f"# sealed {args.bids} bids × {args.mb:g} MB ({total:.0f} MB) "
            f"in {time.perf_counter() - t0:.1f}s",
            flush=True,
        )

        with app.app_context():
            store = get_store()
            for bidder, path in zip(world.bidders, paths, strict=True):
                with open(path, "rb") as f:
                    sha, n = store.put_stream(f)
                db.session.add(
                    Bid(
                        lot_id=world.lot_id,
                        supplier_id=bidder.org_id,
                        version=1,
                        status=BidStatus.SUBMITTED,
                        ciphertext_sha256=sha,
                        size=n,
                        received_at=clock.now(),
                        submitted_by_id=bidder.user_id,
                    )
                )
            db.session.commit()
            clock.set_now(world.deadline + dt.timedelta(minutes=1))
            lot = db.session.get(Lot, world.lot_id)
            assert lot is not None
            close_lot(lot)
            db.session.commit()
            staff = db.session.get(User, world.staff_id)
            custodians = [db.session.get(User, i) for i in world.custodian_ids[:2]]

            opening: list[float] = []
            raw: list[float] = []
            for r in range(args.repeat):
                lot = db.session.get(Lot, world.lot_id)
                for user, passphrase in zip(custodians, PASSPHRASES, strict=False):
                    hall.present_share(lot, user, passphrase)  # type: ignore[arg-type]
                t0 = time.perf_counter()
                decrypt_bids(lot, staff)  # type: ignore[arg-type]
                seconds = time.perf_counter() - t0
                statuses = {b.status for b in db.session.query(Bid).filter_by(lot_id=lot.id)}
                assert statuses == {BidStatus.DECRYPTED}, statuses
                db.session.rollback()
                opening.append(total / seconds)
                raw.append(total / raw_aes_gcm(paths))
                print(
                    f"# round {r + 1}: opening {opening[-1]:.1f} MB/s, raw {raw[-1]:.1f} MB/s",
                    flush=True,
                )
        mb_s, raw_mb_s = statistics.median(opening), statistics.median(raw)
        print(f"opening_mb_s: {mb_s:.1f}")
        print(f"raw_aes_gcm_mb_s: {raw_mb_s:.1f}")
        print(f"opening_ratio: {mb_s / raw_mb_s:.2f}")


if __name__ == "__main__":
    main()
