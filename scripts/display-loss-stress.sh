#!/usr/bin/env bash
# Kills the X server under a live run at random moments and starts it again, N times, and says after
# each whether the run is alive and still counting frames (README, "Lost display").
#   N=14 CHAIN=examples/02-hello-noise SIZE=640x360 DISPLAY_NUMBER=78 scripts/display-loss-stress.sh
# Needs Xvfb (scripts/setup.sh installs it). The run's output is in /tmp/vivid-display-stress.out.
set -u
cd "$(dirname "$0")/.."
d=":${DISPLAY_NUMBER:-78}"; out=/tmp/vivid-display-stress.out; stats=/tmp/vivid-display-stress.jsonl
server() { Xvfb "$d" -screen 0 1400x900x24 -nolisten tcp 2>/dev/null & }
frames() { grep -c '"type":"frames"' "$stats" 2>/dev/null || echo 0; }
pkill -f "Xvfb $d\b" 2>/dev/null; sleep 0.5
server; sleep 1
rm -f "$stats"
DISPLAY="$d" bun runtime/cli.ts "${CHAIN:-examples/02-hello-noise}" --no-dashboard --size "${SIZE:-640x360}" --stats "$stats" > "$out" 2>&1 &
pid=$!
sleep 8
for i in $(seq 1 "${N:-10}"); do
  sleep "0.$((RANDOM % 10))"
  pkill -9 -f "Xvfb $d\b"; sleep "$((RANDOM % 3)).$((RANDOM % 10))"
  server; sleep 3
  a=$(frames); sleep 2.5; b=$(frames)
  echo "loss $i: $(kill -0 "$pid" 2>/dev/null && echo alive || echo DEAD), frame records $a -> $b"
done
kill -INT "$pid" 2>/dev/null; wait "$pid"; echo "exit code $?"
echo "lines: $(grep -c 'lost the display' "$out") lost, $(grep -c 'is back: the window' "$out") back, $(grep -c 'lost the GPU device too' "$out") raced presents"
pkill -f "Xvfb $d\b" 2>/dev/null
