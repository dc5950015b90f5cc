"""`prefect server start` with the API latency instrument renamed to the catalog's name by an OpenTelemetry View.

`opentelemetry-instrument` reads no views from the environment, so an operator who wants
`prefect.server.api.request.duration` without a Collector writes a launcher like this one: install a MeterProvider
with the View and the OTLP/HTTP exporter (configured by the usual OTEL_* variables), then run the same
auto-instrumentation `opentelemetry-instrument` runs (set OTEL_METRICS_EXPORTER=none so the distro does not build a
second provider), then Prefect's own CLI. Usage: python serve_with_view.py server start --host … --port …
"""

from __future__ import annotations

import sys

from opentelemetry import metrics
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.instrumentation.auto_instrumentation import initialize
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import View
from opentelemetry.sdk.resources import Resource

CATALOG_NAME = "prefect.server.api.request.duration"


def main() -> int:
    provider = MeterProvider(
        resource=Resource.create(),
        metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())],
        views=[View(instrument_name="http.server.request.duration", name=CATALOG_NAME)],
    )
    metrics.set_meter_provider(provider)
    initialize()
    from prefect.cli import app

    sys.argv = ["prefect", *sys.argv[1:]]
    result = app()
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
