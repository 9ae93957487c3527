"""The sweep's table is globus-sdk 4.10's; other majors skip it."""

from __future__ import annotations

import globus_sdk

if int(globus_sdk.__version__.split(".")[0]) < 4:
    collect_ignore = ["test_sdk_method_sweep.py"]
