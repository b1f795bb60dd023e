#!/usr/bin/env bash
# Regenerates the conference-service voice prompts (seed L8411-L8443, Base theme audio files) as small
# 8 kHz mono 16-bit WAV (telephone band) files with Debian's espeak-ng and sox:
#   apt-get install -y espeak-ng sox
# Pexip ships 48 kHz files with a 2-second lead-in (L8398-L8400); we store neither: the media path resamples,
# and whoever plays a first-contact prompt adds the lead-in, which keeps the committed assets well under 1 MB.
# The texts must stay in step with PromptCatalogue.cs (a test checks every catalogue id has a file).
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/ConferenceCluster.Conferencing/Services/Prompts
rate=8000
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() { # id text
  espeak-ng -v en-gb -s 165 -w "$tmp/$1.raw.wav" "$2"
  # trim espeak's trailing silence, normalise to -3 dBFS, resample to mono 16-bit
  sox "$tmp/$1.raw.wav" -r "$rate" -c 1 -b 16 "$out/$1.wav" reverse silence 1 0.05 0.5% reverse norm -3
}

say conf-getpin "Please enter the conference PIN number."
say conf-getpin_pound-key "Please enter the conference PIN number, followed by the pound key."
say conf-invalidpin "The PIN is invalid for this conference."
say conf-waitforleader "Waiting for the conference Host to join."
say conf-waithostpin "Waiting for the conference Host to join. If you are the conference Host, please enter the conference PIN number now."
say conf-waithostpin_pound-key "Waiting for the conference Host to join. If you are the conference Host, please enter the conference PIN number followed by the pound key."
say conf-leaderhasleft "The Host has left the conference. The conference is about to end."
say conf-placeintoconf "Welcome to the conference."
say conf-call-will-be-disconnected "Your call will be disconnected."
say conf-capacity_exceeded "The conferencing system capacity has been exceeded."
say conf-you_are_the_only_participant "You are the only participant in the conference."

# "Three knocks" (L8427): three short low thumps, a quarter of a second apart.
sox -n -r "$rate" -c 1 -b 16 "$tmp/knock.wav" synth 0.06 sine 180 fade q 0.002 0.06 0.05 gain -3
sox -n -r "$rate" -c 1 -b 16 "$tmp/gap.wav" trim 0 0.19
sox "$tmp/knock.wav" "$tmp/gap.wav" "$tmp/knock.wav" "$tmp/gap.wav" "$tmp/knock.wav" "$out/conf-participant_locked_out.wav"

du -ch "$out"/*.wav | tail -1
