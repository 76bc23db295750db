"""The benchmark settings with field encryption taken out (``bench.plaintext``): the server
for the plain-text twin of a dataset, where encrypted columns hold the same values in clear."""

from bench.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.plaintext.PlaintextFieldsConfig"]  # noqa: F405
