"""Settings of the API benchmark's server: production settings plus one trivial DRF view (bench/api_urls.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
