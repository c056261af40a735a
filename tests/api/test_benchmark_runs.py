"""The benchmark of starting and completing (bench/api_speed.py) still runs against the app as it is: a few
samples of each of its settings through a real gunicorn. Nothing here is timed; the figures come from running
the benchmark itself (README, "Measured")."""

from __future__ import annotations

import bench.api_speed as api_speed
from bench.common import Client, sign_in


def test_every_setting_samples_each_of_its_layers(app, gunicorn_server, monkeypatch, capsys):
    for name, value in (("SAMPLES", 4), ("BLOCK", 2), ("WARMUP", 1), ("PAUSE", 0.001)):
        monkeypatch.setattr(api_speed, name, value)
    token = sign_in(api_speed.USER, api_speed.USER_ORG)
    client = Client(gunicorn_server, token)
    try:
        api_speed.warm_up(client, app, token)
        targets = api_speed.back_to_back(client, app)
        api_speed.report_targets(targets)
        layers = api_speed.layers_side_by_side(client, app, token)
        paused = api_speed.after_pause(client)
    finally:
        client.close()
    assert set(targets) == {api_speed.HTTP, api_speed.ALONE}
    assert set(layers) == {api_speed.HTTP, "in-process Flask test client", "service call (no HTTP)",
                           api_speed.ALONE}
    assert set(paused) == {api_speed.HTTP}
    for setting in (targets, layers, paused):
        for starts, completions in setting.values():
            assert len(starts) == len(completions) == 4
            assert all(ms > 0 for ms in starts + completions)
    assert "complete: median < 5 ms" in capsys.readouterr().out


def test_the_side_by_side_benchmark_measures_every_step_on_a_filled_database(app, migrated, gunicorn_server,
                                                                             monkeypatch, capsys):
    import bench.scale_speed as scale_speed

    for name, value in (("SAMPLES", 6), ("BLOCK", 3), ("WARMUP", 2), ("THROUGHPUT_SECONDS", 0.5),
                        ("TYPICAL_USERS", 3), ("WARM_CONNECTIONS", 2)):
        monkeypatch.setattr(scale_speed, name, value)
    seconds, large, typical, tasks = scale_speed.prepare(app, 300)
    assert len(tasks) == 60 and len(typical) == 3  # the large organisation holds a fifth of the cases
    server = scale_speed.Server("database", gunicorn_server, large, typical, tasks, seconds)
    scale_speed.measure([server])
    server.commits = scale_speed.commit_latency(migrated, n=3)
    scale_speed.report(300, [server])
    for step, _ in scale_speed.STEPS:
        assert server.samples[step] and all(ms > 0 for ms in server.samples[step]), step
    assert len(server.samples["complete a task"]) == 6
    assert len(server.throughput) == 2 and all(per_second > 0 for per_second in server.throughput)
    out = capsys.readouterr().out
    assert "GET /tasks, large organisation" in out and "completions per second" in out and "COMMIT" in out
