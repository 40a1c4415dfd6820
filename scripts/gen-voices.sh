#!/usr/bin/env bash
# Regenerates the synthetic test voices in test/fixtures/voices/ (see the README there).
#
# Needs espeak-ng (1.51 was used) and sox (14.4.2), both from Debian. The output is reproducible:
# espeak-ng's formant synthesiser is deterministic, and sox runs without dither (-D), so the same tool
# versions give byte-identical files. Other versions may differ slightly; the tests only rely on the
# files committed in git, never on these tools.
#
# Every fixture is G.711 µ-law, 8000 Hz (what Audiohook and das-Peak Streaming carry), peak-normalised
# to -3 dBFS, with 0.2 s of digital silence at both ends.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/test/fixtures/voices"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

# Speakers: name and espeak-ng voice options (language+variant, pitch 0..99, speed in words/minute).
SPEAKERS=(
  "alice|-v en-us+f2 -p 55 -s 150"
  "bruno|-v en-us+m3 -p 40 -s 150"
  "chen|-v en-us+m4 -p 80 -s 145"
  "dora|-v en-us+f4 -p 95 -s 160"
)
AGENT="-v en-us+f3 -p 70 -s 165"

# Sentences from the Harvard sentence lists (IEEE 1969), public domain. The same texts for every
# speaker, so a test can tell the speaker from the text.
REGISTER="The birch canoe slid on the smooth planks, glue the sheet to the dark blue background, it is easy to tell."
VERIFY_1="These days a chicken leg is a rare dish, and rice is served in bowls."
VERIFY_2="The juice of lemons makes fine punch, and the box was thrown away."
CALLER="Hello, I would like to check my savings account, please."
AGENT_TEXT="Thank you for calling, how can I help?"

# speak <wav out> <espeak options> <text>: mono µ-law 8 kHz, normalised, padded.
speak() {
  local out="$1" options="$2" text="$3"
  # shellcheck disable=SC2086 # the options are meant to be split into words
  espeak-ng $options -w "$WORK/raw.wav" "$text"
  sox -D "$WORK/raw.wav" -c 1 -e u-law -b 8 "$out" gain -n -3 rate -v 8000 pad 0.2 0.2
}

for entry in "${SPEAKERS[@]}"; do
  name="${entry%%|*}"
  options="${entry#*|}"
  speak "$OUT/$name-register.wav" "$options" "$REGISTER"
  speak "$OUT/$name-verify-1.wav" "$options" "$VERIFY_1"
  speak "$OUT/$name-verify-2.wav" "$options" "$VERIFY_2"
done

# A call as Audiohook carries it: stereo, channel 0 = `external` (the caller, bruno), channel 1 =
# `internal` (the agent). The agent speaks first; the caller answers after the agent has finished.
speak "$WORK/agent.wav" "$AGENT" "$AGENT_TEXT"
speak "$WORK/caller.wav" "${SPEAKERS[1]#*|}" "$CALLER"
agent_seconds="$(soxi -D "$WORK/agent.wav")"
caller_seconds="$(soxi -D "$WORK/caller.wav")"
sox -D "$WORK/caller.wav" "$WORK/external.wav" pad "$agent_seconds" 0
sox -D "$WORK/agent.wav" "$WORK/internal.wav" pad 0 "$caller_seconds"
sox -D -M "$WORK/external.wav" "$WORK/internal.wav" -e u-law -b 8 "$OUT/call-bruno-agent-stereo.wav"

ls -l "$OUT"/*.wav
