#!/usr/bin/env bash
# Runs one silo (Conferencing Node) of a ConferenceCluster, by default on the embedded SQLite cluster
# database ./data/cluster.db. Extra arguments go to the silo, e.g.
#   bash scripts/run.sh --Silo:Name=node-2 --Silo:Ports:Silo=11112 --Silo:Ports:Gateway=30001 --Silo:Ports:Http=8081
# Configuration keys: docs/operations.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/packages.sh

# libopus0: the media path's Opus codec; libvpx7: its VP8 video codec (SQLite comes with Microsoft.Data.Sqlite).
ensure_debian_packages libopus0 libvpx7
command -v dotnet >/dev/null || { echo "run.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }

# Built, then started from the repository root, so the default ./data/cluster.db lands here (dotnet run would
# put it under the project folder).
dotnet build -c Release src/ConferenceCluster.Silo -v quiet -nologo
# Demo:Enabled creates the demo rooms (sip:demo@host, and sip:demo-pin@host with Host PIN 1234, Guest PIN 5678);
# later arguments win, so --Demo:Enabled=false turns it off.
exec dotnet src/ConferenceCluster.Silo/bin/Release/net10.0/ConferenceCluster.Silo.dll --Demo:Enabled=true "$@"
