"""Another process on the same weather API key, spending part of its quota (a subprocess).

`python -m tests.neighbour URL KEY BURST SECONDS`: BURST calls at once, then one a second for
SECONDS, ignoring 429s; prints `ready` after the burst and its answers by status at the end.
Imports only httpx, so it is ready in well under a second.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

import httpx

LONDON = {"lat": 51.5072, "lon": -0.1276}


def spend(url: str, key: str, burst: int, seconds: float) -> Counter:
    """Call current weather with `key` as described above; the answers by status code."""
    answers: Counter = Counter()
    with httpx.Client(base_url=url, params={"appid": key, **LONDON}) as http:
        for _ in range(burst):
            answers[str(http.get("/data/2.5/weather").status_code)] += 1
        print("ready", flush=True)
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            time.sleep(1.0)
            answers[str(http.get("/data/2.5/weather").status_code)] += 1
    print(json.dumps(answers), flush=True)
    return answers


if __name__ == "__main__":
    spend(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
