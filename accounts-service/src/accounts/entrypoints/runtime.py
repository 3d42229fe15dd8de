"""accounts-service as its processes run it: the HTTP app and ``accounts-worker`` both build
the container from the settings and attach the consumers through this one value."""

from accounts.bootstrap import bootstrap
from accounts.config import Settings
from accounts.entrypoints.messaging import CONSUMERS
from chassis import ServiceRuntime

RUNTIME = ServiceRuntime(Settings, bootstrap, CONSUMERS)
