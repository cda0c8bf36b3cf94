#!/bin/sh
# FRRouting for the conformance tests (internal/emulate): Debian's frr package.
# The lab starts its own daemons from /usr/lib/frr; no system-wide frr service is needed.
set -e
if ! [ -x /usr/lib/frr/bgpd ]; then
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y frr
fi
