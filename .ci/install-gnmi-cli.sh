#!/bin/sh
# Installs gnmi_cli, the reference gNMI client from openconfig/gnmi, for the
# interop test in internal/lab (TestInteropGnmiCli). Pinned: the module proxy
# here answers exact versions only for openconfig modules.
set -eu
if command -v gnmi_cli >/dev/null 2>&1 || [ -x "$(go env GOPATH)/bin/gnmi_cli" ]; then
	exit 0
fi
go install github.com/openconfig/gnmi/cmd/gnmi_cli@v0.14.1
