#!/usr/bin/env python3
"""Raw control-protocol client for tests: sends one request (argv[2], JSON)
to the svd control socket argv[1] as a frame (big-endian u32 length + JSON)
and prints the reply's JSON. Lets tests see fields svctl does not render."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svdproto import request  # noqa: E402

try:
    print(json.dumps(request(sys.argv[1], json.loads(sys.argv[2]))))
except OSError as e:
    sys.exit("ctl.py: %s" % e)
