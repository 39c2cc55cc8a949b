"""Settings of the web benchmark's server: production settings plus a trivial view to measure the floor."""

from config.settings import *  # noqa: F403 - the same settings as production, on purpose

ROOT_URLCONF = "bench.urls"
