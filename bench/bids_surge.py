"""Deadline surge: N sealed bids of S MB uploaded together through the real HTTP stack.

Builds a fresh instance (SQLite unless --database-url) with one lot and N eligible
suppliers, seals N containers beforehand (not timed), starts the app under waitress in a
subprocess and uploads every bid concurrently in resumable chunks (start, PUT chunks,
finish → signed receipt). In the same run a bare script writes the same bytes with
SHA-256 + fsync using as many threads: the raw baseline. The sealed files are flushed to
disk before the first round, and --warmup rounds (1 by default: the server's first requests,
the baseline's first files) run and are printed but not counted, so the figures are a
running server's. Prints the medians of the --repeat rounds after them:

    bids_surge_mb_s: N            accepted ciphertext MB/s through HTTP
    bids_surge_peak_rss_mb: N     server VmHWM (peak resident memory; summed over workers)
    raw_write_mb_s: N             hash + write + fsync of the same bytes
    bids_surge_ratio: 0.xx        bids_surge_mb_s / raw_write_mb_s
    bids_surge_server_cpu_s_per_gb: N   CPU the server processes spent per GB received
    bids_surge_client_cpu_s_per_gb: N   CPU the uploading clients (this process) spent
    raw_write_cpu_s_per_gb: N     CPU of the baseline per GB

The clients and the server share the machine's cores, so the CPU lines say how much of
the surge figure is the server's work and how much the load generator's.

Run: .venv/bin/python bench/bids_surge.py [--bids 100] [--mb 20] [--repeat 3] [--warmup 1]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import functools
import hashlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bids_world import MB, ROOT, Bidder, build, overrides, seal_all  # noqa: E402
from _serve import cpu_seconds, free_port, tree_peak_rss_mb, wait_ready  # noqa: E402


def serve(
    instance: Path, port: int, threads: int, database_url: str | None, server: str, workers: int
) -> None:
    import logging

    import waitress

    from app.factory import create_app

    logging.getLogger("waitress").setLevel(logging.ERROR)
    from app.launcher import waitress_options

    if server == "gunicorn":
        from _serve import run_gunicorn

        run_gunicorn(
            lambda: create_app(overrides(instance, database_url)),
            host="127.0.0.1",
            port=port,
            workers=workers,
            threads=threads,
        )
        return
    app = create_app(overrides(instance, database_url))
    # The socket and buffer settings `flask serve` ships with, so the figure is the product's.
    waitress.serve(
        app, host="127.0.0.1", port=port, threads=threads, _quiet=True, **waitress_options(app)
    )


def upload_one(port: int, bidder: Bidder, path: Path, lot_id: int, chunk: int) -> str:
    """One bid through the public API; returns the receipt's ciphertext hash."""
    size = path.stat().st_size
    auth = {"Authorization": f"Bearer {bidder.token}", "Accept": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def call(method: str, url: str, body: Any, ctype: str) -> dict[str, Any]:
        conn.request(method, url, body=body, headers={**auth, "Content-Type": ctype})
        resp = conn.getresponse()
        data = json.loads(resp.read() or b"null")
        if resp.status >= 300:
            raise RuntimeError(f"{method} {url}: {resp.status} {data}")
        return data

    try:
        started = call(
            "POST", f"/api/v1/lots/{lot_id}/uploads", json.dumps({"size": size}), "application/json"
        )
        token = started["token"]
        with open(path, "rb") as f:
            offset = 0
            while block := f.read(chunk):
                call(
                    "PUT",
                    f"/api/v1/uploads/{token}?offset={offset}",
                    block,
                    "application/octet-stream",
                )
                offset += len(block)
        receipt = call("POST", f"/api/v1/uploads/{token}/finish", b"", "application/json")
        return str(receipt["receipt"]["ciphertext_sha256"])
    finally:
        conn.close()


def raw_write_one(path: Path, out_dir: Path, chunk: int) -> str:
    digest = hashlib.sha256()
    target = out_dir / (path.name + ".raw")
    with open(path, "rb") as src, open(target, "wb") as out:
        while block := src.read(chunk):
            digest.update(block)
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=100)
    parser.add_argument("--mb", type=float, default=20.0, help="plaintext size of each bid")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--warmup", type=int, default=1, help="rounds run first and not counted in the medians"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent uploading clients")
    parser.add_argument("--threads", type=int, default=8, help="server threads (per worker)")
    parser.add_argument(
        "--server",
        choices=("waitress", "gunicorn"),
        default="waitress",
        help="waitress (flask serve) or gunicorn gthread workers (the scale path)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--chunk-mb",
        type=float,
        default=8.0,
        help="chunk size; the default is BID_CHUNK_MAX_BYTES, what the bid page sends",
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--serve", nargs=3, metavar=("INSTANCE", "PORT", "THREADS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        serve(
            Path(args.serve[0]),
            int(args.serve[1]),
            int(args.serve[2]),
            args.database_url,
            args.server,
            args.workers,
        )
        return

    os.environ["TENDERHALL_ENV"] = "development"
    from app.factory import create_app

    size = int(args.mb * MB)
    chunk = int(args.chunk_mb * MB)
    with tempfile.TemporaryDirectory(prefix="th-bench-surge-") as tmp:
        instance = Path(tmp)
        app = create_app(overrides(instance, args.database_url))
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        world = build(app, args.bids, size + 4 * MB, deadline)
        t0 = time.perf_counter()
        paths = seal_all(world, size, instance / "sealed")
        # Written back now, not while the first round runs (the kernel would otherwise
        # write 2 GB of dirty pages in the middle of whichever side is measured then).
        os.sync()
        total = sum(p.stat().st_size for p in paths)
        print(
            f"# sealed {args.bids} bids × {args.mb:g} MB ({total / MB:.0f} MB ciphertext) "
            f"in {time.perf_counter() - t0:.1f}s",
            flush=True,
        )

        port = free_port()
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve",
            str(instance),
            str(port),
            str(args.threads),
        ]
        cmd += ["--server", args.server, "--workers", str(args.workers)]
        if args.database_url:
            cmd += ["--database-url", args.database_url]
        proc = subprocess.Popen(
            cmd,
            cwd=str(ROOT),
            env={**os.environ, "TENDERHALL_ENV": "development", "PYTHONPATH": str(ROOT)},
        )
        surge: list[float] = []
        raw: list[float] = []
        server_cpu: list[float] = []
        client_cpu: list[float] = []
        raw_cpu: list[float] = []
        gb = total / MB / 1024
        try:
            wait_ready(port, proc)
            for r in range(args.warmup + args.repeat):
                t0, s0, c0 = time.perf_counter(), cpu_seconds([proc]), time.process_time()
                with cf.ThreadPoolExecutor(max_workers=args.clients) as pool:
                    hashes = list(
                        pool.map(
                            lambda bp: upload_one(port, bp[0], bp[1], world.lot_id, chunk),
                            zip(world.bidders, paths, strict=True),
                        )
                    )
                seconds = time.perf_counter() - t0
                server_cpu.append((cpu_seconds([proc]) - s0) / gb)
                client_cpu.append((time.process_time() - c0) / gb)
                assert len(hashes) == args.bids
                surge.append(total / MB / seconds)

                out_dir = instance / f"raw-{r}"
                out_dir.mkdir()
                t0, c0 = time.perf_counter(), time.process_time()
                with cf.ThreadPoolExecutor(max_workers=args.clients) as pool:
                    raw_hashes = list(
                        pool.map(
                            functools.partial(raw_write_one, out_dir=out_dir, chunk=chunk), paths
                        )
                    )
                seconds = time.perf_counter() - t0
                assert raw_hashes == hashes, "baseline and server disagree on the bytes"
                raw.append(total / MB / seconds)
                raw_cpu.append((time.process_time() - c0) / gb)
                for f in out_dir.iterdir():
                    f.unlink()
                label = "warm-up round" if r < args.warmup else f"round {r + 1 - args.warmup}"
                print(
                    f"# {label}: surge {surge[-1]:.1f} MB/s, raw {raw[-1]:.1f} MB/s; "
                    f"CPU s/GB server {server_cpu[-1]:.2f}, clients {client_cpu[-1]:.2f}, "
                    f"raw {raw_cpu[-1]:.2f}",
                    flush=True,
                )
            rss = tree_peak_rss_mb(proc.pid)
            counted = slice(args.warmup, None)
            surge, raw = surge[counted], raw[counted]
            server_cpu, client_cpu, raw_cpu = (
                server_cpu[counted],
                client_cpu[counted],
                raw_cpu[counted],
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        mb_s, raw_mb_s = statistics.median(surge), statistics.median(raw)
        print(f"bids_surge_mb_s: {mb_s:.1f}")
        print(f"bids_surge_peak_rss_mb: {rss:.0f}")
        print(f"raw_write_mb_s: {raw_mb_s:.1f}")
        print(f"bids_surge_ratio: {mb_s / raw_mb_s:.2f}")
        print(f"bids_surge_server_cpu_s_per_gb: {statistics.median(server_cpu):.2f}")
        print(f"bids_surge_client_cpu_s_per_gb: {statistics.median(client_cpu):.2f}")
        print(f"raw_write_cpu_s_per_gb: {statistics.median(raw_cpu):.2f}")


if __name__ == "__main__":
    main()
