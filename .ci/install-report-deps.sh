#!/bin/sh
# Tools the report tests use when present: chromium renders the HTML report
# headless (internal/report TestBrowser), xmllint validates the JUnit XML
# against testdata/junit.xsd (TestJUnitXSD). Without them those two tests skip
# with a message; everything else runs. Called from .ci/run.
set -eu
if command -v chromium >/dev/null 2>&1 && command -v xmllint >/dev/null 2>&1; then
	exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends chromium libxml2-utils
