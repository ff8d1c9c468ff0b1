"""Check the system prerequisites before `make` builds the virtual environment."""

import ctypes.util
import sys

problems = []
if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before the venv exists
    problems.append(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")
for lib, package in (("pango-1.0", "libpango-1.0-0"), ("pangoft2-1.0", "libpangoft2-1.0-0")):
    if ctypes.util.find_library(lib) is None:
        problems.append(f"The {lib} library is missing: install it, "
                        f"e.g. `apt-get install {package}`.")
if problems:
    print("ketabrochure: missing system prerequisites:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
