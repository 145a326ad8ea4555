"""Project archive build and verify against a bare zip-and-hash script, in the same run.

Builds one contracted lot (the results test world) with --bids sealed bids of --mb MB
each (random bytes in the content store) and --entries extra audit entries on the lot,
then times, for the same files:

    archive_build    app.archive.build.build_archive (collect, stream into a ZIP, hash every
                     file, sign the manifest, hash the package, adopt it into the store)
    archive_verify   app.archive.verify.verify_package (signature, every file's SHA-256,
                     the audit checkpoint and every inclusion proof)
    bare_build       a plain script: zipfile (stored) of the same store files, SHA-256 of
                     each while copying, then of the whole package
    bare_verify      a plain script: SHA-256 of every member of that ZIP

Both sides write a new file each round (the store keeps every package it adopts; rewriting
one file would let the kernel reuse the pages it has just freed, which no real build
meets). Each verify reads its package from the page cache (read once first, untimed; see
`warm`). Also the peak
Python memory (tracemalloc) of a build and a verify, which must stay flat when --mb grows.
Prints:

    archive_build_mb_s: N MB/s   bare_build_mb_s: N MB/s   archive_build_ratio: 0.xx
    archive_verify_mb_s: N MB/s  bare_verify_mb_s: N MB/s  archive_verify_ratio: 0.xx
    archive_build_cpu_ratio: 0.xx  archive_verify_cpu_ratio: 0.xx  (process CPU time)
    archive_build_peak_mb: N MB  archive_verify_peak_mb: N MB

Medians of --rounds runs; which side goes first alternates from round to round.

Run: .venv/bin/python bench/archive.py [--bids 30] [--mb 20] [--entries 5000] [--rounds 3]
     [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHUNK = 1024 * 1024
KEYS = ("build", "bb", "verify", "bv")


class RandomStream:
    """`size` random bytes, read in chunks (never all in memory)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        self.left -= n
        return os.urandom(n)


def bare_build(paths: list[tuple[str, Path]], out: Path) -> str:
    with zipfile.ZipFile(out, "w", allowZip64=True) as zf:
        for name, src in paths:
            digest = hashlib.sha256()
            info = zipfile.ZipInfo(name)
            with open(src, "rb") as f, zf.open(info, "w", force_zip64=True) as dst:
                while block := f.read(CHUNK):
                    digest.update(block)
                    dst.write(block)
    whole = hashlib.sha256()
    with open(out, "rb") as f:
        while block := f.read(CHUNK):
            whole.update(block)
    return whole.hexdigest()


def warm(path: Path) -> None:
    """Read the file once, untimed, so that both verifies read their package from the page
    cache. (A package written with O_DIRECT is not in the cache; reading either package
    cold measured mostly how the host hands out fresh pages: the side whose pages the
    kernel had just freed won by 2x either way, run to run.)"""
    with open(path, "rb") as f:
        while f.read(8 * CHUNK):
            pass


def bare_verify(path: Path) -> int:
    n = 0
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            digest = hashlib.sha256()
            with zf.open(info) as f:
                while block := f.read(CHUNK):
                    digest.update(block)
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bids", type=int, default=30)
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="30 bids of 2 MB, 1,000 entries")
    parser.add_argument("--profile", metavar="FILE", help="also cProfile one build into FILE")
    args = parser.parse_args()
    if args.quick:
        args.mb, args.entries = 2, 1000
    os.environ["TENDERHALL_ENV"] = "development"
    from app.archive.build import build_archive, path_of
    from app.archive.verify import verify_package
    from app.core import clock
    from app.core.audit import record
    from app.core.auth.models import OrgKind, Role
    from app.core.crypto import platform_public_key
    from app.core.extensions import db
    from app.core.storage import get_store
    from app.factory import create_app
    from bidding.bids.models import Bid, BidStatus
    from tests.factories import make_org, make_user

    with tempfile.TemporaryDirectory(prefix="th-bench-archive-") as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "INSTANCE_PATH": tmp,
                "REDIS_URL": None,
                "SCHEDULER_ENABLED": False,
            }
        )
        with app.app_context(), app.test_request_context("/"):
            db.create_all()
            from tests.results import world as rw

            t0 = time.perf_counter()
            w = rw.build()
            store = get_store()
            size = args.mb * 1024 * 1024
            for i in range(max(args.bids - 4, 0)):
                org = make_org(OrgKind.SUPPLIER, name=f"压测投标人{i:02d}有限公司")
                user = make_user(Role.SUPPLIER, organisation=org)
                sha, n = store.put_stream(RandomStream(size))  # type: ignore[arg-type]
                db.session.add(
                    Bid(
                        lot_id=w.lot.id, supplier_id=org.id, version=1,
                        status=BidStatus.DECRYPTED, ciphertext_sha256=sha, size=n,
                        received_at=clock.now(), submitted_by_id=user.id,
                    )
                )  # fmt: skip
            for i in range(args.entries):
                record("bench.note", w.lot, {"n": i})
            db.session.commit()
            from bidding.results import award, contracts, publicity
            from tests.results.test_archive import cst

            clock.set_now(cst(2026, 4, 1, 10, 0))
            publicity.publish_publicity(w.lot, w.staff)
            clock.set_now(cst(2026, 4, 8, 10, 0))  # the publicity runs to 24:00 of 7 April
            award.confirm_award(w.lot, w.staff)
            clock.set_now(cst(2026, 4, 9, 10, 0))
            contracts.file_contract(
                w.lot, w.staff, number="HT-B", lot_code=w.lot.code,
                supplier_id=w.bidders[0].organisation_id, price="880000.00",
                signed_on="2026-04-08", filename="c.pdf", stream=rw.pdf_file(),
            )  # fmt: skip
            db.session.commit()
            print(f"# world: {args.bids} bids × {args.mb} MB, {args.entries} audit entries, "
                  f"built in {time.perf_counter() - t0:.1f}s", flush=True)  # fmt: skip

            pem = platform_public_key().pem
            # The bare script zips the same store files (the records made by the app are small).
            paths: list[tuple[str, Path]] = []
            for b in db.session.execute(db.select(Bid).where(Bid.lot_id == w.lot.id)).scalars():
                paths.append((f"bids/{b.id}.sealed", store.path_for(b.ciphertext_sha256)))
            # Each round writes a new file on both sides: the store keeps every package it
            # adopts, so the bare script keeps its packages too (rewriting one file would let
            # the kernel reuse the pages it just freed, an I/O path no real build meets).
            timings: dict[str, list[float]] = {k: [] for k in KEYS}
            cpu: dict[str, list[float]] = {k: [] for k in KEYS}

            def timed(key: str, fn: Any, *a: Any) -> Any:
                t, c = time.perf_counter(), time.process_time()
                out = fn(*a)
                timings[key].append(time.perf_counter() - t)
                cpu[key].append(time.process_time() - c)
                return out

            def ours() -> None:
                nonlocal row
                row = timed("build", build_and_commit)
                warm(Path(path_of(row)))
                ok, message, _n = timed("verify", verify_package, str(path_of(row)), pem)
                assert ok, message

            def bare(n: int) -> None:
                nonlocal bare_out
                bare_out = Path(tmp) / f"bare-{n}.zip"
                timed("bb", bare_build, paths, bare_out)
                warm(bare_out)
                timed("bv", bare_verify, bare_out)

            def build_and_commit() -> Any:
                built = build_archive(w.lot, w.staff)
                db.session.commit()
                return built

            row: Any = None
            bare_out = Path(tmp) / "bare-0.zip"
            # Alternate which goes first, so that neither always meets the cache the other left.
            for n in range(args.rounds):
                if n % 2:
                    ours()
                    bare(n)
                else:
                    bare(n)
                    ours()
                print(
                    f"# round {n + 1}: "
                    + "  ".join(f"{k} {timings[k][-1]:.2f}s/{cpu[k][-1]:.2f}s cpu" for k in KEYS),
                    flush=True,
                )
            package = Path(path_of(row))
            mb, bare_mb = row.size / 1e6, bare_out.stat().st_size / 1e6
            build_s, verify_s = (statistics.median(timings[k]) for k in ("build", "verify"))
            bare_build_s, bare_verify_s = (statistics.median(timings[k]) for k in ("bb", "bv"))
            build_c, verify_c = (statistics.median(cpu[k]) for k in ("build", "verify"))
            bare_build_c, bare_verify_c = (statistics.median(cpu[k]) for k in ("bb", "bv"))

            if args.profile:
                import cProfile

                cProfile.runctx("build_archive(w.lot, w.staff)", globals(), locals(), args.profile)
                db.session.rollback()
            package = Path(path_of(row))
            tracemalloc.start()
            build_archive(w.lot, w.staff)
            db.session.rollback()
            build_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            verify_package(str(package), pem)
            verify_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            with zipfile.ZipFile(package) as zf:
                names = [i.filename for i in zf.infolist()]

    results: dict[str, Any] = {
        "archive_build_mb_s": mb / build_s,
        "bare_build_mb_s": bare_mb / bare_build_s,
        "archive_verify_mb_s": mb / verify_s,
        "bare_verify_mb_s": bare_mb / bare_verify_s,
        "archive_build_cpu_mb_s": mb / build_c,
        "bare_build_cpu_mb_s": bare_mb / bare_build_c,
        "archive_verify_cpu_mb_s": mb / verify_c,
        "bare_verify_cpu_mb_s": bare_mb / bare_verify_c,
    }
    print(f"# package: {len(names)} files, {mb:.1f} MB; load {os.getloadavg()[0]:.2f}")
    for key, value in results.items():
        print(f"{key}: {value:.1f} MB/s")
    for what in ("build", "verify", "build_cpu", "verify_cpu"):
        ours, bare = (results[f"{side}_{what}_mb_s"] for side in ("archive", "bare"))
        print(f"archive_{what}_ratio: {ours / bare:.2f}")
    print(f"archive_build_peak_mb: {build_peak / 1e6:.1f} MB")
    print(f"archive_verify_peak_mb: {verify_peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
