"""``make bench``: the measured speed of the whole Taskboard stack, talking to it only as an
outside client would (HTTP through wrk and httpx, SQL and AMQP for the messaging scenarios).

``python -m bench run`` runs every scenario and writes ``bench/results/``;
``python -m bench compare`` shows the last two runs side by side."""
