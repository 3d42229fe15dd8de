"""The six scenarios of issue 6, each a function of the run's :class:`bench.context.Context`."""
