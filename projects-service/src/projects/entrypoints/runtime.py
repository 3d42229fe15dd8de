"""projects-service as its processes run it: the HTTP app and ``projects-worker`` both build
the container from the settings and attach the consumers through this one value."""

from chassis import ServiceRuntime
from projects.bootstrap import bootstrap
from projects.config import Settings
from projects.entrypoints.messaging import CONSUMERS

RUNTIME = ServiceRuntime(Settings, bootstrap, CONSUMERS)
