"""The support dashboard's traffic: the count of server errors and their list cover the same window (issue 20,
defect 13: « Erreurs serveur : 0 » beside a listed 503 from longer ago)."""

import time

from ecars_common.observability import RecentTraffic


def test_errors_listed_are_the_errors_counted():
    traffic = RecentTraffic()
    traffic.record(503, "GET", "/old", "req-old-0001", "indisponible")
    then = time.time() - traffic.WINDOW - 1  # that error, and its request, now older than the window
    traffic.errors[0] = (then, traffic.errors[0][1])
    traffic.requests[0] = (then, 503)
    traffic.record(200, "GET", "/fine", "req-fine-001")
    summary = traffic.summary()
    assert summary["server_errors"] == 0 and summary["recent_errors"] == []
    traffic.record(500, "POST", "/new", "req-new-0001", "boom")
    summary = traffic.summary()
    assert summary["server_errors"] == 1
    assert [e["path"] for e in summary["recent_errors"]] == ["/new"]
    assert summary["window_seconds"] == 300
