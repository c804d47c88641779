"""A pytest plugin for self-tests: the disk holding the results fills up after some records.

Loaded with ``-p suites.selftest.diskfull``; ``DLPARITY_DISK_FULL_AFTER=N`` lets N records through,
then every write of :mod:`fixtures.results` fails with ENOSPC halfway through its line.
"""

import errno
import os

from fixtures import results


class _FillingDisk:
    def __init__(self, allowed: int):
        self.allowed = allowed

    def write(self, fd, data):
        if self.allowed > 0:
            self.allowed -= 1
            return os.write(fd, data)
        if len(data) > 1:
            return os.write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(os, name)


def pytest_configure(config):
    results.os = _FillingDisk(int(os.environ.get("DLPARITY_DISK_FULL_AFTER", "0")))
