"""Reading speed: ``python -m results.fileformats.benchmark FILE [FILE …] [--engine E]``.

Prints rows, wall and CPU seconds, rows per second and the process's peak RSS. Generate
files with ``python -m results.fileformats.synthetic``.
"""

from __future__ import annotations

import argparse
import resource
import time

from .reader import read_results_file


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+")
    parser.add_argument(
        "--engine", default="auto", choices=["auto", "stream", "calamine", "openpyxl"]
    )
    args = parser.parse_args(argv)
    for path in args.paths:
        wall, cpu = time.perf_counter(), time.process_time()
        rf = read_results_file(path, filename=path, engine=args.engine)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(
            f"{path}: {rf.n_rows} rows, {rf.error_count} errors, fatal={rf.fatal!r}; "
            f"wall {wall:.2f} s ({rf.n_rows / wall:,.0f} rows/s), "
            f"CPU {cpu:.2f} s ({rf.n_rows / max(cpu, 1e-9):,.0f} rows/s), peak RSS {peak_mb} MB"
        )


if __name__ == "__main__":
    main()
